// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Predeploys} from "../libraries/Predeploys.sol";

/// @title L1Block
/// @notice Predeploy at 0x4200...0015 holding the L2 block's L1 origin (SPEC §3.3). The first
///         transaction of every L2 block, the L1-info deposit, writes it; the values are
///         consensus inputs (the L1 base fee prices the L1 data fee, the origin and sequence
///         number drive derivation).
/// @dev Placed by the genesis alloc: no constructor. Every value has a slot of its own so the
///      node and the fault-proof program read them without unpacking:
///      slot 0 number, 1 timestamp, 2 basefee, 3 hash, 4 sequenceNumber.
contract L1Block {
    /// @notice Thrown when anyone but the L1-info depositor writes the values.
    error OnlyDepositor(address caller);

    uint256 private _number;
    uint256 private _timestamp;
    uint256 private _basefee;
    bytes32 private _hash;
    uint256 private _sequenceNumber;

    /// @notice Record the L1 origin of the current L2 block. Only the L1-info deposit may call.
    function setL1BlockValues(
        uint64 number_,
        uint64 timestamp_,
        uint256 basefee_,
        bytes32 hash_,
        uint64 sequenceNumber_
    ) external {
        if (msg.sender != Predeploys.DEPOSITOR_ACCOUNT) revert OnlyDepositor(msg.sender);
        _number = number_;
        _timestamp = timestamp_;
        _basefee = basefee_;
        _hash = hash_;
        _sequenceNumber = sequenceNumber_;
    }

    /// @notice Number of the L1 origin block.
    function number() external view returns (uint64) {
        return uint64(_number);
    }

    /// @notice Timestamp of the L1 origin block.
    function timestamp() external view returns (uint64) {
        return uint64(_timestamp);
    }

    /// @notice Base fee of the L1 origin block (the l1BaseFee of the L1 data fee).
    function basefee() external view returns (uint256) {
        return _basefee;
    }

    /// @notice Hash of the L1 origin block.
    function hash() external view returns (bytes32) {
        return _hash;
    }

    /// @notice Number of L2 blocks before this one with the same L1 origin.
    function sequenceNumber() external view returns (uint64) {
        return uint64(_sequenceNumber);
    }
}
