// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice What BondManager needs from the StateCommitmentChain.
interface IProposerBatches {
    /// @notice Whether `proposer` appended a batch that is not final yet.
    function hasPendingBatches(address proposer) external view returns (bool);
}

/// @title BondManager
/// @notice Proposer collateral (SPEC §4): a proposer may append output roots only while its
///         bond is at least `requiredBond`; the bond stays locked until its last batch is final,
///         and a lost dispute slashes all of it, half to the winning game and half burned.
/// @dev Storage: slot 0 `bonds` (mapping(address => uint256)), slot 1 `burned`.
contract BondManager {
    /// @notice Bond of each proposer, in wei.
    mapping(address => uint256) public bonds;

    /// @notice Slashed wei that nobody can take out any more.
    uint256 public burned;

    /// @notice Collateral a proposer needs to append output roots.
    uint256 public immutable requiredBond;

    /// @notice The StateCommitmentChain, the only contract that may slash.
    address public immutable stateCommitmentChain;

    event BondDeposited(address indexed proposer, uint256 amount, uint256 total);
    event BondWithdrawn(address indexed proposer, uint256 amount);
    event BondSlashed(address indexed proposer, address indexed recipient, uint256 reward, uint256 burned);

    error NoBond();
    error BondLocked();
    error OnlyStateCommitmentChain(address caller);
    error EthTransferFailed();

    constructor(uint256 requiredBond_, address stateCommitmentChain_) {
        requiredBond = requiredBond_;
        stateCommitmentChain = stateCommitmentChain_;
    }

    /// @notice Add `msg.value` to the caller's bond.
    function deposit() external payable {
        bonds[msg.sender] += msg.value;
        emit BondDeposited(msg.sender, msg.value, bonds[msg.sender]);
    }

    /// @notice Whether `proposer`'s bond covers `requiredBond`.
    function isCollateralized(address proposer) external view returns (bool) {
        return bonds[proposer] >= requiredBond;
    }

    /// @notice Take the whole bond out once every batch the caller appended is final.
    function withdraw() external {
        uint256 amount = bonds[msg.sender];
        if (amount == 0) revert NoBond();
        if (IProposerBatches(stateCommitmentChain).hasPendingBatches(msg.sender)) {
            revert BondLocked();
        }
        bonds[msg.sender] = 0;
        emit BondWithdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @notice Slash `proposer`'s whole bond after a lost dispute: half goes to `recipient`
    ///         (the winning game, which pays the challenger), half is burned.
    function slash(address proposer, address recipient) external returns (uint256 reward) {
        if (msg.sender != stateCommitmentChain) revert OnlyStateCommitmentChain(msg.sender);
        uint256 amount = bonds[proposer];
        bonds[proposer] = 0;
        reward = amount / 2;
        burned += amount - reward;
        emit BondSlashed(proposer, recipient, reward, amount - reward);
        _send(recipient, reward);
    }

    function _send(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert EthTransferFailed();
    }
}
