// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title GasBurner
/// @notice Spends a given amount of execution gas, the L1 price of L2 gas bought by a deposit.
library GasBurner {
    /// @notice Loop until at least `amount` gas has been spent since the call began.
    function burn(uint256 amount) internal view {
        uint256 start = gasleft();
        uint256 spins;
        while (start - gasleft() < amount) {
            unchecked {
                ++spins;
            }
        }
    }
}
