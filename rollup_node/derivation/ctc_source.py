"""Reading the CTC's logs: batches (``BatchAppended``) and queue elements
(``TransactionEnqueued``) of a range of L1 blocks, decoded into protocol records.

Batch data comes from the event (the CTC repeats its calldata there, so batches sent through a
contract are read the same way). A batch's ``l1BlockNumber`` is the block of its log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from eth_abi import decode as abi_decode
from eth_hash.auto import keccak
from web3 import AsyncWeb3

from rollup_node.derivation.errors import reading_l1
from rollup_node.protocol.derivation import CtcBatch, QueueElement

BATCH_APPENDED = keccak(
    b"BatchAppended(uint256,bytes32,uint256,uint256,uint256,uint256,bytes32,bool,bytes)"
)
TRANSACTION_ENQUEUED = keccak(
    b"TransactionEnqueued(uint256,address,address,uint256,uint64,bool,bytes,uint256,uint256)"
)


@dataclass(frozen=True, slots=True)
class CtcLogs:
    """What a range of L1 blocks added to the CTC, in log order."""

    batches: tuple[tuple[CtcBatch, bytes], ...]  # each with the hash of its L1 block
    queue: tuple[QueueElement, ...]


class CtcSource(Protocol):
    """The CTC's logs over a range of L1 blocks."""

    async def read(self, from_block: int, to_block: int) -> CtcLogs:
        """Batches and queue elements of L1 blocks ``from_block..to_block`` (inclusive)."""
        ...


def _word(topic: Any) -> bytes:  # noqa: ANN401 - web3 gives HexBytes or str
    return bytes.fromhex(topic[2:]) if isinstance(topic, str) else bytes(topic)


def decode_batch_log(log: Any) -> tuple[CtcBatch, bytes]:  # noqa: ANN401 - a web3 log
    """A ``BatchAppended`` log as a ``CtcBatch`` and its L1 block hash."""
    index = int.from_bytes(_word(log["topics"][1]), "big")
    (data_hash, prev_total, num, prev_queue, after, parent_hash, forced, batch_data) = abi_decode(
        ["bytes32", "uint256", "uint256", "uint256", "uint256", "bytes32", "bool", "bytes"],
        _word(log["data"]),
    )
    batch = CtcBatch(
        index=index,
        batch_data=batch_data,
        prev_total_blocks=prev_total,
        num_blocks=num,
        prev_queue_index=prev_queue,
        queue_index_after=after,
        l1_block_number=log["blockNumber"],
        l1_parent_hash=parent_hash,
        forced=forced,
    )
    return batch, _word(log["blockHash"])


def decode_enqueued_log(log: Any) -> QueueElement:  # noqa: ANN401 - a web3 log
    """A ``TransactionEnqueued`` log as a ``QueueElement``."""
    topics = [_word(t) for t in log["topics"]]
    mint, gas, is_creation, data, l1_block, l1_time = abi_decode(
        ["uint256", "uint64", "bool", "bytes", "uint256", "uint256"], _word(log["data"])
    )
    return QueueElement(
        index=int.from_bytes(topics[1], "big"),
        sender=topics[2][12:],
        to=topics[3][12:],
        mint_wei=mint,
        gas_limit=gas,
        is_creation=is_creation,
        data=data,
        l1_block_number=l1_block,
        l1_timestamp=l1_time,
    )


class Web3CtcSource:
    """A ``CtcSource`` over JSON-RPC ``eth_getLogs``."""

    def __init__(self, w3: AsyncWeb3, ctc_address: str) -> None:
        self.w3 = w3
        self.address = AsyncWeb3.to_checksum_address(ctc_address)

    async def read(self, from_block: int, to_block: int) -> CtcLogs:
        with reading_l1(f"eth_getLogs {from_block}..{to_block}"):
            logs = await self.w3.eth.get_logs(
                {
                    "address": self.address,
                    "fromBlock": from_block,
                    "toBlock": to_block,
                    "topics": [["0x" + BATCH_APPENDED.hex(), "0x" + TRANSACTION_ENQUEUED.hex()]],
                }
            )
        batches = []
        queue = []
        for log in logs:
            if log.get("removed"):
                continue
            topic = _word(log["topics"][0])
            if topic == BATCH_APPENDED:
                batches.append(decode_batch_log(log))
            elif topic == TRANSACTION_ENQUEUED:
                queue.append(decode_enqueued_log(log))
        return CtcLogs(tuple(batches), tuple(queue))
