"""The sequencer's deposits from the CTC queue: order, the origin bound, the D − M budget, and
the next index read back from the chain (SPEC §4, §6.2)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rollup_node.chain.records import BlockRecord, TxRecord
from rollup_node.config import RollupConfig
from rollup_node.derivation.l1_traversal import L1Position, L1Traversal
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE
from rollup_node.protocol.derivation import QueueElement
from rollup_node.sequencer.ctc_deposits import CtcDeposits

CONFIG = RollupConfig()  # D = 20M, M = 5M: at most 15M of deposit gas per block
BLOCK = BlockRecord(
    hash=b"", number=0, parent_hash=b"", timestamp=0, coinbase=b"", state_root=b"",
    transactions_root=b"", receipts_root=b"", logs_bloom=b"", gas_limit=0, gas_used=0,
    base_fee_per_gas=0, extra_data=b"", mix_hash=b"", nonce=b"", difficulty=0,
    withdrawals_root=b"", blob_gas_used=0, excess_blob_gas=0, parent_beacon_block_root=b"",
    uncles_hash=b"", size=0, header_rlp=b"",
)  # fmt: skip
DEPOSIT = TxRecord(b"", DEPOSIT_TX_TYPE, b"", b"", None, 0, 0, 0, b"", None, None, None, None)


@dataclass
class FakeChain:
    blocks: list[BlockRecord] = field(default_factory=list)

    def head_number(self) -> int:
        return len(self.blocks)

    def block_by_number(self, number: int) -> BlockRecord | None:
        return self.blocks[number - 1] if 0 < number <= len(self.blocks) else None

    def add(self, deposits: list) -> None:  # noqa: ANN001 - DepositTx list
        txs = (DEPOSIT,) + tuple(replace(DEPOSIT, source_hash=d.source_hash) for d in deposits)
        number = len(self.blocks) + 1
        self.blocks.append(
            replace(BLOCK, number=number, hash=bytes([number]) * 32, transactions=txs)
        )


def element(index: int, l1_block: int, gas: int) -> QueueElement:
    return QueueElement(index, b"\x11" * 20, b"\x22" * 20, 1, gas, False, b"", l1_block, 0)


def source(elements: list[QueueElement]) -> tuple[CtcDeposits, FakeChain]:
    chain = FakeChain()
    traversal = L1Traversal(None, None, L1Position(0, b"\x00" * 32))  # type: ignore[arg-type]
    traversal.queue = {e.index: e for e in elements}
    deposits = CtcDeposits(CONFIG, chain, traversal, None)  # type: ignore[arg-type]
    deposits._ready = True  # as after run() has read the queue up to L1's head
    return deposits, chain


def test_order_origin_bound_and_budget() -> None:
    queue = [element(0, 3, 6_000_000), element(1, 3, 6_000_000), element(2, 3, 6_000_000)]
    queue += [element(3, 9, 100_000)]
    deposits, chain = source(queue)
    assert deposits.take(CONFIG.deposit_gas_per_block, origin_number=2) == []  # not yet
    first = deposits.take(CONFIG.deposit_gas_per_block, origin_number=3)
    # D − M = 15M: two 6M deposits fit, a third does not, though D (20M) would hold it
    assert [d.source_hash for d in first] == [e.deposit().source_hash for e in queue[:2]]
    chain.add(first)
    second = deposits.take(CONFIG.deposit_gas_per_block, origin_number=5)
    assert [d.source_hash for d in second] == [queue[2].deposit().source_hash]  # 3 waits for 9
    chain.add(second)
    chain.add([])
    third = deposits.take(CONFIG.deposit_gas_per_block, origin_number=9)
    assert [d.source_hash for d in third] == [queue[3].deposit().source_hash]


def test_next_index_follows_a_rewound_chain() -> None:
    queue = [element(i, 1, 100_000) for i in range(4)]
    deposits, chain = source(queue)
    chain.add(deposits.take(200_000, origin_number=1))  # elements 0, 1
    chain.add(deposits.take(100_000, origin_number=1))  # element 2
    chain.blocks.pop()  # derivation dropped the last block
    again = deposits.take(10**9, origin_number=1)
    assert [d.source_hash for d in again] == [e.deposit().source_hash for e in queue[2:]]


def test_censoring_and_not_ready_take_nothing() -> None:
    deposits, _ = source([element(0, 1, 100_000)])
    deposits.censor = True
    assert deposits.take(10**9, origin_number=5) == []
    deposits.censor, deposits._ready = False, False
    assert deposits.take(10**9, origin_number=5) == []
