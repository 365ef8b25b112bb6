"""The strict batch codec (SPEC §5): round trips and a table of malformed encodings."""

from __future__ import annotations

import pytest
import rlp
from hypothesis import given
from hypothesis import strategies as st

from rollup_node.protocol.batch import BatchBlock, MalformedBatch, decode_batch, encode_batch

LEGACY_TX = rlp.encode([1, 2, 3])  # a legacy transaction travels as its RLP list, in bytes
TYPED_TX = b"\x02" + rlp.encode([901, 0])


def test_round_trip_keeps_every_field() -> None:
    blocks = (
        BatchBlock(0, 0, ()),
        BatchBlock(7, 2, (LEGACY_TX, TYPED_TX)),
        BatchBlock(2**64 - 1, 2**64 - 1, (b"",)),
    )
    data = encode_batch(blocks)
    assert data[0] == 0
    assert decode_batch(data) == blocks


def test_known_encoding() -> None:
    # [[5, 1, [0x02c0]]] -> c6 c5 05 01 c3 82 02 c0
    assert encode_batch([BatchBlock(5, 1, (b"\x02\xc0",))]).hex() == "00c7c60501c38202c0"
    assert decode_batch(bytes.fromhex("00c7c60501c38202c0")) == (BatchBlock(5, 1, (b"\x02\xc0",)),)


def test_empty_list_decodes_to_no_blocks() -> None:
    # Not malformed at the codec level; derivation then finds numBlocks does not match.
    assert decode_batch(bytes.fromhex("00c0")) == ()


MALFORMED = [
    ("empty", ""),
    ("version only", "00"),
    ("version 1 is reserved", "01c0"),
    ("unknown version", "ffc0"),
    ("top level is a string", "0080"),
    ("trailing byte after the list", "00c000"),
    ("block not a list", "00c105"),
    ("block with two items", "00c3c20102"),
    ("block with four items", "00c5c40102c080"),
    ("origin is a list", "00c4c3c001c0"),
    ("numDeposits is a list", "00c4c301c0c0"),
    ("txs is a string", "00c4c3010280"),
    ("a transaction is a list", "00c5c40102c1c0"),
    ("integer with leading zero", "00c5c4820001 02c0"),
    ("integer above 2^64 - 1", "00cdcc8901000000000000000002c0"),
    ("single byte as short string", "00c4c3810102c0"),
    ("long form for a short list", "00f801c0"),
    ("list length beyond the data", "00c5c30102"),
    ("string length beyond the data", "00c5c40102c183"),
]


@pytest.mark.parametrize(("name", "hex_data"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed(name: str, hex_data: str) -> None:
    with pytest.raises(MalformedBatch):
        decode_batch(bytes.fromhex(hex_data.replace(" ", "")))


def test_encode_refuses_out_of_range_integers() -> None:
    with pytest.raises(ValueError):
        encode_batch([BatchBlock(2**64, 0, ())])


blocks_strategy = st.lists(
    st.builds(
        BatchBlock,
        st.integers(0, 2**64 - 1),
        st.integers(0, 2**64 - 1),
        st.lists(st.binary(max_size=40), max_size=4).map(tuple),
    ),
    max_size=5,
)


@given(blocks_strategy)
def test_round_trip_property(blocks: list[BatchBlock]) -> None:
    assert decode_batch(encode_batch(blocks)) == tuple(blocks)


@given(st.binary(max_size=64))
def test_decode_accepts_only_what_it_reencodes(data: bytes) -> None:
    """Canonical means one encoding per value: whatever decodes re-encodes to the same bytes."""
    try:
        blocks = decode_batch(data)
    except MalformedBatch:
        return
    assert encode_batch(blocks) == data
