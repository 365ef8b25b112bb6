"""The program's side of the oracle wire protocol, in Python.

The C fault-proof program implements the same exchange; this module serves tests and Python
tools that talk to a host through the fds 3–6 convention (see the package docstring).
"""

from __future__ import annotations

import os

from rollup_node.faultproof.oracle.host import (
    FD_HINT_READ,
    FD_HINT_WRITE,
    FD_PREIMAGE_READ,
    FD_PREIMAGE_WRITE,
    HostError,
    read_exact,
    write_all,
)


class OracleClient:
    """Requests preimages and sends hints over the four oracle fds."""

    def __init__(
        self,
        hint_read: int = FD_HINT_READ,
        hint_write: int = FD_HINT_WRITE,
        preimage_read: int = FD_PREIMAGE_READ,
        preimage_write: int = FD_PREIMAGE_WRITE,
    ) -> None:
        self.hint_read = hint_read
        self.hint_write = hint_write
        self.preimage_read = preimage_read
        self.preimage_write = preimage_write

    def hint(self, hint_type: str, data: bytes) -> None:
        """Send ``type ‖ ' ' ‖ data`` and wait for the host's acknowledgement."""
        payload = hint_type.encode("ascii") + b" " + data
        write_all(self.hint_write, len(payload).to_bytes(4, "big") + payload)
        if read_exact(self.hint_read, 1) is None:
            raise HostError("host closed the hint pipe")

    def get_preimage(self, key: bytes) -> bytes:
        """The preimage of the 32-byte ``key``."""
        if len(key) != 32:
            raise ValueError(f"preimage key must be 32 bytes, got {len(key)}")
        write_all(self.preimage_write, key)
        header = read_exact(self.preimage_read, 8)
        if header is None:
            raise HostError("host closed the preimage pipe")
        length = int.from_bytes(header, "big")
        value = read_exact(self.preimage_read, length) if length else b""
        if value is None:
            raise HostError("host closed the preimage pipe mid-preimage")
        return value

    def close(self) -> None:
        """Close the program's ends so the host's serving loops finish."""
        for fd in (self.hint_write, self.preimage_write):
            os.close(fd)
