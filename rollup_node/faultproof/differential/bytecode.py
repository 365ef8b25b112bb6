"""Random EVM contracts as lists of snippets: generated from a seed, assembled, shrunk.

A ``Program`` is a list of self-contained snippets (each pushes its own arguments), so any
subset of it is still a well-formed contract: that is what lets the shrinker drop snippets one
at a time. Jumps only go forward, to a ``label`` snippet (a JUMPDEST) or, when that label was
dropped, to the JUMPDEST every program ends with, so no program loops: its cost is bounded by
its length and its calls. Addresses of other contracts are symbolic (``Ref``) and resolved when
the block is materialized, because they depend on the nonces of the transactions kept.

The mix covers what the Cancun EVM (SPEC §3) charges and changes state for: storage (set,
overwrite, clear: refunds), transient storage, memory, logs, every call kind with fixed and
all-but-one-64th gas (out-of-gas at depth, reentrancy into self), CREATE/CREATE2 (including
init code that reverts, deploys ``0xEF`` code or too-large code), precompiles, warm and cold
account access, RETURNDATACOPY out of bounds, invalid jumps and every way a frame ends.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

Ref = tuple[str, int]
"""A symbolic address: ("contract", k) is the k-th contract created in the block."""

Resolver = Callable[[Ref], bytes]

ARITHMETIC = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0A, 0x0B, 0x10, 0x11, 0x12, 0x13,
              0x14, 0x16, 0x17, 0x18, 0x1A, 0x1B, 0x1C, 0x1D]  # fmt: skip
TERNARY = [0x08, 0x09]  # ADDMOD, MULMOD
NULLARY = [0x30, 0x32, 0x33, 0x34, 0x36, 0x38, 0x3A, 0x3D, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
           0x47, 0x48, 0x4A, 0x58, 0x59, 0x5A, 0x5F]  # fmt: skip
ACCOUNT_QUERY = [0x31, 0x3B, 0x3F]  # BALANCE, EXTCODESIZE, EXTCODEHASH
PRECOMPILES = list(range(1, 11))

# Init codes a CREATE may run: STOP runtime, a reverting init, a runtime starting with 0xEF
# (refused, EIP-3541), one over the 24,576-byte limit (refused), a self-destructing runtime.
INIT_CODES = [
    bytes.fromhex("600a5ff3"),  # returns 10 zero bytes from memory
    bytes.fromhex("60006000fd"),  # REVERT
    bytes.fromhex("60ef60005360016000f3"),  # returns 0xEF
    bytes.fromhex("616001" + "6000f3"),  # returns 24,577 zero bytes
    bytes.fromhex("6133ff6000526002601ef3"),  # runtime CALLER SELFDESTRUCT
    bytes.fromhex("600160015500"),  # SSTORE(1, 1) in the init frame, empty runtime
]


def push(value: int) -> bytes:
    """The shortest PUSH of ``value`` (PUSH0 for zero)."""
    if value == 0:
        return b"\x5f"
    size = (value.bit_length() + 7) // 8
    return bytes([0x5F + size]) + value.to_bytes(size, "big")


@dataclass(frozen=True)
class Snippet:
    """One self-contained piece of code; ``target`` is a symbolic call target or None."""

    kind: str
    code: bytes = b""
    target: Ref | None = None
    label: int = -1  # for "jumpi"/"label": the label's id

    def assemble(self, resolve: Resolver, labels: dict[int, int], end: int) -> bytes:
        """The snippet's bytes, with its target and jump destination filled in."""
        if self.kind in ("jumpi", "jump"):
            destination = labels.get(self.label, end)
            jump = b"\x57" if self.kind == "jumpi" else b"\x50\x56"
            return self.code + b"\x61" + destination.to_bytes(2, "big") + jump
        if self.target is not None:
            return self.code.replace(b"\xaa" * 20, resolve(self.target))
        return self.code

    def size(self) -> int:
        return len(self.code) + (4 if self.kind in ("jumpi", "jump") else 0)


@dataclass(frozen=True)
class Program:
    """A contract's runtime as snippets; ``assemble`` gives its bytes."""

    snippets: tuple[Snippet, ...]
    ending: bytes = b""

    def assemble(self, resolve: Resolver) -> bytes:
        """Lay the snippets out, then fill in jump destinations (all forward) and targets."""
        labels: dict[int, int] = {}
        offset = 0
        for snippet in self.snippets:
            if snippet.kind == "label":
                labels[snippet.label] = offset
            offset += snippet.size()
        end = offset
        body = b"".join(s.assemble(resolve, labels, end) for s in self.snippets)
        return body + b"\x5b" + self.ending

    def without(self, index: int) -> Program:
        """The program with snippet ``index`` dropped (shrinking)."""
        return Program(self.snippets[:index] + self.snippets[index + 1 :], self.ending)


def _word(rng: random.Random) -> int:
    return rng.choice([0, 1, 2, 31, 32, 255, 2**255, 2**256 - 1, rng.getrandbits(256),
                       rng.getrandbits(64)])  # fmt: skip


def _call(rng: random.Random, targets: list[Ref]) -> Snippet:
    """CALL, CALLCODE, DELEGATECALL or STATICCALL to another contract, self, a precompile, the
    caller or a fresh address, with a fixed gas or all it may pass; then copies return data."""
    op = rng.choice([0xF1, 0xF2, 0xF4, 0xFA])
    args_len, ret_len = rng.choice([0, 32, 64, 200]), rng.choice([0, 32, 64])
    gas = push(rng.choice([0, 2_300, 5_000, 30_000, 100_000])) if rng.random() < 0.5 else b"\x5a"
    value = push(rng.choice([0, 0, 1, 10**9])) if op in (0xF1, 0xF2) else b""
    where = rng.random()
    target: Ref | None = None
    if where < 0.35 and targets:
        target = rng.choice(targets)
        address = b"\x73" + b"\xaa" * 20
    elif where < 0.55:
        address = b"\x30"  # ADDRESS: reentrancy into self
    elif where < 0.8:
        address = push(rng.choice(PRECOMPILES))
    elif where < 0.9:
        address = b"\x33"  # CALLER
    else:
        address = b"\x73" + rng.randbytes(20)
    # args/ret in memory at 0; stack order: gas, addr, [value], argsOff, argsLen, retOff, retLen
    tail = push(ret_len) + push(0) + push(args_len) + push(0) + value + address + gas
    copy = b""
    if rng.random() < 0.4:  # RETURNDATACOPY(0, 0, n): n past the return data halts the frame
        copy = push(rng.choice([0, 32, 64])) + push(0) + push(0) + b"\x3e"
    return Snippet("call", tail + bytes([op, 0x50]) + copy, target)


def _create(rng: random.Random) -> Snippet:
    init = rng.choice(INIT_CODES)
    code = b""
    for i in range(0, len(init), 32):
        word = init[i : i + 32].ljust(32, b"\0")
        code += b"\x7f" + word + push(i) + b"\x52"  # MSTORE
    value = push(rng.choice([0, 0, 1]))
    if rng.random() < 0.5:
        code += push(len(init)) + push(0) + value + b"\xf0"  # CREATE(value, 0, len)
    else:
        code += push(rng.getrandbits(32)) + push(len(init)) + push(0) + value + b"\xf5"
    return Snippet("create", code + b"\x50")


def random_snippet(rng: random.Random, targets: list[Ref], label: int) -> Snippet:
    """One snippet; ``label`` is the id a jump snippet aims at (a later label snippet)."""
    kind = rng.choices(
        ["arith", "env", "account", "sstore", "sload", "tstore", "mstore", "keccak", "log",
         "call", "create", "jumpi", "label", "badjump", "mcopy", "blockhash"],
        weights=[12, 5, 6, 10, 4, 5, 5, 3, 4, 12, 4, 4, 4, 1, 2, 1],
    )[0]  # fmt: skip
    if kind == "arith":
        if rng.random() < 0.2:
            op = rng.choice(TERNARY)
            code = push(_word(rng)) + push(_word(rng)) + push(_word(rng)) + bytes([op])
        else:
            code = push(_word(rng)) + push(_word(rng)) + bytes([rng.choice(ARITHMETIC)])
        # keep the result where the state sees it half the time
        if rng.random() < 0.5:
            return Snippet(kind, code + push(rng.randint(0, 3)) + b"\x55")
        return Snippet(kind, code + b"\x50")
    if kind == "env":
        op = rng.choice(NULLARY)
        return Snippet(kind, bytes([op]) + push(rng.randint(0, 7)) + b"\x55")  # SSTORE(k, v)
    if kind == "account":
        if targets and rng.random() < 0.4:
            return Snippet(kind, b"\x73" + b"\xaa" * 20 + bytes([rng.choice(ACCOUNT_QUERY), 0x50]),
                           rng.choice(targets))  # fmt: skip
        address = rng.choice([push(rng.randint(1, 10)), b"\x73" + rng.randbytes(20), b"\x30"])
        if rng.random() < 0.2:  # EXTCODECOPY(addr, 0, 0, 40)
            return Snippet(kind, push(40) + push(0) + push(0) + address + b"\x3c")
        return Snippet(kind, address + bytes([rng.choice(ACCOUNT_QUERY)]) + b"\x50")
    if kind == "sstore":
        value = rng.choice([0, 0, 1, 2, _word(rng)])
        return Snippet(kind, push(value) + push(rng.randint(0, 3)) + b"\x55")
    if kind == "sload":
        return Snippet(kind, push(rng.randint(0, 5)) + b"\x54" + push(rng.randint(4, 7)) + b"\x55")
    if kind == "tstore":
        slot = rng.randint(0, 2)
        if rng.random() < 0.5:  # TLOAD into storage: what an earlier frame left is visible
            return Snippet(kind, push(slot) + b"\x5c" + push(8 + slot) + b"\x55")
        return Snippet(kind, push(_word(rng)) + push(slot) + b"\x5d")
    if kind == "mstore":
        offset = rng.choice([0, 31, 64, 1000, 20_000])
        return Snippet(kind, push(_word(rng)) + push(offset) + rng.choice([b"\x52", b"\x53"]))
    if kind == "keccak":
        return Snippet(kind, push(rng.choice([0, 32, 100])) + push(0) + b"\x20\x50")
    if kind == "log":
        topics = rng.randint(0, 4)
        code = b"".join(push(_word(rng)) for _ in range(topics))
        code += push(rng.choice([0, 32, 64])) + push(rng.choice([0, 32])) + bytes([0xA0 + topics])
        return Snippet(kind, code)
    if kind == "call":
        return _call(rng, targets)
    if kind == "create":
        return _create(rng)
    if kind == "jumpi":
        condition = rng.choice([b"\x5f", b"\x60\x01", b"\x5f\x35\x60\x01\x16", b"\x5a\x60\x01\x16"])
        return Snippet(kind, condition, label=label)
    if kind == "label":
        return Snippet(kind, b"\x5b", label=label)
    if kind == "badjump":  # past the code, never a JUMPDEST: exceptional halt
        return Snippet(kind, push(0xFFFF) + b"\x56")
    if kind == "mcopy":
        return Snippet(kind, push(rng.choice([0, 32, 96])) + push(0) + push(32) + b"\x5e")
    return Snippet(kind, push(rng.randint(0, 300)) + b"\x40" + push(9) + b"\x55")  # BLOCKHASH


ENDINGS = [b"", b"\x00", b"\x60\x20\x5f\xf3", b"\x60\x04\x5f\xfd", b"\xfe", b"\x33\xff",
           b"\x30\xff"]  # fmt: skip
"""STOP (implicit or explicit), RETURN, REVERT, INVALID, SELFDESTRUCT to caller or to self."""


def random_program(rng: random.Random, targets: list[Ref], length: int) -> Program:
    """A program of ``length`` snippets that may call the contracts ``targets``."""
    snippets = []
    label = 0
    for _ in range(length):
        snippet = random_snippet(rng, targets, label)
        if snippet.kind == "label":
            label += 1
        snippets.append(snippet)
    return Program(tuple(snippets), rng.choice(ENDINGS))


def init_code(runtime: bytes) -> bytes:
    """Init code that returns ``runtime`` (copied from its own tail) as the contract's code."""
    size = len(runtime).to_bytes(2, "big")
    # PUSH2 size, DUP1, PUSH1 10, PUSH0, CODECOPY, PUSH0, RETURN  (this header is 10 bytes)
    return b"\x61" + size + b"\x80\x60\x0a\x5f\x39\x5f\xf3" + runtime
