// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title CrossDomainMessenger
/// @notice What the L1 and L2 messengers share: delivering a message to its target with the
///         sender of the other chain readable through `xDomainMessageSender()`, the relay gas
///         rule of SPEC §7, and failed messages recorded and replayable, never lost.
/// @dev A message is identified by keccak(abi.encode(nonce, sender, target, value, gasLimit,
///      data)) — on L1 this is exactly the L2ToL1MessagePasser's withdrawal hash.
///      Storage (both messengers): slot 0 `successfulMessages`, slot 1 `failedMessages`
///      (mapping(bytes32 => bool)), slot 2 the sender of the message being relayed (zero
///      outside a relay). A derived contract's own variables follow.
abstract contract CrossDomainMessenger {
    /// @notice Gas the relaying function may spend before the call to the target.
    uint256 public constant RELAY_OVERHEAD = 40_000;
    /// @notice Gas kept back for the relaying function after the call to the target.
    uint256 public constant RELAY_RESERVED = 40_000;

    /// @notice Messages delivered successfully.
    mapping(bytes32 => bool) public successfulMessages;
    /// @notice Messages whose call failed and that anyone may replay.
    mapping(bytes32 => bool) public failedMessages;
    address internal _crossDomainSender;

    event RelayedMessage(bytes32 indexed messageHash);
    event FailedRelayedMessage(bytes32 indexed messageHash);

    error NotRelaying();
    error ReentrantRelay();
    error NotAFailedMessage(bytes32 messageHash);
    error InsufficientRelayGas(uint256 gasLeft, uint256 gasLimit);
    error ValueMismatch(uint256 sent, uint256 expected);

    /// @notice The sender, on the other chain, of the message being relayed. Reverts outside a
    ///         relay.
    function xDomainMessageSender() external view returns (address) {
        if (_crossDomainSender == address(0)) revert NotRelaying();
        return _crossDomainSender;
    }

    /// @notice keccak(abi.encode(nonce, sender, target, value, gasLimit, data)).
    function hashMessage(
        uint256 nonce,
        address sender,
        address target,
        uint256 value,
        uint256 gasLimit,
        bytes memory data
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(nonce, sender, target, value, gasLimit, data));
    }

    /// @notice Whether enough gas is left to give the target `gasLimit` gas after the 63/64
    ///         rule: gasleft·63 ≥ 64·gasLimit + 63·(RELAY_OVERHEAD + RELAY_RESERVED).
    function _hasRelayGas(uint256 gasLimit) internal view returns (bool) {
        return gasleft() * 63 >= 64 * gasLimit + 63 * (RELAY_OVERHEAD + RELAY_RESERVED);
    }

    /// @notice Replay a failed message (anyone). The ETH it carried is already held here.
    function replayMessage(
        uint256 nonce,
        address sender,
        address target,
        uint256 value,
        uint256 gasLimit,
        bytes calldata data
    ) external {
        bytes32 messageHash = hashMessage(nonce, sender, target, value, gasLimit, data);
        if (!failedMessages[messageHash]) revert NotAFailedMessage(messageHash);
        if (!_hasRelayGas(gasLimit)) revert InsufficientRelayGas(gasleft(), gasLimit);
        _deliver(messageHash, sender, target, value, gasLimit, data);
    }

    /// @notice Call `target` as the message says and record the outcome.
    function _deliver(
        bytes32 messageHash,
        address sender,
        address target,
        uint256 value,
        uint256 gasLimit,
        bytes memory data
    ) internal {
        if (_crossDomainSender != address(0)) revert ReentrantRelay();
        _crossDomainSender = sender;
        (bool success,) = target.call{gas: gasLimit, value: value}(data);
        _crossDomainSender = address(0);
        if (success) {
            successfulMessages[messageHash] = true;
            failedMessages[messageHash] = false;
            emit RelayedMessage(messageHash);
        } else {
            failedMessages[messageHash] = true;
            emit FailedRelayedMessage(messageHash);
        }
    }

    /// @notice Record a message as failed without calling its target.
    function _fail(bytes32 messageHash) internal {
        failedMessages[messageHash] = true;
        emit FailedRelayedMessage(messageHash);
    }
}
