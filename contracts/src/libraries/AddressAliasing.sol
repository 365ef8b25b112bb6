// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title AddressAliasing
/// @notice The L1 -> L2 sender alias of SPEC §4: a contract on L1 appears on L2 at its address
///         plus 0x1111000000000000000000000000000000001111 (mod 2^160), so it can never pose as
///         an L2 contract or EOA of the same address.
library AddressAliasing {
    uint160 internal constant OFFSET = uint160(0x1111000000000000000000000000000000001111);

    /// @notice The L2 alias of an L1 contract address.
    function applyL1ToL2Alias(address l1Address) internal pure returns (address) {
        unchecked {
            return address(uint160(l1Address) + OFFSET);
        }
    }

    /// @notice The L1 address behind an L2 alias.
    function undoL1ToL2Alias(address l2Address) internal pure returns (address) {
        unchecked {
            return address(uint160(l2Address) - OFFSET);
        }
    }
}
