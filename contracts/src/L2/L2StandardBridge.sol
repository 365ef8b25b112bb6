// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Predeploys} from "../libraries/Predeploys.sol";
import {CrossDomainMessenger} from "../universal/CrossDomainMessenger.sol";
import {MintableERC20} from "../universal/MintableERC20.sol";
import {StandardBridge} from "../universal/StandardBridge.sol";
import {L2ToL1MessagePasser} from "./L2ToL1MessagePasser.sol";

/// @title L2StandardBridge
/// @notice Predeploy at 0x4200...0010: the L2 half of the standard bridge. Deposits arrive from
///         the L1StandardBridge through the L2CrossDomainMessenger; withdrawals leave through the
///         L2ToL1MessagePasser. ERC20s are MintableERC20s this bridge mints and burns.
/// @dev Placed by the genesis alloc: no constructor. Storage: slot 0 `l1Bridge` (the
///      L1StandardBridge), written by the genesis alloc.
contract L2StandardBridge is StandardBridge {
    /// @notice The L1StandardBridge.
    address public l1Bridge;

    /// @inheritdoc StandardBridge
    function messenger() public pure override returns (CrossDomainMessenger) {
        return CrossDomainMessenger(Predeploys.L2_CROSS_DOMAIN_MESSENGER);
    }

    /// @inheritdoc StandardBridge
    function otherBridge() public view override returns (address) {
        return l1Bridge;
    }

    function _sendToOtherBridge(bytes memory data, uint256 value, uint256 gasLimit) internal override {
        L2ToL1MessagePasser(Predeploys.L2_TO_L1_MESSAGE_PASSER).initiateWithdrawal{value: value}(
            l1Bridge, gasLimit, data
        );
    }

    /// @dev A valid pair is a MintableERC20 this bridge controls that represents `remoteToken`.
    function _isValidPair(address localToken, address remoteToken) internal view override returns (bool) {
        if (localToken.code.length == 0) return false;
        try MintableERC20(localToken).bridge() returns (address tokenBridge) {
            if (tokenBridge != address(this)) return false;
        } catch {
            return false;
        }
        try MintableERC20(localToken).remoteToken() returns (address tokenRemote) {
            return tokenRemote == remoteToken;
        } catch {
            return false;
        }
    }

    function _takeTokens(address localToken, address, address from, uint256 amount) internal override {
        MintableERC20(localToken).burn(from, amount);
    }

    function _giveTokens(address localToken, address, address to, uint256 amount) internal override {
        MintableERC20(localToken).mint(to, amount);
    }
}
