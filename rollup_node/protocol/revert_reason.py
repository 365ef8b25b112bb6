"""The human reason in revert data: Solidity's ``Error(string)`` and ``Panic(uint256)``.

Pure; worded as geth words it, so that clients matching on geth's messages recognise it (the
RPC's "execution reverted: <reason>" and the call tracer's ``revertReason``).
"""

from __future__ import annotations

_ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
_PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)

# Solidity's panic codes, worded as geth words them.
_PANIC_REASONS = {
    0x00: "generic panic",
    0x01: "assert(false)",
    0x11: "arithmetic underflow or overflow",
    0x12: "division or modulo by zero",
    0x21: "enum overflow",
    0x22: "invalid encoded storage byte array accessed",
    0x31: "out-of-bounds array access; popping on an empty array",
    0x32: "out-of-bounds access of an array or bytesSlice",
    0x41: "out of memory",
    0x51: "uninitialized function",
}


def decode_revert_reason(data: bytes) -> str | None:
    """The human reason in revert data: ``Error(string)`` or ``Panic(uint256)``, else ``None``."""
    if data[:4] == _ERROR_SELECTOR and len(data) >= 4 + 64:
        body = data[4:]
        offset = int.from_bytes(body[:32], "big")
        if offset + 32 > len(body):
            return None
        length = int.from_bytes(body[offset : offset + 32], "big")
        start = offset + 32
        if start + length > len(body):
            return None
        try:
            return body[start : start + length].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if data[:4] == _PANIC_SELECTOR and len(data) == 4 + 32:
        code = int.from_bytes(data[4:], "big")
        return _PANIC_REASONS.get(code, f"unknown panic code: {code:#x}")
    return None
