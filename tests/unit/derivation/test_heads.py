"""Batch records and the safe/finalized heads, in a real chain store."""

from __future__ import annotations

from pathlib import Path

from rollup_node.chain.store import ChainStore
from rollup_node.derivation.heads import BatchRecord, Heads


def record(index: int, l1: int, last: int) -> BatchRecord:
    return BatchRecord(index, l1, bytes([l1]) * 32, last, index)


def test_records_survive_a_restart_and_move_the_heads(tmp_path: Path) -> None:
    store = ChainStore(tmp_path)
    heads = Heads(store)
    assert (heads.safe, heads.next_batch) == (0, 0)
    assert store.get_meta(b"safe") == (0).to_bytes(8, "big")
    for r in (record(0, 3, 3), record(1, 5, 6), record(2, 9, 8)):
        store.write(heads.extras_for(r))
        heads.recorded(r)
    assert heads.finalize(5) == 6
    store.close()

    store = ChainStore(tmp_path)
    heads = Heads(store)
    assert [r.batch_index for r in heads.records] == [0, 1, 2]
    assert heads.records[1] == record(1, 5, 6)
    assert (heads.safe, heads.next_batch) == (8, 3)
    store.write(heads.truncate(1))
    assert heads.safe == 3
    assert int.from_bytes(store.get_meta(b"safe"), "big") == 3
    assert int.from_bytes(store.get_meta(b"finalized"), "big") == 3  # never above safe
    store.close()
    store = ChainStore(tmp_path)
    assert [r.batch_index for r in Heads(store).records] == [0]
    store.close()
