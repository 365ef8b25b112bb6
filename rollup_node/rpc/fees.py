"""Fee figures the RPC serves: the next base fee and ``eth_feeHistory``.

Pure functions over block records and receipts. The base-fee rule is the chain's own
(``chain.next_base_fee``, py-evm's EIP-1559 update; SPEC §3.5); blob fees follow Cancun's
``fake_exponential`` although L2 blocks carry no blobs (their excess blob gas stays 0).
Rewards per percentile are weighted by gas used, exactly as geth computes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rollup_node.chain.chain import next_base_fee
from rollup_node.chain.records import BlockRecord, ReceiptRecord
from rollup_node.protocol.blob_fee import blob_base_fee  # re-exported for rpc/eth.py
from rollup_node.rpc.formatting import effective_priority_fee

TARGET_BLOB_GAS_PER_BLOCK = 393_216
MAX_BLOB_GAS_PER_BLOCK = 786_432


def next_excess_blob_gas(parent: BlockRecord) -> int:
    """The excess blob gas of the block after ``parent``."""
    total = parent.excess_blob_gas + parent.blob_gas_used
    return max(total - TARGET_BLOB_GAS_PER_BLOCK, 0)


def block_rewards(
    block: BlockRecord, receipts: Sequence[ReceiptRecord], percentiles: Sequence[float]
) -> list[int]:
    """The priority fee paid at each gas-weighted percentile of a block (geth's rule).

    Transactions are sorted by effective priority fee; the reward at percentile ``p`` is that
    of the first transaction at which the running sum of gas used reaches ``p``% of the
    block's gas used. An empty block rewards zero.
    """
    if not block.transactions:
        return [0] * len(percentiles)
    ordered = sorted(
        (
            (effective_priority_fee(tx, block.base_fee_per_gas), receipt.gas_used)
            for tx, receipt in zip(block.transactions, receipts, strict=True)
        ),
        key=lambda pair: pair[0],
    )
    rewards = []
    index = 0
    gas_sum = ordered[0][1]
    for percentile in percentiles:
        threshold = int(block.gas_used * percentile / 100)
        while gas_sum < threshold and index < len(ordered) - 1:
            index += 1
            gas_sum += ordered[index][1]
        rewards.append(ordered[index][0])
    return rewards


@dataclass(frozen=True, slots=True)
class FeeHistory:
    """``eth_feeHistory`` for blocks ``oldest_block..oldest_block + len(gas_used_ratio) - 1``.

    ``base_fees`` and ``blob_base_fees`` have one more entry than there are blocks: the fee of
    the block after the newest. ``rewards`` is empty when no percentiles were asked for.
    """

    oldest_block: int
    base_fees: tuple[int, ...]
    gas_used_ratio: tuple[float, ...]
    blob_base_fees: tuple[int, ...]
    blob_gas_used_ratio: tuple[float, ...]
    rewards: tuple[tuple[int, ...], ...]


def fee_history(
    blocks: Sequence[BlockRecord],
    receipts: Sequence[Sequence[ReceiptRecord]],
    percentiles: Sequence[float],
) -> FeeHistory:
    """The fee history of consecutive ``blocks`` (oldest first) with their receipts."""
    newest = blocks[-1]
    return FeeHistory(
        oldest_block=blocks[0].number,
        base_fees=tuple(b.base_fee_per_gas for b in blocks) + (next_base_fee(newest),),
        gas_used_ratio=tuple(b.gas_used / b.gas_limit if b.gas_limit else 0.0 for b in blocks),
        blob_base_fees=tuple(blob_base_fee(b.excess_blob_gas) for b in blocks)
        + (blob_base_fee(next_excess_blob_gas(newest)),),
        blob_gas_used_ratio=tuple(b.blob_gas_used / MAX_BLOB_GAS_PER_BLOCK for b in blocks),
        rewards=tuple(
            tuple(block_rewards(b, r, percentiles)) for b, r in zip(blocks, receipts, strict=True)
        )
        if percentiles
        else (),
    )
