// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Predeploys} from "../libraries/Predeploys.sol";
import {L1Block} from "./L1Block.sol";

/// @title GasPriceOracle
/// @notice Predeploy at 0x4200...000F that prices the L1 data fee of SPEC §3.4:
///         l1Fee = (calldataGas(signedTx) + overhead) * l1BaseFee * scalar / 1_000_000,
///         with the division last and calldataGas = 4 per zero byte + 16 per non-zero byte of
///         the signed EIP-2718 transaction.
/// @dev `overhead` and `scalar` are the consensus config's l1_fee_overhead and l1_fee_scalar.
///      The genesis alloc writes them to slot 0 and slot 1; nothing can change them afterwards
///      (changing the fee rule is a change of consensus config). No constructor runs.
contract GasPriceOracle {
    /// @notice The scalar is expressed in millionths.
    uint256 public constant DECIMALS = 6;

    uint256 private _overhead;
    uint256 private _scalar;

    /// @notice The L1 data fee, in wei, of the signed raw transaction `signedTx`.
    function getL1Fee(bytes calldata signedTx) external view returns (uint256) {
        return getL1GasUsed(signedTx) * l1BaseFee() * _scalar / (10 ** DECIMALS);
    }

    /// @notice calldataGas(signedTx) + overhead: the L1 gas the fee charges for.
    function getL1GasUsed(bytes calldata signedTx) public view returns (uint256) {
        uint256 gas = _overhead;
        for (uint256 i = 0; i < signedTx.length; i++) {
            gas += signedTx[i] == 0 ? 4 : 16;
        }
        return gas;
    }

    /// @notice The L1 base fee of the current L1 origin, from the L1Block predeploy.
    function l1BaseFee() public view returns (uint256) {
        return L1Block(Predeploys.L1_BLOCK).basefee();
    }

    /// @notice The fixed L1 gas added to every transaction (l1_fee_overhead).
    function overhead() external view returns (uint256) {
        return _overhead;
    }

    /// @notice The fee multiplier in millionths (l1_fee_scalar).
    function scalar() external view returns (uint256) {
        return _scalar;
    }

    /// @notice Number of decimals of `scalar`.
    function decimals() external pure returns (uint256) {
        return DECIMALS;
    }
}
