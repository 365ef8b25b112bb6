"""Decoding a request body into JSON values, with bounds a hostile client cannot get past.

The transport hands every HTTP body and WebSocket message here before anything else reads it
(SPEC §12: the RPC refuses what is beyond its limits instead of failing on it). The rules:

- nesting of arrays and objects is at most ``max_depth`` deep, checked *before* the recursive
  decoder runs, so that no body can exhaust the C stack (the decoder's own guard is the
  interpreter's recursion limit, which a dependency raises: see ``rollup_node/__init__``);
- a body holds at most ``max_containers`` arrays and objects (and, when it has more brackets
  than ``max_depth``, four strings per container), which bounds the work of that check and of
  building the decoded value;
- numbers are finite (``NaN``, ``Infinity`` and ``1e400`` are not JSON numbers a client may send)
  and at most ``MAX_NUMBER_CHARS`` characters long (the longest useful one, 2**256, has 78
  digits): an answer that echoes a request id is then always valid JSON;
- the text is UTF-8.

A refusal is an ``RpcError`` with code -32700 whose message says which rule was broken; the
client should fix the request, not retry it.
"""

from __future__ import annotations

import json
import math
import operator
from itertools import accumulate, repeat
from typing import Any

from rollup_node.rpc.errors import PARSE_ERROR, RpcError

MAX_NUMBER_CHARS = 100

# Keep only brackets, as bytes 2 (open) and 0 (close).
_BRACKETS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[{]}"))
# Strings a body with brackets may hold, per container allowed: splitting out more would
# cost more than decoding does (an object rarely has more than a few keys).
_QUOTES_PER_CONTAINER = 8


def _structure(text: str) -> bytes:
    """The brackets of ``text`` outside strings, in order, as bytes 2 (open) and 0 (close).

    Escape pairs go first (a backslash escapes the next character, read left to right), after
    which every '"' delimits a string, and the even pieces between quotes are the structure.
    An unterminated string runs to the end of the text, as the decoder stops there too.
    """
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(unescaped.split('"')[::2])
    return outside.encode("utf-8", "surrogatepass").translate(_BRACKETS, _NOT_BRACKETS)


def nesting_depth(structure: bytes) -> int:
    """The deepest nesting in ``structure`` (from ``_structure``): its highest running sum.

    For text that is not valid JSON the figure may differ from a decoder's view after the first
    error, but never falls short for the part a decoder reads before it stops (a stray closing
    bracket ends the decoding), which is what makes it a safe guard.
    """
    return max(accumulate(map(operator.sub, structure, repeat(1))), default=0)


def _refuse(reason: str) -> RpcError:
    return RpcError(PARSE_ERROR, f"parse error: {reason}")


def _parse_int(token: str) -> int:
    if len(token) > MAX_NUMBER_CHARS:
        raise ValueError(f"number longer than {MAX_NUMBER_CHARS} characters")
    return int(token)


def _parse_float(token: str) -> float:
    if len(token) > MAX_NUMBER_CHARS:
        raise ValueError(f"number longer than {MAX_NUMBER_CHARS} characters")
    value = float(token)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {token}")
    return value


def _parse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


_DECODER = json.JSONDecoder(
    parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
)


def decode_body(body: bytes | str, max_depth: int, max_containers: int) -> Any:
    """The JSON value of one request body, or an ``RpcError`` -32700 saying what is wrong.

    At most ``max_depth`` levels of nesting and ``max_containers`` arrays and objects (their
    brackets outside strings are counted, so that checking the depth stays cheap too).
    """
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse("the body is not UTF-8") from None
    else:
        text = body
    # Cheap pre-check: a body with few brackets cannot nest deeply (almost every request).
    if text.count("[") + text.count("{") > max_depth:
        if text.count('"') > _QUOTES_PER_CONTAINER * max_containers:
            raise _refuse(f"more than {_QUOTES_PER_CONTAINER // 2 * max_containers} strings")
        structure = _structure(text)
        if len(structure) > 2 * max_containers:
            raise _refuse(f"more than {max_containers} arrays and objects")
        if nesting_depth(structure) > max_depth:
            raise _refuse(f"arrays and objects nested deeper than {max_depth} levels")
    try:
        return _DECODER.decode(text)
    except RecursionError:
        # Only reachable if max_depth were set above the interpreter's limit: still refused.
        raise _refuse(f"arrays and objects nested deeper than {max_depth} levels") from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise RpcError(PARSE_ERROR, "parse error") from None
        raise _refuse(str(exc)) from None
