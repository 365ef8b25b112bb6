// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {StateCommitmentChain} from "../L1/StateCommitmentChain.sol";
import {MIPS} from "../mips/MIPS.sol";
import {PreimageOracle} from "../mips/PreimageOracle.sol";

/// @title FaultDisputeGame
/// @notice One dispute over SCC element n (SPEC §11): a bisection game over the fault-proof
///         program's execution trace, ended at maximum depth by one MIPS step.
/// @dev Positions are generalized indices: the root is 1, depth(p) = floor(log2 p), and a
///      claim at position p commits to the state at trace index ((p - 2^d) + 1)·2^(D - d) - 1
///      (the last leaf under it). A move against a claim at p lands at (p | !isAttack) << 1:
///      an attack at the midpoint left of the disputed claim, a defence at the midpoint right of
///      it. Every claim but the root sits at an even position. The game is created by the
///      DisputeGameFactory, which checked the SCC inputs and registered it with the SCC.
contract FaultDisputeGame {
    /// @notice Game status.
    enum Status {
        IN_PROGRESS,
        CHALLENGER_WINS,
        DEFENDER_WINS
    }

    /// @notice A claim and its place in the game.
    struct ClaimData {
        uint256 parentIndex; // type(uint256).max for the root
        address counteredBy; // who countered it by a step, or (after resolution) by a standing child
        address claimant;
        uint256 bond;
        bytes32 claim;
        uint256 position;
        uint256 clockDuration; // time the claimant's side had used on this path when it moved
        uint256 clockTimestamp;
    }

    /// @notice Everything the factory fixes at creation.
    struct Params {
        StateCommitmentChain scc;
        MIPS vm;
        PreimageOracle oracle;
        bytes32 absolutePrestate;
        uint256 maxGameDepth;
        uint256 maxClockDuration;
        uint256 clockExtension;
        uint256 baseMoveBond;
        uint256 l2ChainId;
        bytes32 consensusConfigHash;
        uint256 l2BlockNumber; // n, the disputed element
        bytes32 startingOutputRoot; // element n - 1
        bytes32 disputedOutputRoot; // element n
        uint256 l1HeadNumber;
        bytes32 l1HeadHash;
        StateCommitmentChain.BatchHeader header; // the batch holding element n
        address challenger;
        bytes32 rootClaim;
    }

    uint256 internal constant NO_PARENT = type(uint256).max;
    /// @notice The localContext the game passes to MIPS.step and the oracle: local keys are
    ///         already unique per game, since the oracle and MIPS localize them to the game's
    ///         address.
    bytes32 public constant LOCAL_CONTEXT = bytes32(0);

    StateCommitmentChain public immutable scc;
    MIPS public immutable vm;
    PreimageOracle public immutable oracle;
    bytes32 public immutable absolutePrestate;
    uint256 public immutable maxGameDepth;
    uint256 public immutable maxClockDuration;
    uint256 public immutable clockExtension;
    uint256 public immutable baseMoveBond;
    uint256 public immutable l2ChainId;
    bytes32 public immutable consensusConfigHash;
    uint256 public immutable l2BlockNumber;
    bytes32 public immutable startingOutputRoot;
    bytes32 public immutable disputedOutputRoot;
    uint256 public immutable l1HeadNumber;
    bytes32 public immutable l1HeadHash;
    uint256 public immutable createdAt;

    /// @notice The SCC batch header the game disputes (its hash is what the SCC registered).
    StateCommitmentChain.BatchHeader internal _header;
    ClaimData[] public claimData;
    mapping(bytes32 => bool) public claimExists;
    mapping(uint256 => uint256[]) internal _children;
    mapping(uint256 => bool) public resolvedSubgames;
    /// @notice Resolution progress of a claim with many children: next child, standing counter.
    mapping(uint256 => uint256) public resolveCursor;
    mapping(uint256 => uint256) public leftmostCounter; // child index + 1, 0 = none yet
    /// @notice Wei each address can claim with `claimCredit`.
    mapping(address => uint256) public credit;
    Status public status;
    /// @notice Whether the SCC deleted the disputed batch when the challenger won.
    bool public batchDeleted;

    event Move(uint256 indexed parentIndex, bytes32 indexed claim, address indexed claimant);
    event Resolved(Status status);

    error GameNotInProgress();
    error OnlyFactory();
    error CannotDefendRoot();
    error GameDepthExceeded();
    error ClaimAlreadyExists();
    error ParentClaimMismatch(uint256 parentIndex, bytes32 onChain);
    error ClockTimeExceeded();
    error IncorrectBond(uint256 sent, uint256 required);
    error NotAtMaxDepth();
    error InvalidPrestate();
    error ValidStep();
    error AlreadyCountered();
    error ClockNotExpired();
    error ClaimAlreadyResolved();
    error OutOfOrderResolution();
    error RootNotResolved();
    error UnknownLocalData(uint256 ident);
    error NoCredit();
    error EthTransferFailed();

    /// @dev Called by the factory, with the challenger's bond as `msg.value`.
    constructor(Params memory p) payable {
        scc = p.scc;
        vm = p.vm;
        oracle = p.oracle;
        absolutePrestate = p.absolutePrestate;
        maxGameDepth = p.maxGameDepth;
        maxClockDuration = p.maxClockDuration;
        clockExtension = p.clockExtension;
        baseMoveBond = p.baseMoveBond;
        l2ChainId = p.l2ChainId;
        consensusConfigHash = p.consensusConfigHash;
        l2BlockNumber = p.l2BlockNumber;
        startingOutputRoot = p.startingOutputRoot;
        disputedOutputRoot = p.disputedOutputRoot;
        l1HeadNumber = p.l1HeadNumber;
        l1HeadHash = p.l1HeadHash;
        createdAt = block.timestamp;
        _header = p.header;
        claimData.push(
            ClaimData({
                parentIndex: NO_PARENT,
                counteredBy: address(0),
                claimant: p.challenger,
                bond: msg.value,
                claim: p.rootClaim,
                position: 1,
                clockDuration: 0,
                clockTimestamp: block.timestamp
            })
        );
        claimExists[keccak256(abi.encode(p.rootClaim, uint256(1), NO_PARENT))] = true;
    }

    // ---------------------------------------------------------------- positions

    /// @notice depth(p) = floor(log2 p).
    function depthOf(uint256 position) public pure returns (uint256 d) {
        while (position > 1) {
            position >>= 1;
            d++;
        }
    }

    /// @notice The trace index a claim at `position` commits to.
    function traceIndexOf(uint256 position) public view returns (uint256) {
        uint256 d = depthOf(position);
        return ((position - (uint256(1) << d) + 1) << (maxGameDepth - d)) - 1;
    }

    /// @notice The bond a move to depth `depth` must carry: baseMoveBond · (1 + depth).
    function moveBond(uint256 depth) public view returns (uint256) {
        return baseMoveBond * (1 + depth);
    }

    /// @notice Time the side that would counter claim `index` has used on its path.
    function challengerDuration(uint256 index) public view returns (uint256) {
        ClaimData storage c = claimData[index];
        uint256 parentDuration = c.parentIndex == NO_PARENT ? 0 : claimData[c.parentIndex].clockDuration;
        uint256 used = parentDuration + (block.timestamp - c.clockTimestamp);
        return used > maxClockDuration ? maxClockDuration : used;
    }

    // ---------------------------------------------------------------- moves

    /// @notice Counter claim `parentIndex`, whose value the mover saw as `parentClaim`, with
    ///         `claim`, the state hash at the midpoint left (attack) or right (defence) of it.
    ///         Carries `moveBond(depth)`. Naming the disputed value means a move never lands on
    ///         a claim its sender did not see (SPEC §11).
    function move(uint256 parentIndex, bytes32 parentClaim, bytes32 claim, bool isAttack) external payable {
        if (status != Status.IN_PROGRESS) revert GameNotInProgress();
        ClaimData storage parent = claimData[parentIndex];
        if (parent.claim != parentClaim) revert ParentClaimMismatch(parentIndex, parent.claim);
        if (!isAttack && parent.position == 1) revert CannotDefendRoot();
        uint256 position = (parent.position | (isAttack ? 0 : 1)) << 1;
        uint256 depth = depthOf(position);
        if (depth > maxGameDepth) revert GameDepthExceeded();
        uint256 duration = challengerDuration(parentIndex);
        if (duration >= maxClockDuration) revert ClockTimeExceeded();
        // A move late in the clock leaves the other side at least `clockExtension` to answer.
        if (duration > maxClockDuration - clockExtension) duration = maxClockDuration - clockExtension;
        uint256 required = moveBond(depth);
        if (msg.value != required) revert IncorrectBond(msg.value, required);
        bytes32 id = keccak256(abi.encode(claim, position, parentIndex));
        if (claimExists[id]) revert ClaimAlreadyExists();
        claimExists[id] = true;
        claimData.push(
            ClaimData({
                parentIndex: parentIndex,
                counteredBy: address(0),
                claimant: msg.sender,
                bond: msg.value,
                claim: claim,
                position: position,
                clockDuration: duration,
                clockTimestamp: block.timestamp
            })
        );
        _children[parentIndex].push(claimData.length - 1);
        emit Move(parentIndex, claim, msg.sender);
    }

    /// @notice Counter the max-depth claim `parentIndex` by running one MIPS step from the agreed
    ///         pre-state `stateData` (attack: the state before the claim; defence: the claim
    ///         itself) and showing the result contradicts the claim's side.
    function step(uint256 parentIndex, bool isAttack, bytes calldata stateData, bytes calldata proof)
        external
    {
        if (status != Status.IN_PROGRESS) revert GameNotInProgress();
        ClaimData storage parent = claimData[parentIndex];
        if (depthOf(parent.position) != maxGameDepth) revert NotAtMaxDepth();
        if (parent.counteredBy != address(0)) revert AlreadyCountered();
        if (challengerDuration(parentIndex) >= maxClockDuration) revert ClockTimeExceeded();
        bytes32 preState;
        ClaimData storage postState;
        if (isAttack) {
            uint256 index = parent.position - (uint256(1) << maxGameDepth);
            preState = index == 0 ? absolutePrestate : _traceAncestor(parent.position - 1, parentIndex).claim;
            postState = parent;
        } else {
            preState = parent.claim;
            postState = _traceAncestor(parent.position + 1, parentIndex);
        }
        // The status byte is not part of the witness hash.
        if (uint248(uint256(keccak256(stateData))) != uint248(uint256(preState))) revert InvalidPrestate();
        bool validStep = vm.step(stateData, proof, LOCAL_CONTEXT) == postState.claim;
        bool parentPostAgree = (depthOf(parent.position) - depthOf(postState.position)) % 2 == 0;
        if (parentPostAgree == validStep) revert ValidStep();
        parent.counteredBy = msg.sender;
    }

    /// @dev The claim on the path above `start` (inclusive) that commits to the same trace index
    ///      as `position`: the position with its trailing one bits removed.
    function _traceAncestor(uint256 position, uint256 start) internal view returns (ClaimData storage c) {
        while (position & 1 == 1 && position > 1) position >>= 1;
        c = claimData[start];
        while (c.position != position) c = claimData[c.parentIndex];
    }

    /// @notice Load local input `ident` (SPEC §9) into the preimage oracle for this game's steps.
    function addLocalData(uint256 ident, uint256 partOffset) external {
        bytes32 word;
        uint256 size = 32;
        if (ident == 1) word = l1HeadHash;
        else if (ident == 2) word = startingOutputRoot;
        else if (ident == 3) word = disputedOutputRoot;
        else if (ident == 4) (word, size) = (bytes32(l2BlockNumber << 192), 8);
        else if (ident == 5) (word, size) = (bytes32(l2ChainId << 192), 8);
        else if (ident == 6) word = consensusConfigHash;
        else revert UnknownLocalData(ident);
        oracle.loadLocalData(ident, LOCAL_CONTEXT, word, size, partOffset);
    }

    // ---------------------------------------------------------------- resolution

    /// @notice Resolve the subgame of claim `index` once its challenge clock ran out and every
    ///         child is resolved; `maxChildren` bounds the work of one call (0 = all). A claim
    ///         stands if no child stands; its bond goes to the leftmost standing child's claimant
    ///         (or the stepper), else back to its claimant.
    function resolveClaim(uint256 index, uint256 maxChildren) external {
        if (status != Status.IN_PROGRESS) revert GameNotInProgress();
        if (resolvedSubgames[index]) revert ClaimAlreadyResolved();
        if (challengerDuration(index) < maxClockDuration) revert ClockNotExpired();
        ClaimData storage subject = claimData[index];
        uint256[] storage counters = _children[index];
        uint256 cursor = resolveCursor[index];
        uint256 end = maxChildren == 0 || cursor + maxChildren > counters.length
            ? counters.length
            : cursor + maxChildren;
        uint256 best = leftmostCounter[index];
        for (; cursor < end; cursor++) {
            uint256 child = counters[cursor];
            if (!resolvedSubgames[child]) revert OutOfOrderResolution();
            if (claimData[child].counteredBy != address(0)) continue;
            if (best == 0 || traceIndexOf(claimData[child].position) < traceIndexOf(claimData[best - 1].position)) {
                best = child + 1;
            }
        }
        resolveCursor[index] = cursor;
        leftmostCounter[index] = best;
        if (cursor < counters.length) return;
        if (best != 0) subject.counteredBy = claimData[best - 1].claimant;
        address recipient = subject.counteredBy == address(0) ? subject.claimant : subject.counteredBy;
        // A game whose batch another game already deleted refunds its challenger (SPEC §4).
        if (index == 0 && !scc.isCurrentHeader(_header)) recipient = subject.claimant;
        credit[recipient] += subject.bond;
        resolvedSubgames[index] = true;
    }

    /// @notice End the game once the root's subgame is resolved. Root standing: the challenger
    ///         wins and the SCC deletes the batch (if its header still exists) and slashes the
    ///         proposer, the reward going to the challenger; root countered: the SCC releases the
    ///         batch.
    function resolve() external returns (Status) {
        if (status != Status.IN_PROGRESS) revert GameNotInProgress();
        if (!resolvedSubgames[0]) revert RootNotResolved();
        ClaimData storage root = claimData[0];
        if (root.counteredBy == address(0)) {
            status = Status.CHALLENGER_WINS;
            uint256 balanceBefore = address(this).balance;
            batchDeleted = scc.deleteStateBatch(_header);
            credit[root.claimant] += address(this).balance - balanceBefore;
        } else {
            status = Status.DEFENDER_WINS;
            scc.closeGame();
        }
        emit Resolved(status);
        return status;
    }

    /// @notice Pay out the caller's credit.
    function claimCredit(address recipient) external {
        uint256 amount = credit[recipient];
        if (amount == 0) revert NoCredit();
        credit[recipient] = 0;
        (bool ok,) = recipient.call{value: amount}("");
        if (!ok) revert EthTransferFailed();
    }

    /// @notice The slash reward from the BondManager.
    receive() external payable {}

    // ---------------------------------------------------------------- reading

    /// @notice Number of claims.
    function claimDataLen() external view returns (uint256) {
        return claimData.length;
    }

    /// @notice The disputed batch header.
    function header() external view returns (StateCommitmentChain.BatchHeader memory) {
        return _header;
    }

    /// @notice Indices of the claims that counter claim `index`.
    function children(uint256 index) external view returns (uint256[] memory) {
        return _children[index];
    }
}
