// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Predeploys} from "../libraries/Predeploys.sol";
import {L2ToL1MessagePasser} from "./L2ToL1MessagePasser.sol";

/// @title FeeVault
/// @notice Collects fees on L2 and sends them, whole, to one L1 recipient through the
///         message passer. Anyone may trigger the withdrawal.
/// @dev Placed by the genesis alloc: no constructor. Storage: slot 0 `recipient` (the L1
///      address that receives the fees), written by the genesis alloc.
abstract contract FeeVault {
    /// @notice Gas given to the L1 call that delivers the fees (a plain ETH transfer).
    uint256 public constant WITHDRAWAL_GAS_LIMIT = 35_000;

    /// @notice The L1 address that receives the fees.
    address public recipient;

    /// @notice Emitted when the vault's balance is sent to L1.
    event Withdrawal(uint256 value, address to, address from);

    /// @notice Thrown when there is nothing to withdraw.
    error NothingToWithdraw();

    receive() external payable {}

    /// @notice Send the whole balance to `recipient` on L1.
    function withdraw() external {
        uint256 value = address(this).balance;
        if (value == 0) revert NothingToWithdraw();
        emit Withdrawal(value, recipient, msg.sender);
        L2ToL1MessagePasser(Predeploys.L2_TO_L1_MESSAGE_PASSER).initiateWithdrawal{value: value}(
            recipient, WITHDRAWAL_GAS_LIMIT, bytes("")
        );
    }
}

/// @title SequencerFeeVault
/// @notice Predeploy at 0x4200...0011, the coinbase of every L2 block (SPEC §3.5): collects the
///         priority fees.
contract SequencerFeeVault is FeeVault {}

/// @title L1FeeVault
/// @notice Predeploy at 0x4200...001A, credited with the L1 data fee of every transaction
///         (SPEC §3.4).
contract L1FeeVault is FeeVault {}
