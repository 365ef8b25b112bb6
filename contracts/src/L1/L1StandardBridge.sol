// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Predeploys} from "../libraries/Predeploys.sol";
import {CrossDomainMessenger} from "../universal/CrossDomainMessenger.sol";
import {StandardBridge} from "../universal/StandardBridge.sol";
import {L1CrossDomainMessenger} from "./L1CrossDomainMessenger.sol";

/// @title L1StandardBridge
/// @notice The L1 half of the standard bridge: ETH and ERC20 deposits go to the L2StandardBridge
///         through the L1CrossDomainMessenger (and so through the CTC queue); withdrawals come
///         back through finalized L2 -> L1 messages. ERC20s are escrowed here, per (L1 token,
///         L2 token) pair, and released only up to what was deposited for that pair.
/// @dev Storage: slot 0 `deposits` (mapping(address => mapping(address => uint256))).
contract L1StandardBridge is StandardBridge {
    /// @notice Escrowed amount per L1 token and L2 token.
    mapping(address => mapping(address => uint256)) public deposits;

    L1CrossDomainMessenger public immutable l1Messenger;

    error TokenTransferFailed(address token);
    error InsufficientDeposits(uint256 escrowed, uint256 amount);

    constructor(L1CrossDomainMessenger messenger_) {
        l1Messenger = messenger_;
    }

    /// @inheritdoc StandardBridge
    function messenger() public view override returns (CrossDomainMessenger) {
        return l1Messenger;
    }

    /// @inheritdoc StandardBridge
    function otherBridge() public pure override returns (address) {
        return Predeploys.L2_STANDARD_BRIDGE;
    }

    function _sendToOtherBridge(bytes memory data, uint256 value, uint256 gasLimit) internal override {
        l1Messenger.sendMessage{value: value}(Predeploys.L2_STANDARD_BRIDGE, data, uint32(gasLimit));
    }

    /// @dev Any L1 contract can be bridged to a non-zero L2 token; the L2 bridge bounces a
    ///      deposit whose L2 token does not represent it.
    function _isValidPair(address localToken, address remoteToken) internal view override returns (bool) {
        return localToken.code.length > 0 && remoteToken != address(0);
    }

    function _takeTokens(address localToken, address remoteToken, address from, uint256 amount)
        internal
        override
    {
        _call(localToken, abi.encodeWithSignature("transferFrom(address,address,uint256)", from, address(this), amount));
        deposits[localToken][remoteToken] += amount;
    }

    function _giveTokens(address localToken, address remoteToken, address to, uint256 amount)
        internal
        override
    {
        uint256 escrowed = deposits[localToken][remoteToken];
        if (escrowed < amount) revert InsufficientDeposits(escrowed, amount);
        deposits[localToken][remoteToken] = escrowed - amount;
        _call(localToken, abi.encodeWithSignature("transfer(address,uint256)", to, amount));
    }

    /// @dev Tokens that return nothing are accepted as long as the call succeeds.
    function _call(address token, bytes memory data) private {
        (bool ok, bytes memory returned) = token.call(data);
        if (!ok || (returned.length != 0 && !abi.decode(returned, (bool)))) {
            revert TokenTransferFailed(token);
        }
    }
}
