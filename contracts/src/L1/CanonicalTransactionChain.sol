// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AddressAliasing} from "../libraries/AddressAliasing.sol";
import {GasBurner} from "../libraries/GasBurner.sol";

/// @title CanonicalTransactionChain
/// @notice The L2 chain's input log on L1 (SPEC §4): the deposit queue, fed by `enqueue`, and the
///         sequencer's batches, each naming how many L2 blocks it holds and which queue elements
///         they consume. Derivation (SPEC §6) is a pure function of this contract's storage and
///         the batch data in its events.
/// @dev The storage layout is part of the protocol: the fault-proof program reads it through
///      L1 storage proofs. Every value sits in a full slot (docs/protocol.md lists the slots):
///        slot 0 `queue` (bytes32[]), slot 1 `queueL1Block` (uint256[]),
///        slot 2 `queueGasPrefix` (uint256[], one longer than `queue`, [0] = 0),
///        slot 3 `batches` (Batch[], 8 slots per batch), slot 4 `totalBlocks`,
///        slot 5 `nextQueueIndex`, slot 6 `bucketGas`, slot 7 `bucketTimestamp`.
///      Parameters are consensus config and are immutables, not storage.
contract CanonicalTransactionChain {
    /// @notice A sequencer or forced batch. Every field fills a whole slot.
    struct Batch {
        bytes32 batchDataHash; // keccak(batchData); zero for a forced batch (it has no data)
        uint256 prevTotalBlocks;
        uint256 numBlocks;
        uint256 prevQueueIndex;
        uint256 queueIndexAfter;
        uint256 l1BlockNumber;
        bytes32 l1ParentHash; // blockhash(l1BlockNumber - 1)
        bool forced;
    }

    /// @notice Constructor arguments: the consensus parameters of SPEC §2.
    struct Config {
        address sequencer;
        uint64 l2GenesisTimestamp;
        uint64 l2BlockTime; // T
        uint64 maxSequencerDrift;
        uint64 forceInclusionBlocks; // F
        uint64 depositGasPerBlock; // D
        uint64 maxDepositGas; // M
        uint64 maxDepositData;
        uint64 maxBatchBytes;
        uint64 maxBlocksPerBatch;
        address withdrawalFinalizer; // may take ETH held for deposits out (the L1 messenger)
    }

    /// @notice Divisor of the deposit gas limit that gives the L1 gas `enqueue` burns.
    uint256 public constant L2_GAS_DISCOUNT_DIVISOR = 32;

    bytes32[] public queue;
    uint256[] public queueL1Block;
    uint256[] public queueGasPrefix;
    Batch[] internal _batches;
    uint256 public totalBlocks;
    uint256 public nextQueueIndex;
    uint256 public bucketGas;
    uint256 public bucketTimestamp;

    address public immutable sequencer;
    uint256 public immutable l2GenesisTimestamp;
    uint256 public immutable l2BlockTime;
    uint256 public immutable maxSequencerDrift;
    uint256 public immutable forceInclusionBlocks;
    uint256 public immutable depositGasPerBlock;
    uint256 public immutable maxDepositGas;
    uint256 public immutable maxDepositData;
    uint256 public immutable maxBatchBytes;
    uint256 public immutable maxBlocksPerBatch;
    address public immutable withdrawalFinalizer;

    /// @notice One deposit, with every field of its queue element hash preimage.
    event TransactionEnqueued(
        uint256 indexed queueIndex,
        address indexed from,
        address indexed to,
        uint256 mint,
        uint64 gasLimit,
        bool isCreation,
        bytes data,
        uint256 l1BlockNumber,
        uint256 l1Timestamp
    );

    /// @notice One batch; `batchData` is the batch's bytes (empty for a forced batch).
    event BatchAppended(
        uint256 indexed batchIndex,
        bytes32 batchDataHash,
        uint256 prevTotalBlocks,
        uint256 numBlocks,
        uint256 prevQueueIndex,
        uint256 queueIndexAfter,
        bytes32 l1ParentHash,
        bool forced,
        bytes batchData
    );

    error InvalidConfig(string reason);
    error GasLimitBelowIntrinsicGas(uint256 gasLimit, uint256 intrinsicGas);
    error GasLimitAboveMaxDepositGas(uint256 gasLimit, uint256 maxDepositGas);
    error DepositDataTooLarge(uint256 length, uint256 maxDepositData);
    error CreationWithTarget(address to);
    error EnqueueGasBucketEmpty(uint256 available, uint256 gasLimit);
    error OnlySequencer(address caller);
    error UnexpectedPrevTotalBlocks(uint256 expected, uint256 actual);
    error UnexpectedPrevQueueIndex(uint256 expected, uint256 actual);
    error BatchTooLate(uint256 maxL1Block, uint256 blockNumber);
    error InvalidNumBlocks(uint256 numBlocks);
    error BatchDataTooLarge(uint256 length, uint256 maxBatchBytes);
    error AheadOfL1Time(uint256 l2Timestamp, uint256 limit);
    error InvalidQueueIndexAfter(uint256 queueIndexAfter);
    error DepositFromCurrentL1Block(uint256 queueIndex);
    error OverdueDepositNotConsumed(uint256 queueIndex);
    error TooMuchDepositGas(uint256 gas, uint256 limit);
    error NothingToForce();
    error OnlyWithdrawalFinalizer(address caller);
    error EthTransferFailed();

    /// @param config the consensus parameters; checked as the node checks them at start-up.
    constructor(Config memory config) {
        if (config.l2BlockTime == 0) revert InvalidConfig("l2BlockTime must be >= 1");
        if (config.maxDepositGas >= config.depositGasPerBlock) {
            revert InvalidConfig("maxDepositGas must be < depositGasPerBlock");
        }
        if (config.maxBlocksPerBatch == 0) revert InvalidConfig("maxBlocksPerBatch must be >= 1");
        sequencer = config.sequencer;
        l2GenesisTimestamp = config.l2GenesisTimestamp;
        l2BlockTime = config.l2BlockTime;
        maxSequencerDrift = config.maxSequencerDrift;
        forceInclusionBlocks = config.forceInclusionBlocks;
        depositGasPerBlock = config.depositGasPerBlock;
        maxDepositGas = config.maxDepositGas;
        maxDepositData = config.maxDepositData;
        maxBatchBytes = config.maxBatchBytes;
        maxBlocksPerBatch = config.maxBlocksPerBatch;
        withdrawalFinalizer = config.withdrawalFinalizer;
        queueGasPrefix.push(0);
        bucketGas = config.depositGasPerBlock - config.maxDepositGas;
        bucketTimestamp = block.timestamp;
    }

    // ---------------------------------------------------------------- deposits

    /// @notice Queue a deposit to L2 (SPEC §4). `msg.value` is minted to the sender on L2 and
    ///         sent as the deposit's value. A contract sender is aliased.
    function enqueue(address to, uint64 gasLimit, bool isCreation, bytes calldata data)
        external
        payable
    {
        if (data.length > maxDepositData) revert DepositDataTooLarge(data.length, maxDepositData);
        if (isCreation && to != address(0)) revert CreationWithTarget(to);
        uint256 intrinsic = intrinsicGas(data, isCreation);
        if (gasLimit < intrinsic) revert GasLimitBelowIntrinsicGas(gasLimit, intrinsic);
        if (gasLimit > maxDepositGas) revert GasLimitAboveMaxDepositGas(gasLimit, maxDepositGas);
        uint256 available = enqueueGasAvailable();
        if (available < gasLimit) revert EnqueueGasBucketEmpty(available, gasLimit);
        bucketGas = available - gasLimit;
        bucketTimestamp = block.timestamp;

        GasBurner.burn(gasLimit / L2_GAS_DISCOUNT_DIVISOR);

        address from = msg.sender;
        if (msg.sender != tx.origin) from = AddressAliasing.applyL1ToL2Alias(msg.sender);
        uint256 index = queue.length;
        queue.push(
            keccak256(
                abi.encode(
                    from, to, msg.value, gasLimit, isCreation, data, block.number, block.timestamp
                )
            )
        );
        queueL1Block.push(block.number);
        queueGasPrefix.push(queueGasPrefix[index] + gasLimit);
        emit TransactionEnqueued(
            index, from, to, msg.value, gasLimit, isCreation, data, block.number, block.timestamp
        );
    }

    /// @notice Cancun intrinsic gas of a deposit: 21,000, plus 32,000 and 2 per init-code word
    ///         for a creation, plus 4 per zero and 16 per non-zero byte of data.
    function intrinsicGas(bytes calldata data, bool isCreation) public pure returns (uint256) {
        uint256 gas = 21_000;
        if (isCreation) gas += 32_000 + 2 * ((data.length + 31) / 32);
        for (uint256 i = 0; i < data.length; i++) {
            gas += data[i] == 0 ? 4 : 16;
        }
        return gas;
    }

    /// @notice Gas the enqueue bucket holds now: it refills at (D - M) / T gas per second of L1
    ///         time (rounded down at each enqueue) and holds at most D - M.
    function enqueueGasAvailable() public view returns (uint256) {
        uint256 capacity = depositGasPerBlock - maxDepositGas;
        uint256 refill = (block.timestamp - bucketTimestamp) * capacity / l2BlockTime;
        uint256 gas = bucketGas + refill;
        return gas > capacity ? capacity : gas;
    }

    /// @notice Number of queue elements ever enqueued.
    function queueLength() external view returns (uint256) {
        return queue.length;
    }

    // ---------------------------------------------------------------- batches

    /// @notice Append the sequencer's batch of `numBlocks` L2 blocks consuming the queue up to
    ///         `queueIndexAfter` (exclusive). See SPEC §4 for every check.
    function appendSequencerBatch(
        bytes calldata batchData,
        uint64 numBlocks,
        uint64 queueIndexAfter,
        uint64 expectedPrevTotalBlocks,
        uint64 expectedPrevQueueIndex,
        uint64 maxL1Block
    ) external {
        if (msg.sender != sequencer) revert OnlySequencer(msg.sender);
        if (expectedPrevTotalBlocks != totalBlocks) {
            revert UnexpectedPrevTotalBlocks(expectedPrevTotalBlocks, totalBlocks);
        }
        if (expectedPrevQueueIndex != nextQueueIndex) {
            revert UnexpectedPrevQueueIndex(expectedPrevQueueIndex, nextQueueIndex);
        }
        if (block.number > maxL1Block) revert BatchTooLate(maxL1Block, block.number);
        if (numBlocks == 0 || numBlocks > maxBlocksPerBatch) revert InvalidNumBlocks(numBlocks);
        if (batchData.length > maxBatchBytes) {
            revert BatchDataTooLarge(batchData.length, maxBatchBytes);
        }
        _checkTimeBound(numBlocks);
        uint256 prevQueueIndex = nextQueueIndex;
        if (queueIndexAfter < prevQueueIndex || queueIndexAfter > queue.length) {
            revert InvalidQueueIndexAfter(queueIndexAfter);
        }
        // queueL1Block is non-decreasing, so checking the last consumed element covers all.
        if (queueIndexAfter > prevQueueIndex && queueL1Block[queueIndexAfter - 1] >= block.number) {
            revert DepositFromCurrentL1Block(queueIndexAfter - 1);
        }
        // Likewise the first unconsumed element is the oldest one.
        if (
            queueIndexAfter < queue.length
                && queueL1Block[queueIndexAfter] + forceInclusionBlocks <= block.number
        ) revert OverdueDepositNotConsumed(queueIndexAfter);
        uint256 gas = queueGasPrefix[queueIndexAfter] - queueGasPrefix[prevQueueIndex];
        uint256 gasLimit = numBlocks * (depositGasPerBlock - maxDepositGas);
        if (gas > gasLimit) revert TooMuchDepositGas(gas, gasLimit);
        _appendBatch(keccak256(batchData), numBlocks, queueIndexAfter, false, batchData);
    }

    /// @notice Anyone may force the oldest overdue deposits in (SPEC §4): appends a forced batch
    ///         of one L2 block with the unconsumed elements from earlier L1 blocks, in order, as
    ///         long as their gas fits in D.
    function forceInclude() external {
        uint256 first = nextQueueIndex;
        if (first >= queue.length || queueL1Block[first] + forceInclusionBlocks > block.number) {
            revert NothingToForce();
        }
        _checkTimeBound(1);
        uint256 last = first;
        uint256 base = queueGasPrefix[first];
        while (
            last < queue.length && queueL1Block[last] < block.number
                && queueGasPrefix[last + 1] - base <= depositGasPerBlock
        ) {
            last++;
        }
        _appendBatch(bytes32(0), 1, last, true, bytes(""));
    }

    function _checkTimeBound(uint256 numBlocks) internal view {
        uint256 l2Timestamp = l2GenesisTimestamp + (totalBlocks + numBlocks) * l2BlockTime;
        uint256 limit = block.timestamp + maxSequencerDrift;
        if (l2Timestamp > limit) revert AheadOfL1Time(l2Timestamp, limit);
    }

    function _appendBatch(
        bytes32 batchDataHash,
        uint256 numBlocks,
        uint256 queueIndexAfter,
        bool forced,
        bytes memory batchData
    ) internal {
        Batch memory batch = Batch({
            batchDataHash: batchDataHash,
            prevTotalBlocks: totalBlocks,
            numBlocks: numBlocks,
            prevQueueIndex: nextQueueIndex,
            queueIndexAfter: queueIndexAfter,
            l1BlockNumber: block.number,
            l1ParentHash: blockhash(block.number - 1),
            forced: forced
        });
        _batches.push(batch);
        totalBlocks = batch.prevTotalBlocks + numBlocks;
        nextQueueIndex = queueIndexAfter;
        emit BatchAppended(
            _batches.length - 1,
            batchDataHash,
            batch.prevTotalBlocks,
            numBlocks,
            batch.prevQueueIndex,
            queueIndexAfter,
            batch.l1ParentHash,
            forced,
            batchData
        );
    }

    /// @notice Batch `index`.
    function getBatch(uint256 index) external view returns (Batch memory) {
        return _batches[index];
    }

    /// @notice Number of batches appended.
    function totalBatches() external view returns (uint256) {
        return _batches.length;
    }

    /// @notice The totals in one call: L2 blocks, batches, queue elements, consumed elements.
    function getTotals()
        external
        view
        returns (uint256 blocks, uint256 batches, uint256 queued, uint256 consumed)
    {
        return (totalBlocks, _batches.length, queue.length, nextQueueIndex);
    }

    // ---------------------------------------------------------------- deposit ETH

    /// @notice Pay out ETH held for deposits, to finalize a withdrawal. Only the configured
    ///         withdrawal finalizer (the L1CrossDomainMessenger) may call.
    function releaseEth(address to, uint256 amount) external {
        if (msg.sender != withdrawalFinalizer) revert OnlyWithdrawalFinalizer(msg.sender);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert EthTransferFailed();
    }
}
