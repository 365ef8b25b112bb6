"""Strict parsing of JSON-RPC arguments into typed values.

Each parser takes one decoded JSON value and returns a typed value or raises ``ParamError``
with geth's wording of what is wrong ("hex string without 0x prefix", ...); the dispatcher adds
which argument it was. Nested fields are named in the message (``to: hex string has length
38, want 40 for address``). Quantities must be canonical hex (``0x0``, no leading zeros), as
the Ethereum JSON-RPC spec requires; unknown fields of objects are ignored, as geth does,
because wallets send extra ones (``chainId``, ``nonce``, ``type``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from rollup_node.chain.queries import AccountOverride, CallRequest

T = TypeVar("T")

LATEST = "latest"
EARLIEST = "earliest"
PENDING = "pending"
SAFE = "safe"
FINALIZED = "finalized"
BLOCK_TAGS = (LATEST, EARLIEST, PENDING, SAFE, FINALIZED)

MAX_TOPICS = 4


class ParamError(ValueError):
    """A JSON-RPC argument (or a field of one) is not acceptable."""


@dataclass(frozen=True, slots=True)
class BlockHashRef:
    """An EIP-1898 block reference by hash; ``require_canonical`` refuses non-canonical ones."""

    block_hash: bytes
    require_canonical: bool = False


# A block tag ("latest", ...), a block number, or (where geth accepts it) a block hash.
BlockNumberOrTag = str | int
BlockId = str | int | BlockHashRef


@dataclass(frozen=True, slots=True)
class FilterCriteria:
    """A log filter: a block range (tags or numbers) or one block hash, addresses and topics.

    An empty ``addresses`` matches every address; ``topics[i]`` is ``None`` (wildcard) or the
    topics accepted at position ``i``.
    """

    from_block: BlockNumberOrTag = LATEST
    to_block: BlockNumberOrTag = LATEST
    block_hash: bytes | None = None
    addresses: tuple[bytes, ...] = ()
    topics: tuple[tuple[bytes, ...] | None, ...] = ()


# Hex digits and nothing else: Python's int() and bytes.fromhex() would also take a sign,
# underscores or whitespace ("0x-1", "0x1_0", "0x 1"), which no Ethereum client accepts.
_HEX = re.compile(r"[0-9a-fA-F]*")
# The longest decimal string a 64-bit count can be (2**64 - 1 has 20 digits).
_UINT64_DECIMAL_DIGITS = 20


def _hex_digits(value: Any) -> str:
    """The digits after ``0x``: only ``[0-9a-fA-F]``, possibly none."""
    if not isinstance(value, str):
        raise ParamError(f"expected a hex string, got {type(value).__name__}")
    if value == "":
        raise ParamError("empty hex string")
    if not value.startswith(("0x", "0X")):
        raise ParamError("hex string without 0x prefix")
    digits = value[2:]
    if not _HEX.fullmatch(digits):
        raise ParamError("invalid hex string")
    return digits


def quantity(value: Any, bits: int = 256) -> int:
    """A hex quantity such as ``0x1f``: ``0x`` and hex digits only (no sign, underscore or
    space), canonical (no leading zeros, ``0x0`` for zero) and at most ``bits`` wide."""
    digits = _hex_digits(value)
    if digits == "":
        raise ParamError('hex string "0x"')
    if len(digits) > 1 and digits[0] == "0":
        raise ParamError("hex number with leading zero digits")
    if len(digits) > (bits + 3) // 4 or int(digits, 16).bit_length() > bits:
        raise ParamError(f"hex number > {bits} bits")
    return int(digits, 16)


def uint64(value: Any) -> int:
    """A hex quantity that fits in 64 bits (gas, nonces, block numbers)."""
    return quantity(value, 64)


def hex_or_decimal_uint64(value: Any) -> int:
    """A 64-bit count given as a JSON number, a decimal string or a hex quantity."""
    if isinstance(value, bool):
        raise ParamError("expected a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.startswith(("0x", "0X")):
        return uint64(value)
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value) > _UINT64_DECIMAL_DIGITS:
            raise ParamError("number out of range for uint64")
        number = int(value)
    else:
        raise ParamError(
            f"invalid number {value[:40]!r}"
            if isinstance(value, str)
            else f"expected a number, got {type(value).__name__}"
        )
    if not 0 <= number < 2**64:
        raise ParamError("number out of range for uint64")
    return number


def data(value: Any) -> bytes:
    """Hex-encoded bytes with an even number of digits (``0x`` is empty)."""
    digits = _hex_digits(value)
    if len(digits) % 2:
        raise ParamError("hex string of odd length")
    return bytes.fromhex(digits)


def _fixed(size: int, what: str) -> Callable[[Any], bytes]:
    def parse(value: Any) -> bytes:
        digits = _hex_digits(value)
        if len(digits) != 2 * size:
            raise ParamError(f"hex string has length {len(digits)}, want {2 * size} for {what}")
        return data(value)

    return parse


address = _fixed(20, "address")
hash32 = _fixed(32, "hash")


def storage_key(value: Any) -> int:
    """A storage slot: hex of at most 32 bytes; leading zeros and odd lengths are fine."""
    digits = _hex_digits(value)
    if len(digits) > 64:
        raise ParamError("hex string too long, want at most 32 bytes")
    return int(digits, 16) if digits else 0


def boolean(value: Any) -> bool:
    """A JSON ``true`` or ``false``."""
    if not isinstance(value, bool):
        raise ParamError(f"expected a boolean, got {type(value).__name__}")
    return value


def string(value: Any) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        raise ParamError(f"expected a string, got {type(value).__name__}")
    return value


def list_of(parse: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    """A parser of a JSON array whose every element ``parse`` accepts."""

    def parse_list(value: Any) -> list[T]:
        if not isinstance(value, list):
            raise ParamError(f"expected an array, got {type(value).__name__}")
        items = []
        for index, item in enumerate(value):
            try:
                items.append(parse(item))
            except ParamError as exc:
                raise ParamError(f"element {index}: {exc}") from None
        return items

    return parse_list


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParamError(f"expected an object, got {type(value).__name__}")
    return value


def _field(obj: dict[str, Any], name: str, parse: Callable[[Any], T]) -> T | None:
    raw = obj.get(name)
    if raw is None:
        return None
    try:
        return parse(raw)
    except ParamError as exc:
        raise ParamError(f"{name}: {exc}") from None


def block_number(value: Any) -> BlockNumberOrTag:
    """A block tag (``latest``, ``earliest``, ``pending``, ``safe``, ``finalized``) or number."""
    if isinstance(value, str) and value in BLOCK_TAGS:
        return value
    try:
        number = uint64(value)
    except ParamError as exc:
        raise ParamError(f"{exc} (want a block number or one of {', '.join(BLOCK_TAGS)})") from None
    if number >= 2**63:
        raise ParamError("block number larger than int64")
    return number


def block_id(value: Any) -> BlockId:
    """A block tag or number, a block hash, or an EIP-1898 ``{blockHash|blockNumber}`` object."""
    if isinstance(value, dict):
        has_hash = value.get("blockHash") is not None
        has_number = value.get("blockNumber") is not None
        if has_hash and has_number:
            raise ParamError(
                "cannot specify both BlockHash and BlockNumber, choose one or the other"
            )
        if has_hash:
            block_hash = _field(value, "blockHash", hash32)
            canonical = _field(value, "requireCanonical", boolean) or False
            assert block_hash is not None
            return BlockHashRef(block_hash, canonical)
        if has_number:
            number = _field(value, "blockNumber", block_number)
            assert number is not None
            return number
        raise ParamError("either blockHash or blockNumber must be given")
    if isinstance(value, str) and len(value) == 66:
        return BlockHashRef(hash32(value))
    return block_number(value)


def _access_list_entry(value: Any) -> tuple[bytes, tuple[int, ...]]:
    obj = _object(value)
    target = _field(obj, "address", address)
    if target is None:
        raise ParamError("address: missing")
    keys = _field(obj, "storageKeys", list_of(hash32)) or []
    return target, tuple(int.from_bytes(key, "big") for key in keys)


def access_list(value: Any) -> tuple[tuple[bytes, tuple[int, ...]], ...]:
    """An EIP-2930 access list: ``[{address, storageKeys: [hash, ...]}, ...]``."""
    return tuple(list_of(_access_list_entry)(value))


def call_request(value: Any) -> CallRequest:
    """The transaction object of ``eth_call`` / ``eth_estimateGas`` (geth's TransactionArgs)."""
    obj = _object(value)
    payload = _field(obj, "data", data)
    input_ = _field(obj, "input", data)
    if payload is not None and input_ is not None and payload != input_:
        raise ParamError(
            'both "data" and "input" are set and not equal. '
            'Please use "input" to pass transaction call data'
        )
    gas_price = _field(obj, "gasPrice", quantity)
    max_fee = _field(obj, "maxFeePerGas", quantity)
    max_priority = _field(obj, "maxPriorityFeePerGas", quantity)
    if gas_price is not None and (max_fee is not None or max_priority is not None):
        raise ParamError("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
    if max_fee is not None and max_priority is not None and max_priority > max_fee:
        raise ParamError(f"maxFeePerGas ({max_fee}) < maxPriorityFeePerGas ({max_priority})")
    # Validated for format only: a call has no nonce, type or chain of its own.
    _field(obj, "nonce", uint64)
    _field(obj, "type", uint64)
    _field(obj, "chainId", quantity)
    return CallRequest(
        sender=_field(obj, "from", address),
        to=_field(obj, "to", address),
        gas=_field(obj, "gas", uint64),
        gas_price=gas_price,
        max_fee_per_gas=max_fee,
        max_priority_fee_per_gas=max_priority,
        value=_field(obj, "value", quantity),
        data=input_ if input_ is not None else payload,
        access_list=_field(obj, "accessList", access_list),
    )


def _storage_map(value: Any) -> dict[int, int]:
    obj = _object(value)
    slots = {}
    for key, slot_value in obj.items():
        try:
            slots[int.from_bytes(hash32(key), "big")] = int.from_bytes(hash32(slot_value), "big")
        except ParamError as exc:
            raise ParamError(f"{key}: {exc}") from None
    return slots


def _account_override(value: Any) -> AccountOverride:
    obj = _object(value)
    if obj.get("state") is not None and obj.get("stateDiff") is not None:
        raise ParamError("has both 'state' and 'stateDiff'")
    return AccountOverride(
        balance=_field(obj, "balance", quantity),
        nonce=_field(obj, "nonce", uint64),
        code=_field(obj, "code", data),
        state=_field(obj, "state", _storage_map),
        state_diff=_field(obj, "stateDiff", _storage_map),
    )


def state_overrides(value: Any) -> dict[bytes, AccountOverride]:
    """geth's state override set: ``{address: {balance, nonce, code, state | stateDiff}}``."""
    obj = _object(value)
    overrides = {}
    for key, override in obj.items():
        try:
            overrides[address(key)] = _account_override(override)
        except ParamError as exc:
            raise ParamError(f"{key}: {exc}") from None
    return overrides


def _addresses(value: Any) -> tuple[bytes, ...]:
    if isinstance(value, list):
        return tuple(list_of(address)(value))
    return (address(value),)


def _topic_position(value: Any) -> tuple[bytes, ...] | None:
    if value is None:
        return None
    if isinstance(value, list):
        if any(item is None for item in value):
            return None  # a null inside an alternative list matches anything, as in geth
        return tuple(list_of(hash32)(value)) if value else None
    return (hash32(value),)


def topics(value: Any) -> tuple[tuple[bytes, ...] | None, ...]:
    """Topic filters: per position ``null`` (any), a topic, or a list of alternatives."""
    if not isinstance(value, list):
        raise ParamError(f"expected an array, got {type(value).__name__}")
    if len(value) > MAX_TOPICS:
        raise ParamError("exceed max topics")
    positions = []
    for index, item in enumerate(value):
        try:
            positions.append(_topic_position(item))
        except ParamError as exc:
            raise ParamError(f"topic {index}: {exc}") from None
    while positions and positions[-1] is None:
        positions.pop()
    return tuple(positions)


def filter_criteria(value: Any) -> FilterCriteria:
    """A log filter object: ``{fromBlock, toBlock | blockHash, address, topics}``."""
    obj = _object(value)
    block_hash = _field(obj, "blockHash", hash32)
    if block_hash is not None and (
        obj.get("fromBlock") is not None or obj.get("toBlock") is not None
    ):
        raise ParamError(
            "cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other"
        )
    from_block = _field(obj, "fromBlock", block_number)
    to_block = _field(obj, "toBlock", block_number)
    return FilterCriteria(
        from_block=LATEST if from_block is None else from_block,
        to_block=LATEST if to_block is None else to_block,
        block_hash=block_hash,
        addresses=_field(obj, "address", _addresses) or (),
        topics=_field(obj, "topics", topics) or (),
    )


def reward_percentiles(value: Any) -> list[float]:
    """``eth_feeHistory`` percentiles: numbers in [0, 100], non-decreasing."""
    if not isinstance(value, list):
        raise ParamError(f"expected an array, got {type(value).__name__}")
    percentiles: list[float] = []
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise ParamError(f"invalid reward percentile: {item!r}")
        if not 0 <= item <= 100:
            raise ParamError(f"invalid reward percentile: {item:f}")
        if percentiles and item < percentiles[-1]:
            raise ParamError(
                f"invalid reward percentiles: #{index - 1}:{percentiles[-1]:f} > #{index}:{item:f}"
            )
        percentiles.append(float(item))
    return percentiles
