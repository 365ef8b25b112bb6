// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CrossDomainMessenger} from "./CrossDomainMessenger.sol";
import {IStandardBridge} from "./IStandardBridge.sol";

/// @title StandardBridge
/// @notice What the L1 and L2 standard bridges share: ETH and ERC20 transfers as messages between
///         the two bridges. A chain-specific bridge says how a message reaches the other side
///         and how tokens are taken and given (escrow on L1, burn and mint on L2).
/// @dev No storage of its own, so the L2 bridge can be a predeploy with its own layout.
abstract contract StandardBridge is IStandardBridge {
    /// @notice Gas for sending back an ERC20 transfer whose token pair is not valid here.
    uint256 public constant BOUNCE_GAS_LIMIT = 200_000;

    event ETHBridgeInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData);
    event ETHBridgeFinalized(address indexed from, address indexed to, uint256 amount, bytes extraData);
    event ERC20BridgeInitiated(
        address indexed localToken,
        address indexed remoteToken,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );
    event ERC20BridgeFinalized(
        address indexed localToken,
        address indexed remoteToken,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );
    event ERC20BridgeBounced(
        address indexed localToken, address indexed remoteToken, address indexed from, uint256 amount
    );

    error OnlyOtherBridge(address caller);
    error InvalidTokenPair(address localToken, address remoteToken);
    error ValueMismatch(uint256 sent, uint256 expected);
    error EthTransferFailed();

    /// @notice The messenger that delivers the other bridge's messages here.
    function messenger() public view virtual returns (CrossDomainMessenger);

    /// @notice The bridge on the other chain.
    function otherBridge() public view virtual returns (address);

    /// @notice Send `data` to the other bridge with `value` wei and `gasLimit` gas.
    function _sendToOtherBridge(bytes memory data, uint256 value, uint256 gasLimit) internal virtual;

    /// @notice Whether `localToken` here and `remoteToken` there form a pair this bridge moves.
    function _isValidPair(address localToken, address remoteToken) internal view virtual returns (bool);

    /// @notice Take `amount` of `localToken` from `from` for a transfer out.
    function _takeTokens(address localToken, address remoteToken, address from, uint256 amount)
        internal
        virtual;

    /// @notice Give `amount` of `localToken` to `to` for a transfer in.
    function _giveTokens(address localToken, address remoteToken, address to, uint256 amount)
        internal
        virtual;

    modifier onlyOtherBridge() {
        CrossDomainMessenger m = messenger();
        if (msg.sender != address(m) || m.xDomainMessageSender() != otherBridge()) {
            revert OnlyOtherBridge(msg.sender);
        }
        _;
    }

    /// @notice Send `msg.value` wei to `to` on the other chain.
    function bridgeETHTo(address to, uint32 minGasLimit, bytes calldata extraData) external payable {
        emit ETHBridgeInitiated(msg.sender, to, msg.value, extraData);
        _sendToOtherBridge(
            abi.encodeCall(IStandardBridge.finalizeBridgeETH, (msg.sender, to, msg.value, extraData)),
            msg.value,
            minGasLimit
        );
    }

    /// @notice Send `amount` of `localToken` to `to` on the other chain, where it is `remoteToken`.
    function bridgeERC20To(
        address localToken,
        address remoteToken,
        address to,
        uint256 amount,
        uint32 minGasLimit,
        bytes calldata extraData
    ) external {
        if (!_isValidPair(localToken, remoteToken)) revert InvalidTokenPair(localToken, remoteToken);
        _takeTokens(localToken, remoteToken, msg.sender, amount);
        emit ERC20BridgeInitiated(localToken, remoteToken, msg.sender, to, amount, extraData);
        _sendToOtherBridge(
            abi.encodeCall(
                IStandardBridge.finalizeBridgeERC20,
                (remoteToken, localToken, msg.sender, to, amount, extraData)
            ),
            0,
            minGasLimit
        );
    }

    /// @inheritdoc IStandardBridge
    function finalizeBridgeETH(address from, address to, uint256 amount, bytes calldata extraData)
        external
        payable
        onlyOtherBridge
    {
        if (msg.value != amount) revert ValueMismatch(msg.value, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert EthTransferFailed();
        emit ETHBridgeFinalized(from, to, amount, extraData);
    }

    /// @inheritdoc IStandardBridge
    /// @dev A pair that is not valid here is sent back to `from` rather than reverting, since
    ///      a revert would leave the tokens taken on the other side for good.
    function finalizeBridgeERC20(
        address localToken,
        address remoteToken,
        address from,
        address to,
        uint256 amount,
        bytes calldata extraData
    ) external onlyOtherBridge {
        if (!_isValidPair(localToken, remoteToken)) {
            emit ERC20BridgeBounced(localToken, remoteToken, from, amount);
            _sendToOtherBridge(
                abi.encodeCall(
                    IStandardBridge.finalizeBridgeERC20,
                    (remoteToken, localToken, to, from, amount, extraData)
                ),
                0,
                BOUNCE_GAS_LIMIT
            );
            return;
        }
        _giveTokens(localToken, remoteToken, to, amount);
        emit ERC20BridgeFinalized(localToken, remoteToken, from, to, amount, extraData);
    }
}
