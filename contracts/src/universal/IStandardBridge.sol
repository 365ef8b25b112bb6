// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStandardBridge
/// @notice The finalizing half of a standard bridge, called by the messenger on behalf of the
///         bridge on the other chain. Token addresses are given as seen on the receiving chain:
///         `localToken` there, `remoteToken` on the sending chain.
interface IStandardBridge {
    function finalizeBridgeETH(address from, address to, uint256 amount, bytes calldata extraData)
        external
        payable;

    function finalizeBridgeERC20(
        address localToken,
        address remoteToken,
        address from,
        address to,
        uint256 amount,
        bytes calldata extraData
    ) external;
}
