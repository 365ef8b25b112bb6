// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AddressAliasing} from "../libraries/AddressAliasing.sol";
import {CrossDomainMessenger} from "../universal/CrossDomainMessenger.sol";

/// @title L2CrossDomainMessenger
/// @notice Predeploy at 0x4200...0007 that delivers L1 -> L2 messages. The L1CrossDomainMessenger
///         enqueues a deposit calling `relayMessage`; the deposit comes from the L1 messenger's
///         alias. L2 -> L1 messages go straight through the L2ToL1MessagePasser, whose caller
///         the L1 messenger reports as the sender (docs/protocol.md).
/// @dev Placed by the genesis alloc: no constructor. Storage: slots 0-2 as CrossDomainMessenger,
///      slot 3 `otherMessenger` (the L1CrossDomainMessenger), written by the genesis alloc.
contract L2CrossDomainMessenger is CrossDomainMessenger {
    /// @notice The L1CrossDomainMessenger.
    address public otherMessenger;

    error OnlyOtherMessenger(address caller);

    /// @notice Deliver a message sent on L1 (only the aliased L1 messenger, through a deposit).
    ///         It never reverts for a genuine deposit, because a reverted deposit would strand its
    ///         ETH at the alias: a message without enough gas, to this contract, or whose call
    ///         fails is recorded as failed and can be replayed.
    function relayMessage(
        uint256 nonce,
        address sender,
        address target,
        uint256 value,
        uint256 gasLimit,
        bytes calldata data
    ) external payable {
        if (msg.sender != AddressAliasing.applyL1ToL2Alias(otherMessenger)) {
            revert OnlyOtherMessenger(msg.sender);
        }
        bytes32 messageHash = hashMessage(nonce, sender, target, value, gasLimit, data);
        if (msg.value != value || target == address(this) || !_hasRelayGas(gasLimit)) {
            _fail(messageHash);
            return;
        }
        _deliver(messageHash, sender, target, value, gasLimit, data);
    }
}
