"""Strict argument parsing: quantities, data, addresses, block ids, call and filter objects."""

from __future__ import annotations

import pytest

from rollup_node.rpc import params
from rollup_node.rpc.params import BlockHashRef, ParamError

HASH = "0x" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "value"),
    [("0x0", 0), ("0x1", 1), ("0xff", 255), ("0X10", 16), ("0x" + "f" * 64, 2**256 - 1)],
)
def test_quantity_accepts_canonical_hex(text: str, value: int) -> None:
    assert params.quantity(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty hex string"),
        ("12", "hex string without 0x prefix"),
        ("0x", 'hex string "0x"'),
        ("0x01", "hex number with leading zero digits"),
        ("0xzz", "invalid hex string"),
        ("0x1" + "0" * 64, "hex number > 256 bits"),
        ("0x1" + "0" * 100_000, "hex number > 256 bits"),
        (12, "expected a hex string, got int"),
        # what int(x, 16) would take but no Ethereum client does (each was a -32603 before)
        ("0x-1", "invalid hex string"),
        ("0x+5", "invalid hex string"),
        ("0x1_0", "invalid hex string"),
        ("0x 1", "invalid hex string"),
        ("0x1 ", "invalid hex string"),
        ("0x\u0661", "invalid hex string"),
    ],
)
def test_quantity_refuses_with_geth_wording(text: object, message: str) -> None:
    with pytest.raises(ParamError, match=message):
        params.quantity(text)


def test_uint64_bounds() -> None:
    assert params.uint64("0x" + "f" * 16) == 2**64 - 1
    with pytest.raises(ParamError, match="> 64 bits"):
        params.uint64("0x1" + "0" * 16)


def test_data_and_fixed_sizes() -> None:
    assert params.data("0x") == b""
    assert params.data("0x0aFF") == b"\x0a\xff"
    with pytest.raises(ParamError, match="odd length"):
        params.data("0xabc")
    for spaced in ("0x 0ab", "0x0a bc", "0x-0ab", "0x0a_b"):  # bytes.fromhex skips spaces
        with pytest.raises(ParamError, match="invalid hex string"):
            params.data(spaced)
    assert params.address("0x" + "11" * 20) == b"\x11" * 20
    with pytest.raises(ParamError, match="has length 38, want 40 for address"):
        params.address("0x" + "11" * 19)
    with pytest.raises(ParamError, match="want 64 for hash"):
        params.hash32("0x1234")


def test_storage_key_is_lenient_like_geth() -> None:
    assert params.storage_key("0x0") == 0
    assert params.storage_key("0x" + "00" * 31 + "07") == 7
    with pytest.raises(ParamError, match="at most 32 bytes"):
        params.storage_key("0x" + "00" * 33)


def test_block_number_tags_and_numbers() -> None:
    for tag in ("latest", "earliest", "pending", "safe", "finalized"):
        assert params.block_number(tag) == tag
    assert params.block_number("0x10") == 16
    with pytest.raises(ParamError, match="want a block number or one of latest"):
        params.block_number("newest")


def test_block_id_forms() -> None:
    assert params.block_id("latest") == "latest"
    assert params.block_id(HASH) == BlockHashRef(bytes.fromhex("ab" * 32))
    assert params.block_id({"blockHash": HASH, "requireCanonical": True}) == BlockHashRef(
        bytes.fromhex("ab" * 32), True
    )
    assert params.block_id({"blockNumber": "0x2"}) == 2
    with pytest.raises(ParamError, match="cannot specify both"):
        params.block_id({"blockHash": HASH, "blockNumber": "0x1"})
    with pytest.raises(ParamError, match="either blockHash or blockNumber"):
        params.block_id({})
    with pytest.raises(ParamError, match="requireCanonical: expected a boolean"):
        params.block_id({"blockHash": HASH, "requireCanonical": "yes"})


def test_call_request_fields() -> None:
    request = params.call_request(
        {
            "from": "0x" + "01" * 20,
            "to": "0x" + "02" * 20,
            "gas": "0x5208",
            "maxFeePerGas": "0x10",
            "maxPriorityFeePerGas": "0x1",
            "value": "0x0",
            "input": "0xabcd",
            "accessList": [{"address": "0x" + "03" * 20, "storageKeys": ["0x" + "00" * 32]}],
            "chainId": "0x385",
            "nonce": "0x0",
        }
    )
    assert request.sender == b"\x01" * 20
    assert request.gas == 21000
    assert request.data == b"\xab\xcd"
    assert request.access_list == ((b"\x03" * 20, (0,)),)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"data": "0x01", "input": "0x02"}, 'both "data" and "input" are set and not equal'),
        ({"gasPrice": "0x1", "maxFeePerGas": "0x1"}, "both gasPrice and"),
        ({"maxFeePerGas": "0x1", "maxPriorityFeePerGas": "0x2"}, "maxFeePerGas"),
        ({"to": "0x1234"}, "to: hex string has length 4"),
        ({"gas": "0x01"}, "gas: hex number with leading zero digits"),
        ("0x", "expected an object"),
    ],
)
def test_call_request_refusals(obj: object, message: str) -> None:
    with pytest.raises(ParamError, match=message):
        params.call_request(obj)


def test_state_overrides() -> None:
    account = "0x" + "05" * 20
    overrides = params.state_overrides(
        {account: {"balance": "0x64", "stateDiff": {"0x" + "00" * 32: "0x" + "00" * 31 + "01"}}}
    )
    override = overrides[b"\x05" * 20]
    assert override.balance == 100
    assert override.state_diff == {0: 1}
    with pytest.raises(ParamError, match="both 'state' and 'stateDiff'"):
        params.state_overrides({account: {"state": {}, "stateDiff": {}}})
    with pytest.raises(ParamError, match="0x12: hex string has length 2"):
        params.state_overrides({"0x12": {}})


def test_filter_criteria() -> None:
    topic = "0x" + "aa" * 32
    criteria = params.filter_criteria(
        {
            "fromBlock": "0x0",
            "toBlock": "latest",
            "address": "0x" + "01" * 20,
            "topics": [topic, None, [topic, topic], None],
        }
    )
    assert criteria.from_block == 0
    assert criteria.to_block == "latest"
    assert criteria.addresses == (b"\x01" * 20,)
    assert criteria.topics == ((b"\xaa" * 32,), None, (b"\xaa" * 32, b"\xaa" * 32))
    with pytest.raises(ParamError, match="cannot specify both BlockHash and FromBlock"):
        params.filter_criteria({"blockHash": HASH, "fromBlock": "0x1"})
    with pytest.raises(ParamError, match="exceed max topics"):
        params.filter_criteria({"topics": [None] * 5})
    with pytest.raises(ParamError, match="topics: topic 1: element 0"):
        params.filter_criteria({"topics": [None, ["0x12"]]})


def test_reward_percentiles() -> None:
    assert params.reward_percentiles([10, 50.5, 90]) == [10.0, 50.5, 90.0]
    with pytest.raises(ParamError, match="invalid reward percentile"):
        params.reward_percentiles([101])
    with pytest.raises(ParamError, match="invalid reward percentiles"):
        params.reward_percentiles([50, 10])


def test_hex_or_decimal_count() -> None:
    assert params.hex_or_decimal_uint64(4) == 4
    assert params.hex_or_decimal_uint64("4") == 4
    assert params.hex_or_decimal_uint64("0x4") == 4
    with pytest.raises(ParamError):
        params.hex_or_decimal_uint64(-1)
    assert params.hex_or_decimal_uint64(str(2**64 - 1)) == 2**64 - 1
    for refused in (str(2**64), "9" * 5000, "\u0661\u0662", "-1", "+1", "1_0", " 1", 1.5, None):
        with pytest.raises(ParamError):
            params.hex_or_decimal_uint64(refused)
