"""SPEC §5, "Every block must fit in a batch": the length arithmetic the sequencer seals by and
the batcher packs by agrees with the batch encoder byte for byte, and the batch room admits a
transaction exactly when the block's single-block batch stays within the limit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rollup_node.protocol.batch import (
    SINGLE_TX_OVERHEAD,
    BatchBlock,
    batch_block_length,
    batch_length,
    encode_batch,
)
from rollup_node.sequencer.batch_room import BatchRoom

MAX_UINT64 = 2**64 - 1
#: Byte strings around every RLP length-prefix boundary (1 byte < 0x80, 55/56, 255/256, 65,536).
TX_SIZES = st.sampled_from([0, 1, 2, 54, 55, 56, 57, 200, 255, 256, 1_000, 65_535, 65_536, 70_000])
UINTS = st.one_of(st.integers(0, 200), st.sampled_from([127, 128, 255, 256, MAX_UINT64]))


@st.composite
def transactions(draw: st.DrawFn) -> tuple[bytes, ...]:
    txs = []
    for size in draw(st.lists(TX_SIZES, max_size=6)):
        fill = draw(st.integers(0, 255))
        txs.append(bytes([fill]) * size)
    return tuple(txs)


BLOCKS = st.builds(BatchBlock, UINTS, UINTS, transactions())


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCKS, min_size=1, max_size=4))
def test_length_arithmetic_equals_the_encoding(blocks: list[BatchBlock]) -> None:
    payload = sum(batch_block_length(b) for b in blocks)
    assert batch_length(payload) == len(encode_batch(blocks))


@settings(max_examples=200, deadline=None)
@given(UINTS, UINTS, transactions(), st.integers(1, 150_000))
def test_room_admits_exactly_what_fits(
    origin: int, deposits: int, txs: tuple[bytes, ...], max_bytes: int
) -> None:
    room = BatchRoom(origin, deposits, max_bytes)
    included: list[bytes] = []
    for raw in txs:
        fits = len(encode_batch([BatchBlock(origin, deposits, (*included, raw))])) <= max_bytes
        assert room.admits(raw) == fits
        if fits:
            room.add(raw)
            included.append(raw)
        assert room.batch_bytes == len(
            encode_batch([BatchBlock(origin, deposits, tuple(included))])
        )


def test_any_transaction_the_intake_takes_fits_an_empty_block() -> None:
    # The worst case of SPEC §5's margin: 64-bit origin and deposit count, a long length prefix.
    for max_bytes in (1_000, 120_000, 10_000_000):
        room = BatchRoom(MAX_UINT64, MAX_UINT64, max_bytes)
        assert room.admits(b"\xff" * (max_bytes - SINGLE_TX_OVERHEAD))
    # ...and the margin is not wider than needed by more than the 64 − 35 bytes it rounds to.
    room = BatchRoom(MAX_UINT64, MAX_UINT64, 120_000)
    assert not room.admits(b"\xff" * (120_000 - 34))
