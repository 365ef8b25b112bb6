// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MintableERC20
/// @notice An ERC20 token that one bridge mints and burns: the L2 representation of an L1 token
///         (`remoteToken`). Created by the MintableERC20Factory predeploy.
contract MintableERC20 {
    string public name;
    string public symbol;
    uint8 public immutable decimals;
    /// @notice The token on the other chain this one represents.
    address public immutable remoteToken;
    /// @notice The only address that may mint and burn.
    address public immutable bridge;

    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error OnlyBridge(address caller);
    error InsufficientBalance(uint256 balance, uint256 needed);
    error InsufficientAllowance(uint256 allowance, uint256 needed);

    constructor(
        address bridge_,
        address remoteToken_,
        string memory name_,
        string memory symbol_,
        uint8 decimals_
    ) {
        bridge = bridge_;
        remoteToken = remoteToken_;
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert InsufficientAllowance(allowed, value);
            allowance[from][msg.sender] = allowed - value;
        }
        _move(from, to, value);
        return true;
    }

    /// @notice Create `value` tokens for `to` (bridge only).
    function mint(address to, uint256 value) external {
        if (msg.sender != bridge) revert OnlyBridge(msg.sender);
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    /// @notice Destroy `value` of `from`'s tokens (bridge only).
    function burn(address from, uint256 value) external {
        if (msg.sender != bridge) revert OnlyBridge(msg.sender);
        uint256 balance = balanceOf[from];
        if (balance < value) revert InsufficientBalance(balance, value);
        balanceOf[from] = balance - value;
        totalSupply -= value;
        emit Transfer(from, address(0), value);
    }

    function _move(address from, address to, uint256 value) private {
        uint256 balance = balanceOf[from];
        if (balance < value) revert InsufficientBalance(balance, value);
        balanceOf[from] = balance - value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
