"""The trace's preimage store: what a first run records, how it is kept, what a step loads."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from rollup_node.faultproof.game.preimage_store import (
    MissingPrecompileCall,
    PreimageStore,
    PreimageStoreError,
    RecordingOracle,
    StoredPreimage,
    write_atomic,
)
from rollup_node.faultproof.oracle.host import Oracle
from rollup_node.faultproof.oracle.keys import keccak_key, local_key, precompile_input
from rollup_node.faultproof.oracle.keys import precompile_key as make_precompile_key
from rollup_node.faultproof.oracle.source import DictSource, PreimageMismatch, PreimageNotFound

ECRECOVER = (1).to_bytes(20, "big")
CALL_INPUT = bytes(128)  # an invalid signature: ecrecover succeeds with empty output
HEADER = b"an L1 header, say"


def _recorded() -> RecordingOracle:
    """A recorder over a real host oracle that has a keccak preimage and answers hints."""
    source = DictSource()
    source.put_keccak(HEADER)
    recorder = RecordingOracle(Oracle(source), {local_key(3): b"\x33" * 32})
    recorder.hint(b"precompile " + precompile_input(ECRECOVER, 3000, CALL_INPUT))
    for key in (
        local_key(3),
        keccak_key(HEADER),
        make_precompile_key(ECRECOVER, 3000, CALL_INPUT),
    ):
        recorder.get_preimage(key)
    return recorder


def test_records_reads_and_the_calls_behind_precompile_results(tmp_path: Path) -> None:
    store = _recorded().store()
    assert len(store) == 3
    path = tmp_path / "preimages.bin"
    store.save(path)
    again = PreimageStore.load(path)
    assert again.entries == store.entries
    assert again.get_preimage(keccak_key(HEADER)) == HEADER
    again.hint(b"l1-header whatever")  # ignored: everything is stored
    with pytest.raises(PreimageNotFound):
        again.get_preimage(keccak_key(b"never read"))


def test_parts_name_what_the_oracle_contract_needs() -> None:
    store = _recorded().store()
    local = store.part(local_key(3), 8)
    assert (local.local_ident, local.data, local.offset) == (3, b"\x33" * 32, 8)
    keccak = store.part(keccak_key(HEADER), 0)
    assert keccak.data == HEADER and keccak.local_ident is None and keccak.precompile is None
    precompile = store.part(make_precompile_key(ECRECOVER, 3000, CALL_INPUT), 4)
    assert precompile.precompile == "0x0000000000000000000000000000000000000001"
    assert (precompile.required_gas, precompile.data, precompile.offset) == (3000, CALL_INPUT, 4)


def test_local_inputs_come_from_the_game_not_the_source() -> None:
    source = DictSource({local_key(3): b"\x99" * 32})
    recorder = RecordingOracle(Oracle(source), {local_key(3): b"\x33" * 32})
    assert recorder.get_preimage(local_key(3)) == b"\x33" * 32
    with pytest.raises(PreimageNotFound):
        recorder.get_preimage(local_key(4))


def test_a_precompile_result_without_its_call_cannot_be_stored() -> None:
    key = make_precompile_key(ECRECOVER, 3000, CALL_INPUT)
    source = DictSource({key: b"\x01"})  # served, but never hinted
    recorder = RecordingOracle(Oracle(source), {})
    recorder.get_preimage(key)
    with pytest.raises(MissingPrecompileCall):
        recorder.store()


def test_refuses_corrupt_files(tmp_path: Path) -> None:
    good = _recorded().store()
    blob = good.encode()
    with pytest.raises(PreimageStoreError):
        PreimageStore.decode(blob[:-7])
    with pytest.raises(PreimageStoreError):
        PreimageStore.decode(zlib.compress(b"NOTMAGIC"))
    raw = bytearray(zlib.decompress(blob))
    raw[-40] ^= 0xFF  # inside the last entry's value or call
    with pytest.raises(PreimageStoreError):
        PreimageStore.decode(zlib.compress(bytes(raw)))
    key = make_precompile_key(ECRECOVER, 3000, CALL_INPUT)
    forged = PreimageStore({key: StoredPreimage(b"\x01", precompile_input(ECRECOVER, 9, b""))})
    with pytest.raises(PreimageStoreError):
        PreimageStore.decode(forged.encode())
    with pytest.raises(PreimageMismatch):
        RecordingOracle(Oracle(DictSource()), {local_key(1): b"\x00" * 33}).get_preimage(
            local_key(1)
        )


def test_atomic_write_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "trace.json"
    write_atomic(path, b"one")
    write_atomic(path, b"two")
    assert path.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["trace.json"]
