"""The bounded request decoder: depth and container limits, numbers, UTF-8, and its depth scan."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rollup_node.rpc.decode import MAX_NUMBER_CHARS, _structure, decode_body, nesting_depth
from rollup_node.rpc.errors import RpcError

DEPTH = 64
CONTAINERS = 50_000


def refused(body: bytes | str) -> str:
    with pytest.raises(RpcError) as caught:
        decode_body(body, DEPTH, CONTAINERS)
    assert caught.value.code == -32700
    return caught.value.message


def test_ordinary_requests_decode() -> None:
    body = {"jsonrpc": "2.0", "id": 7, "method": "eth_call", "params": [{"to": "0x" + "11" * 20}]}
    assert decode_body(json.dumps(body).encode(), DEPTH, CONTAINERS) == body
    assert decode_body('["[[[[", {"a": "]]]"}]', 2, CONTAINERS) is not None  # brackets in strings


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,  # the request that crashed the process
        b"[" * (DEPTH + 1) + b"]" * (DEPTH + 1),
        b'{"a":' * 50_000,
        b'[{"x": "\\"", "y": ' * 40 + b"1" + b"}]" * 40,
        b'["\\\\"' + b"[" * 70,  # an escaped backslash does not hide the quote after it
        b"[" * 70 + b'"abc\\',  # an unterminated string at the end
    ],
    ids=["100k-open", "65-closed", "50k-objects", "escaped-quotes", "escaped-backslash", "cut"],
)
def test_deep_nesting_is_refused_before_decoding(body: bytes) -> None:
    assert "nested deeper than 64 levels" in refused(body)


def test_exactly_the_limit_is_accepted() -> None:
    body = "[" * DEPTH + "]" * DEPTH
    value = decode_body(body, DEPTH, CONTAINERS)
    for _ in range(DEPTH - 1):
        value = value[0]
    assert value == []


def test_too_many_containers_or_strings_are_refused() -> None:
    assert "more than 50000 arrays and objects" in refused("[" + "[]," * 60_000 + "[]]")
    assert "more than 200000 strings" in refused("[" * 70 + '"",' * 250_000)
    assert "more than 50000 arrays and objects" in refused("[]" * 2_500_000)  # 5 MB


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"id": NaN}', "NaN is not a JSON number"),
        (b'{"id": Infinity}', "Infinity is not a JSON number"),
        (b'{"id": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"id": 1e400}', "number out of range: 1e400"),
        (b'{"id": -1e400}', "number out of range: -1e400"),
        (b'{"id": ' + b"9" * 5000 + b"}", f"number longer than {MAX_NUMBER_CHARS} characters"),
        (b'{"id": 0.' + b"1" * 200 + b"}", f"number longer than {MAX_NUMBER_CHARS} characters"),
        (b'{"id": "\xff"}', "the body is not UTF-8"),
    ],
    ids=["nan", "inf", "-inf", "1e400", "-1e400", "5000-digits", "long-fraction", "not-utf8"],
)
def test_numbers_that_do_not_fit_and_bad_text_are_refused(body: bytes, reason: str) -> None:
    assert refused(body) == f"parse error: {reason}"


def test_syntax_errors_are_plain_parse_errors() -> None:
    for body in (b"{", b"", b"[1,]", b"]]]]", b'{"a" 1}'):
        assert refused(body) == "parse error"


def test_the_longest_useful_number_fits() -> None:
    assert decode_body(str(2**256), DEPTH, CONTAINERS) == 2**256


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    return 0


_TRICKY_TEXT = st.lists(st.sampled_from(["[", "]", "{", "}", '"', "\\", "a", "é"])).map("".join)
_JSON = st.recursive(
    st.none() | st.integers() | _TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TRICKY_TEXT, inner),
    max_leaves=30,
)


@settings(max_examples=100, deadline=None)
@given(_JSON)
def test_depth_scan_matches_the_value(value: object) -> None:
    assert nesting_depth(_structure(json.dumps(value))) == _depth(value)
    assert nesting_depth(_structure(json.dumps(value, ensure_ascii=False))) == _depth(value)


def _decoder_depth(text: str) -> int:
    """The depth a left-to-right reader reaches in ``text`` before its end (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
            if depth < 0:
                break  # a stray closing bracket: every decoder stops here
    return deepest


@settings(max_examples=100, deadline=None)
@given(_JSON, st.data())
def test_depth_scan_never_falls_short_on_cut_text(value: object, data: st.DataObject) -> None:
    text = json.dumps(value)
    cut = text[: data.draw(st.integers(0, len(text)))]
    assert nesting_depth(_structure(cut)) >= _decoder_depth(cut)
