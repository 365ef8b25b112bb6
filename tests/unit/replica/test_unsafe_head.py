"""Decoding the sequencer's raw blocks: anything but a well-formed L2 block is refused."""

from __future__ import annotations

import pytest
import rlp
from eth.vm.forks.cancun.blocks import CancunBlockHeader

from rollup_node.replica.unsafe_head import SequencerBlockInvalid, decode_raw_block, http_url

HEADER = CancunBlockHeader(
    difficulty=0,
    block_number=5,
    gas_limit=30_000_000,
    timestamp=1_700_000_000,
    base_fee_per_gas=7,
    withdrawals_root=b"\x56" * 32,
    blob_gas_used=0,
    excess_blob_gas=0,
    parent_beacon_block_root=b"\x00" * 32,
)


def test_round_trip_with_typed_and_legacy_transactions() -> None:
    typed = b"\x02" + rlp.encode([1, 2, 3])
    legacy = rlp.encode([0, 1, 21_000, b"\x11" * 20, 5, b"", 27, 1, 2])
    raw = rlp.encode([HEADER, [typed, rlp.decode(legacy)], [], []])
    block = decode_raw_block(raw)
    assert block.number == 5
    assert block.header.hash == HEADER.hash
    assert block.transactions == (typed, legacy)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\xff\x00",
        rlp.encode([HEADER, [], []]),  # three items
        rlp.encode([[b"\x01"], [], [], []]),  # not a header
        rlp.encode([HEADER, [], [HEADER], []]),  # ommers
        rlp.encode([HEADER, [], [], [[1, 2, b"\x00" * 20, 3]]]),  # withdrawals
    ],
)
def test_malformed_blocks_are_refused(raw: bytes) -> None:
    with pytest.raises(SequencerBlockInvalid):
        decode_raw_block(raw)


def test_http_url_of_the_websocket() -> None:
    assert http_url("ws://127.0.0.1:9545") == "http://127.0.0.1:9545"
    assert http_url("wss://seq.example/rpc") == "https://seq.example/rpc"
    with pytest.raises(ValueError):
        http_url("http://127.0.0.1:9545")
