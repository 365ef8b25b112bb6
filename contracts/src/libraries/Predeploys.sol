// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Predeploys
/// @notice Addresses of the L2 predeploys and the L1-info depositor (SPEC §3.3, §3.6).
/// @dev Constants live in code, so predeploys placed by the genesis alloc can use them
///      without a constructor.
library Predeploys {
    /// @notice Sender of the L1-info deposit, the only caller of L1Block.setL1BlockValues.
    address internal constant DEPOSITOR_ACCOUNT = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;
    address internal constant L2_CROSS_DOMAIN_MESSENGER = 0x4200000000000000000000000000000000000007;
    address internal constant GAS_PRICE_ORACLE = 0x420000000000000000000000000000000000000F;
    address internal constant L2_STANDARD_BRIDGE = 0x4200000000000000000000000000000000000010;
    address internal constant SEQUENCER_FEE_VAULT = 0x4200000000000000000000000000000000000011;
    address internal constant MINTABLE_ERC20_FACTORY = 0x4200000000000000000000000000000000000012;
    address internal constant L1_BLOCK = 0x4200000000000000000000000000000000000015;
    address internal constant L2_TO_L1_MESSAGE_PASSER = 0x4200000000000000000000000000000000000016;
    address internal constant L1_FEE_VAULT = 0x420000000000000000000000000000000000001A;
}
