// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BatchMerkle} from "../libraries/BatchMerkle.sol";
import {BondManager} from "./BondManager.sol";

/// @notice What the StateCommitmentChain reads from the CanonicalTransactionChain.
interface IL2BlockCount {
    /// @notice L2 blocks appended to the CTC so far.
    function totalBlocks() external view returns (uint256);
}

/// @title StateCommitmentChain
/// @notice Append-only log of L2 output roots, element n being the output root of L2 block n
///         (SPEC §4). The bonded proposer appends batches; a dispute game the challenger won
///         deletes a batch and every later one; `finalizeBatch` makes batches final, in order,
///         once their fraud-proof window has passed with no open game against them.
/// @dev Storage: slot 0 `batchHeaderHashes` (bytes32[]), slot 1 `batchTimestamps` (uint256[]),
///      slot 2 `totalElements`, slot 3 `finalizedBatches`, slot 4 `appendCounter`,
///      slot 5 `openGames` (mapping(bytes32 header hash => uint256)),
///      slot 6 `gameHeader` (mapping(address game => bytes32 header hash, zero once closed)),
///      slot 7 `proposerBatchesEnd` (mapping(address => uint256): 1 + its last batch index).
contract StateCommitmentChain {
    /// @notice A batch header; its keccak(abi.encode(header)) is what the chain stores.
    struct BatchHeader {
        uint256 batchIndex;
        bytes32 batchRoot;
        uint256 batchSize;
        uint256 prevTotalElements;
        bytes extraData; // abi.encode(uint256 timestamp, uint256 l1BlockNumber, address proposer, uint256 appendCounter)
    }

    bytes32[] public batchHeaderHashes;
    uint256[] public batchTimestamps;
    uint256 public totalElements;
    uint256 public finalizedBatches;
    uint256 public appendCounter;
    mapping(bytes32 => uint256) public openGames;
    mapping(address => bytes32) public gameHeader;
    mapping(address => uint256) public proposerBatchesEnd;

    IL2BlockCount public immutable ctc;
    BondManager public immutable bondManager;
    address public immutable proposer;
    address public immutable disputeGameFactory;
    uint256 public immutable fraudProofWindow;

    event StateBatchAppended(
        uint256 indexed batchIndex,
        bytes32 batchRoot,
        uint256 batchSize,
        uint256 prevTotalElements,
        bytes extraData,
        bytes32[] outputRoots
    );
    event StateBatchDeleted(uint256 indexed batchIndex, bytes32 headerHash, address game);
    event StateBatchFinalized(uint256 indexed batchIndex);
    event GameRegistered(address indexed game, bytes32 indexed headerHash);
    event GameClosed(address indexed game, bytes32 indexed headerHash);

    error NotProposer(address caller);
    error NotCollateralized();
    error EmptyBatch();
    error UnexpectedStartElement(uint256 expected, uint256 actual);
    error BeyondL2Blocks(uint256 elements, uint256 l2Blocks);
    error OnlyDisputeGameFactory(address caller);
    error UnknownHeader();
    error WindowClosed();
    error GameAlreadyRegistered(address game);
    error NotAnOpenGame(address caller);
    error HeaderMismatch();
    error NothingToFinalize();
    error WindowNotPassed(uint256 endsAt);
    error BatchDisputed(uint256 openGames);

    /// @param genesisOutputRoot element 0, the genesis output root: it is final from the start.
    constructor(
        address ctc_,
        address bondManager_,
        address proposer_,
        address disputeGameFactory_,
        uint256 fraudProofWindow_,
        bytes32 genesisOutputRoot
    ) {
        ctc = IL2BlockCount(ctc_);
        bondManager = BondManager(bondManager_);
        proposer = proposer_;
        disputeGameFactory = disputeGameFactory_;
        fraudProofWindow = fraudProofWindow_;
        bytes32[] memory roots = new bytes32[](1);
        roots[0] = genesisOutputRoot;
        _append(roots, address(0));
        finalizedBatches = 1;
        emit StateBatchFinalized(0);
    }

    // ---------------------------------------------------------------- proposing

    /// @notice Append output roots for the next L2 blocks. Only the bonded proposer; the roots
    ///         may not pass the L2 blocks the CTC holds.
    function appendStateBatch(bytes32[] calldata outputRoots, uint256 shouldStartAtElement)
        external
    {
        if (msg.sender != proposer) revert NotProposer(msg.sender);
        if (!bondManager.isCollateralized(msg.sender)) revert NotCollateralized();
        if (outputRoots.length == 0) revert EmptyBatch();
        if (shouldStartAtElement != totalElements) {
            revert UnexpectedStartElement(totalElements, shouldStartAtElement);
        }
        // Element n is the root of L2 block n, and blocks 0 ... totalBlocks exist.
        uint256 elements = totalElements + outputRoots.length;
        uint256 l2Blocks = ctc.totalBlocks();
        if (elements > l2Blocks + 1) revert BeyondL2Blocks(elements, l2Blocks);
        _append(outputRoots, msg.sender);
    }

    function _append(bytes32[] memory outputRoots, address by) private {
        BatchHeader memory header = BatchHeader({
            batchIndex: batchHeaderHashes.length,
            batchRoot: BatchMerkle.root(_copy(outputRoots)),
            batchSize: outputRoots.length,
            prevTotalElements: totalElements,
            extraData: abi.encode(block.timestamp, block.number, by, appendCounter)
        });
        appendCounter += 1;
        batchHeaderHashes.push(hashHeader(header));
        batchTimestamps.push(block.timestamp);
        totalElements += outputRoots.length;
        proposerBatchesEnd[by] = header.batchIndex + 1;
        emit StateBatchAppended(
            header.batchIndex,
            header.batchRoot,
            header.batchSize,
            header.prevTotalElements,
            header.extraData,
            outputRoots
        );
    }

    function _copy(bytes32[] memory values) private pure returns (bytes32[] memory out) {
        out = new bytes32[](values.length);
        for (uint256 i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
    }

    // ---------------------------------------------------------------- disputes

    /// @notice Register a new game against the batch `header` (only the dispute game
    ///         factory, only while the batch's fraud-proof window is open). The game freezes the
    ///         batch, and through the order of finalization every later one, until it closes.
    function registerGame(address game, BatchHeader calldata header) external {
        if (msg.sender != disputeGameFactory) revert OnlyDisputeGameFactory(msg.sender);
        if (!isCurrentHeader(header)) revert UnknownHeader();
        if (block.timestamp >= batchTimestamps[header.batchIndex] + fraudProofWindow) {
            revert WindowClosed();
        }
        if (gameHeader[game] != bytes32(0)) revert GameAlreadyRegistered(game);
        bytes32 headerHash = hashHeader(header);
        gameHeader[game] = headerHash;
        openGames[headerHash] += 1;
        emit GameRegistered(game, headerHash);
    }

    /// @notice Called by a registered game the challenger won: deletes the batch `header` and
    ///         every later one and slashes its proposer's bond (the reward goes to the game).
    ///         If the header was already deleted nothing is deleted or slashed and it returns
    ///         false. Either way the game is closed.
    function deleteStateBatch(BatchHeader calldata header) external returns (bool deleted) {
        bytes32 headerHash = _closeGame();
        if (headerHash != hashHeader(header)) revert HeaderMismatch();
        if (!isCurrentHeader(header)) return false;
        // An open game keeps its batch from finalizing, so the batch cannot be final here.
        assert(header.batchIndex >= finalizedBatches);
        while (batchHeaderHashes.length > header.batchIndex) {
            batchHeaderHashes.pop();
            batchTimestamps.pop();
        }
        totalElements = header.prevTotalElements;
        emit StateBatchDeleted(header.batchIndex, headerHash, msg.sender);
        (,, address batchProposer,) = abi.decode(header.extraData, (uint256, uint256, address, uint256));
        bondManager.slash(batchProposer, msg.sender);
        return true;
    }

    /// @notice Called by a registered game the defender won (or that ends without deleting):
    ///         the game stops freezing its batch.
    function closeGame() external {
        _closeGame();
    }

    function _closeGame() private returns (bytes32 headerHash) {
        headerHash = gameHeader[msg.sender];
        if (headerHash == bytes32(0)) revert NotAnOpenGame(msg.sender);
        gameHeader[msg.sender] = bytes32(0);
        openGames[headerHash] -= 1;
        emit GameClosed(msg.sender, headerHash);
    }

    // ---------------------------------------------------------------- finality

    /// @notice Make the oldest non-final batch final: its window has passed and no open game is
    ///         registered against its current header. Permissionless, one batch per call.
    function finalizeBatch() external {
        uint256 index = finalizedBatches;
        if (index >= batchHeaderHashes.length) revert NothingToFinalize();
        uint256 endsAt = batchTimestamps[index] + fraudProofWindow;
        if (block.timestamp < endsAt) revert WindowNotPassed(endsAt);
        uint256 games = openGames[batchHeaderHashes[index]];
        if (games != 0) revert BatchDisputed(games);
        finalizedBatches = index + 1;
        emit StateBatchFinalized(index);
    }

    /// @notice Whether batch `batchIndex` is final.
    function isBatchFinal(uint256 batchIndex) public view returns (bool) {
        return batchIndex < finalizedBatches;
    }

    /// @notice Whether `proposer` appended a batch that is not final yet (its bond is locked).
    function hasPendingBatches(address proposer_) external view returns (bool) {
        uint256 end = proposerBatchesEnd[proposer_];
        uint256 total = batchHeaderHashes.length;
        return (end < total ? end : total) > finalizedBatches;
    }

    // ---------------------------------------------------------------- reading

    /// @notice keccak(abi.encode(header)).
    function hashHeader(BatchHeader memory header) public pure returns (bytes32) {
        return keccak256(abi.encode(header));
    }

    /// @notice Whether `header` is the stored header of its batch index.
    function isCurrentHeader(BatchHeader calldata header) public view returns (bool) {
        return header.batchIndex < batchHeaderHashes.length
            && batchHeaderHashes[header.batchIndex] == hashHeader(header);
    }

    /// @notice Whether `outputRoot` is element `element` of the chain, in the current batch
    ///         `header`, by a Merkle proof of exactly ceil(log2(batchSize)) siblings.
    function verifyStateCommitment(
        bytes32 outputRoot,
        uint256 element,
        BatchHeader calldata header,
        bytes32[] calldata siblings
    ) public view returns (bool) {
        if (!isCurrentHeader(header) || element < header.prevTotalElements) return false;
        return BatchMerkle.verify(
            outputRoot, element - header.prevTotalElements, header.batchSize, siblings, header.batchRoot
        );
    }

    /// @notice Number of batches (the genesis batch included).
    function totalBatches() external view returns (uint256) {
        return batchHeaderHashes.length;
    }
}
