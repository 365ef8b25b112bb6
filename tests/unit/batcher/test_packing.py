"""Packing blocks into batches: the declared origin and deposits, and the size limits."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from rollup_node.batcher.packing import UnbatchableBlock, pack
from rollup_node.chain.records import BlockRecord, TxRecord
from rollup_node.protocol.batch import decode_batch
from rollup_node.protocol.predeploys import L1_BLOCK, L1_BLOCK_NUMBER_SLOT

TX = TxRecord(b"\x00" * 32, 2, b"\x02" + b"\xaa" * 99, b"", None, 0, 0, 0, b"", 1, None, 1, 1)
DEPOSIT = replace(TX, type=0x7E, raw=b"\x7e\xc0")
#: Only the number and transactions matter to packing.
BLOCK = BlockRecord(
    hash=b"",
    number=0,
    parent_hash=b"",
    timestamp=0,
    coinbase=b"",
    state_root=b"",
    transactions_root=b"",
    receipts_root=b"",
    logs_bloom=b"",
    gas_limit=0,
    gas_used=0,
    base_fee_per_gas=0,
    extra_data=b"",
    mix_hash=b"",
    nonce=b"",
    difficulty=0,
    withdrawals_root=b"",
    blob_gas_used=0,
    excess_blob_gas=0,
    parent_beacon_block_root=b"",
    uncles_hash=b"",
    size=0,
    header_rlp=b"",
)


@dataclass
class FakeChain:
    blocks: dict[int, BlockRecord]
    origins: dict[int, int]

    def block_by_number(self, number: int) -> BlockRecord | None:
        return self.blocks.get(number)

    def storage_at(self, address: bytes, slot: int, block_number: int) -> bytes:
        assert (address, slot) == (L1_BLOCK, L1_BLOCK_NUMBER_SLOT)
        return self.origins[block_number].to_bytes(32, "big")


def chain(count: int) -> FakeChain:
    blocks = {}
    for n in range(1, count + 1):
        txs = (DEPOSIT,) + (DEPOSIT,) * (n % 3) + (TX,) * (n % 2)
        blocks[n] = replace(BLOCK, number=n, transactions=txs)
    return FakeChain(blocks, {n: 100 + n // 2 for n in range(1, count + 1)})


def test_blocks_are_declared_as_they_are() -> None:
    packed = pack(chain(5), 2, 5, 120_000, 1_000)
    assert packed.first_block == 2 and len(packed.blocks) == 4
    assert decode_batch(packed.data) == packed.blocks
    assert [(b.l1_origin_number, b.num_deposits, len(b.transactions)) for b in packed.blocks] == [
        (101, 2, 0),
        (101, 0, 1),
        (102, 1, 0),
        (102, 2, 1),
    ]
    assert packed.num_deposits == 5 and packed.oldest_origin == 101


@pytest.mark.parametrize("max_bytes", [120, 250, 400])
def test_size_limit_is_respected(max_bytes: int) -> None:
    packed = pack(chain(20), 1, 20, max_bytes, 1_000)
    assert len(packed.data) <= max_bytes
    more = pack(chain(20), 1, 20, 120_000, len(packed.blocks) + 1)
    assert len(more.data) > max_bytes  # one more block would not have fitted


def test_block_count_limit_and_missing_blocks() -> None:
    assert len(pack(chain(20), 1, 20, 120_000, 7).blocks) == 7
    with pytest.raises(ValueError):
        pack(chain(3), 4, 9, 120_000, 10)
    with pytest.raises(UnbatchableBlock) as raised:
        pack(chain(3), 1, 3, 10, 10)  # a single block above the limit
    assert raised.value.number == 1 and raised.value.size > 10


def test_an_unbatchable_block_after_others_ends_the_batch() -> None:
    big = replace(TX, raw=b"\x02" + b"\xbb" * 500)
    blocks = chain(4)
    blocks.blocks[4] = replace(blocks.blocks[4], transactions=(DEPOSIT, big))
    assert len(pack(blocks, 1, 4, 400, 10).blocks) == 3  # block 4 does not join them
    with pytest.raises(UnbatchableBlock):
        pack(blocks, 4, 4, 400, 10)
