// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Predeploys} from "../libraries/Predeploys.sol";
import {MintableERC20} from "../universal/MintableERC20.sol";

/// @title MintableERC20Factory
/// @notice Predeploy at 0x4200...0012 that creates the L2 representation of an L1 token, minted
///         and burned by the L2StandardBridge. CREATE2 with salt keccak(abi.encode(remoteToken,
///         name, symbol, decimals)), so one (token, metadata) pair has one address.
/// @dev Placed by the genesis alloc: no constructor, no storage.
contract MintableERC20Factory {
    event MintableERC20Created(
        address indexed localToken, address indexed remoteToken, address deployer
    );

    error ZeroRemoteToken();

    /// @notice Create the L2 token for `remoteToken` (an L1 address).
    function createMintableERC20(
        address remoteToken,
        string calldata name,
        string calldata symbol,
        uint8 decimals
    ) external returns (address localToken) {
        if (remoteToken == address(0)) revert ZeroRemoteToken();
        bytes32 salt = keccak256(abi.encode(remoteToken, name, symbol, decimals));
        localToken = address(
            new MintableERC20{salt: salt}(
                Predeploys.L2_STANDARD_BRIDGE, remoteToken, name, symbol, decimals
            )
        );
        emit MintableERC20Created(localToken, remoteToken, msg.sender);
    }
}
