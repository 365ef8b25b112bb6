// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BondManager} from "../L1/BondManager.sol";
import {StateCommitmentChain} from "../L1/StateCommitmentChain.sol";
import {MIPS} from "../mips/MIPS.sol";
import {PreimageOracle} from "../mips/PreimageOracle.sol";
import {FaultDisputeGame} from "./FaultDisputeGame.sol";

/// @title DisputeGameFactory
/// @notice Creates FaultDisputeGames against SCC elements (SPEC §11) and registers them with the
///         SCC, which only accepts games from this factory. It checks what the game then takes
///         as given: the SCC headers and inclusion proofs of elements n - 1 and n, the L1 head,
///         the root claim's status and the challenger's bond.
contract DisputeGameFactory {
    /// @notice Where an SCC element sits.
    struct Element {
        bytes32 outputRoot;
        StateCommitmentChain.BatchHeader header;
        bytes32[] siblings;
    }

    /// @notice Parameters of every game (constructor arguments, from the rollup config).
    struct Config {
        StateCommitmentChain scc;
        BondManager bondManager;
        MIPS vm;
        PreimageOracle oracle;
        bytes32 absolutePrestate;
        uint256 maxGameDepth;
        uint256 maxClockDuration;
        uint256 clockExtension;
        uint256 baseMoveBond;
        uint256 l2ChainId;
        bytes32 consensusConfigHash;
    }

    StateCommitmentChain public immutable scc;
    BondManager public immutable bondManager;
    MIPS public immutable vm;
    PreimageOracle public immutable oracle;
    bytes32 public immutable absolutePrestate;
    uint256 public immutable maxGameDepth;
    uint256 public immutable maxClockDuration;
    uint256 public immutable clockExtension;
    uint256 public immutable baseMoveBond;
    uint256 public immutable l2ChainId;
    bytes32 public immutable consensusConfigHash;

    /// @notice Every game created, in order.
    FaultDisputeGame[] public games;
    /// @notice The game for keccak(abi.encode(headerHash, n, rootClaim, l1HeadNumber)).
    mapping(bytes32 => FaultDisputeGame) public gameFor;

    event GameCreated(
        FaultDisputeGame indexed game,
        uint256 indexed l2BlockNumber,
        bytes32 rootClaim,
        uint256 l1HeadNumber,
        address challenger
    );

    error GenesisNotDisputable();
    error InvalidElement(uint256 element);
    error InvalidL1Head(uint256 l1HeadNumber);
    error L1HeadHashMismatch(uint256 l1HeadNumber, bytes32 expected, bytes32 actual);
    error InvalidRootClaimStatus(uint8 status);
    error InsufficientBond(uint256 sent, uint256 required);
    error GameExists(FaultDisputeGame game);

    constructor(Config memory c) {
        scc = c.scc;
        bondManager = c.bondManager;
        vm = c.vm;
        oracle = c.oracle;
        absolutePrestate = c.absolutePrestate;
        maxGameDepth = c.maxGameDepth;
        maxClockDuration = c.maxClockDuration;
        clockExtension = c.clockExtension;
        baseMoveBond = c.baseMoveBond;
        l2ChainId = c.l2ChainId;
        consensusConfigHash = c.consensusConfigHash;
    }

    /// @notice Dispute SCC element `n` (whose predecessor is taken as agreed) with `rootClaim`, the
    ///         final state hash of the program run the challenger asserts (status 1, 2 or 3),
    ///         computed at L1 block `l1HeadNumber` whose hash the challenger saw as `l1HeadHash`
    ///         (so an L1 reorg between computing the claim and this transaction landing makes
    ///         creation revert instead of binding the claim to another L1 chain).
    ///         `msg.value` is the challenger's bond, at least the BondManager's `requiredBond`.
    function create(
        uint256 n,
        Element calldata agreed,
        Element calldata disputed,
        uint256 l1HeadNumber,
        bytes32 l1HeadHash,
        bytes32 rootClaim
    ) external payable returns (FaultDisputeGame game) {
        // Element 0 is the genesis root set at deployment: it has no predecessor to agree on.
        if (n == 0) revert GenesisNotDisputable();
        if (!scc.verifyStateCommitment(agreed.outputRoot, n - 1, agreed.header, agreed.siblings)) {
            revert InvalidElement(n - 1);
        }
        if (!scc.verifyStateCommitment(disputed.outputRoot, n, disputed.header, disputed.siblings)) {
            revert InvalidElement(n);
        }
        bytes32 actualHeadHash = blockhash(l1HeadNumber);
        (, uint256 batchL1Block,,) = abi.decode(disputed.header.extraData, (uint256, uint256, address, uint256));
        if (actualHeadHash == bytes32(0) || l1HeadNumber < batchL1Block) revert InvalidL1Head(l1HeadNumber);
        if (actualHeadHash != l1HeadHash) revert L1HeadHashMismatch(l1HeadNumber, l1HeadHash, actualHeadHash);
        uint8 rootStatus = uint8(rootClaim[0]);
        if (rootStatus == 0 || rootStatus > 3) revert InvalidRootClaimStatus(rootStatus);
        uint256 required = bondManager.requiredBond();
        if (msg.value < required) revert InsufficientBond(msg.value, required);
        bytes32 id = keccak256(abi.encode(scc.hashHeader(disputed.header), n, rootClaim, l1HeadNumber));
        if (address(gameFor[id]) != address(0)) revert GameExists(gameFor[id]);

        game = new FaultDisputeGame{value: msg.value}(
            FaultDisputeGame.Params({
                scc: scc,
                vm: vm,
                oracle: oracle,
                absolutePrestate: absolutePrestate,
                maxGameDepth: maxGameDepth,
                maxClockDuration: maxClockDuration,
                clockExtension: clockExtension,
                baseMoveBond: baseMoveBond,
                l2ChainId: l2ChainId,
                consensusConfigHash: consensusConfigHash,
                l2BlockNumber: n,
                l1HeadNumber: l1HeadNumber,
                startingOutputRoot: agreed.outputRoot,
                disputedOutputRoot: disputed.outputRoot,
                l1HeadHash: l1HeadHash,
                header: disputed.header,
                challenger: msg.sender,
                rootClaim: rootClaim
            })
        );
        gameFor[id] = game;
        games.push(game);
        // Reverts once the batch's fraud-proof window has closed.
        scc.registerGame(address(game), disputed.header);
        emit GameCreated(game, n, rootClaim, l1HeadNumber, msg.sender);
    }

    /// @notice Number of games created.
    function gameCount() external view returns (uint256) {
        return games.length;
    }
}
