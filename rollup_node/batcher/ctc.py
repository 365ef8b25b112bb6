"""The CTC calls the batcher makes: read the totals, append a batch, force inclusion."""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from web3 import AsyncWeb3

from rollup_node.l1.contract_io import selector

APPEND_SEQUENCER_BATCH = selector("appendSequencerBatch(bytes,uint64,uint64,uint64,uint64,uint64)")
FORCE_INCLUDE = selector("forceInclude()")
GET_TOTALS = selector("getTotals()")
#: Custom errors after which the batcher calls ``forceInclude`` (SPEC §4).
OVERDUE_DEPOSIT_NOT_CONSUMED = selector("OverdueDepositNotConsumed(uint256)")
TOO_MUCH_DEPOSIT_GAS = selector("TooMuchDepositGas(uint256,uint256)")


@dataclass(frozen=True, slots=True)
class CtcTotals:
    """``getTotals()``: L2 blocks, batches, queue length and the next unconsumed element."""

    total_blocks: int
    total_batches: int
    queue_length: int
    next_queue_index: int


async def read_totals(w3: AsyncWeb3, ctc: str, block: int | str = "latest") -> CtcTotals:
    """The CTC's totals at ``block``."""
    raw = await w3.eth.call({"to": ctc, "data": GET_TOTALS}, block)
    return CtcTotals(*abi_decode(["uint256"] * 4, bytes(raw)))


def append_calldata(
    batch_data: bytes,
    num_blocks: int,
    queue_index_after: int,
    prev_total_blocks: int,
    prev_queue_index: int,
    max_l1_block: int,
) -> bytes:
    """Calldata of ``appendSequencerBatch``."""
    return APPEND_SEQUENCER_BATCH + abi_encode(
        ["bytes", "uint64", "uint64", "uint64", "uint64", "uint64"],
        [
            batch_data,
            num_blocks,
            queue_index_after,
            prev_total_blocks,
            prev_queue_index,
            max_l1_block,
        ],
    )
