// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title L2ToL1MessagePasser
/// @notice Predeploy at 0x4200...0016 where every L2 -> L1 message starts (SPEC §7). A message
///         is proved on L1 with a storage proof of `sentMessages[withdrawalHash] == true` against
///         the `messagePasserStorageRoot` committed in an output root.
/// @dev Placed by the genesis alloc: no constructor. Storage: slot 0 `sentMessages`
///      (mapping(bytes32 => bool); the entry of hash h is at keccak(h ‖ uint256(0))),
///      slot 1 `messageNonce`. ETH sent with a withdrawal stays in this contract: it is released
///      on L1 when the withdrawal is finalized.
contract L2ToL1MessagePasser {
    /// @notice Withdrawals initiated so far, by hash.
    mapping(bytes32 => bool) public sentMessages;

    /// @notice Nonce of the next withdrawal.
    uint256 public messageNonce;

    /// @notice Emitted for every withdrawal with every field of its hash preimage.
    event MessagePassed(
        uint256 indexed nonce,
        address indexed sender,
        address indexed target,
        uint256 value,
        uint256 gasLimit,
        bytes data,
        bytes32 withdrawalHash
    );

    /// @notice keccak(abi.encode(nonce, sender, target, value, gasLimit, data)) (SPEC §7).
    function hashWithdrawal(
        uint256 nonce,
        address sender,
        address target,
        uint256 value,
        uint256 gasLimit,
        bytes memory data
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(nonce, sender, target, value, gasLimit, data));
    }

    /// @notice Send `msg.value` and a call of `target` with `data` and `gasLimit` gas to L1.
    ///         On L1 the call is made by the L1CrossDomainMessenger, which reports `msg.sender`
    ///         of this call as the cross-domain sender.
    function initiateWithdrawal(address target, uint256 gasLimit, bytes calldata data)
        external
        payable
    {
        uint256 nonce = messageNonce;
        bytes32 withdrawalHash = hashWithdrawal(nonce, msg.sender, target, msg.value, gasLimit, data);
        sentMessages[withdrawalHash] = true;
        messageNonce = nonce + 1;
        emit MessagePassed(nonce, msg.sender, target, msg.value, gasLimit, data, withdrawalHash);
    }
}
