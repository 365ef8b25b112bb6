"""System calls of the VM and the host interface they reach (SPEC §8).

o32 numbers: ``exit_group`` 4246, ``read`` 4003, ``write`` 4004, ``mmap`` 4090, ``brk`` 4045,
``fcntl`` 4055, ``clone`` 4120; every other number is a no-op returning ``v0 = 0, a3 = 0``.
File descriptors: 0/1/2 stdio, 3 hint read, 4 hint write, 5 preimage read, 6 preimage write.

The same semantics serve the reference step (``step.py``) and the fast emulator (``fast.py``):
both call ``syscall`` with a register file and a word-memory accessor, so one function defines
them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from rollup_node.faultproof.mips.memory import PAGE_ADDR_MASK, PAGE_SIZE

SYS_READ = 4003
SYS_WRITE = 4004
SYS_BRK = 4045
SYS_FCNTL = 4055
SYS_MMAP = 4090
SYS_CLONE = 4120
SYS_EXIT_GROUP = 4246

FD_STDIN = 0
FD_STDOUT = 1
FD_STDERR = 2
FD_HINT_READ = 3
FD_HINT_WRITE = 4
FD_PREIMAGE_READ = 5
FD_PREIMAGE_WRITE = 6

EBADF = 9
EINVAL = 22
F_GETFD = 1
F_GETFL = 3
BRK_START = 0x40000000
U32 = 0xFFFFFFFF

_READ_FDS = (FD_STDIN, FD_HINT_READ, FD_PREIMAGE_READ)
_WRITE_FDS = (FD_STDOUT, FD_STDERR, FD_HINT_WRITE, FD_PREIMAGE_WRITE)


class PreimageOracle(Protocol):
    """What the VM asks of the host: preimages by key, and hints to prepare them."""

    def get_preimage(self, key: bytes) -> bytes:
        """The preimage stored under the 32-byte ``key``; raises if unknown."""
        ...

    def hint(self, payload: bytes) -> None:
        """Process one complete hint (without its length prefix)."""
        ...


class HostIO:
    """The VM's side effects that are not part of the state: output, hints, preimages.

    Hints arrive as ``u32 length ‖ payload`` in any number of writes to fd 4; ``hint_buffer``
    holds an incomplete one across steps, as the program may split it.
    """

    def __init__(
        self,
        oracle: PreimageOracle | None = None,
        stdout: Callable[[bytes], object] | None = None,
        stderr: Callable[[bytes], object] | None = None,
    ) -> None:
        self.oracle = oracle
        self.stdout = stdout
        self.stderr = stderr
        self.hint_buffer = bytearray()
        self._cached_key: bytes | None = None
        self._cached_data = b""

    def preimage_chunk(self, key: bytes, offset: int) -> bytes:
        """Bytes of ``u64 length ‖ preimage`` for ``key`` from ``offset`` on."""
        if key != self._cached_key:
            if self.oracle is None:
                raise LookupError("the program read a preimage but the VM has no oracle")
            preimage = self.oracle.get_preimage(key)
            self._cached_data = len(preimage).to_bytes(8, "big") + preimage
            self._cached_key = key
        return self._cached_data[offset : offset + 32]

    def write_hint(self, data: bytes) -> None:
        """Buffer hint bytes and pass every complete hint to the oracle."""
        self.hint_buffer += data
        buffer = self.hint_buffer
        while len(buffer) >= 4:
            length = int.from_bytes(buffer[:4], "big")
            if len(buffer) - 4 < length:
                break
            payload = bytes(buffer[4 : 4 + length])
            del buffer[: 4 + length]
            if self.oracle is not None:
                self.oracle.hint(payload)


class SyscallState(Protocol):
    """The state fields a system call touches (``State`` and the fast emulator's view)."""

    registers: list[int]
    heap: int
    exited: bool
    exit_code: int
    preimage_key: bytes
    preimage_offset: int


def syscall(
    state: SyscallState,
    get_word: Callable[[int], int],
    set_word: Callable[[int, int], None],
    read_bytes: Callable[[int, int], bytes],
    io: HostIO,
    track: Callable[[int], None] | None = None,
) -> None:
    """Apply the system call in ``v0`` to ``state``; the caller advances ``pc``.

    Sets ``v0`` (register 2) and ``a3`` (register 7, the error code) except for ``exit_group``,
    which only sets ``exited`` and ``exit_code``. ``track`` is told the one memory word the call
    reads and writes (preimage read/write), before it is read.
    """
    regs = state.registers
    number, a0, a1, a2 = regs[2], regs[4], regs[5], regs[6]
    v0 = 0
    v1 = 0
    if number == SYS_MMAP:
        size = a1
        if size & PAGE_ADDR_MASK:
            size += PAGE_SIZE - (size & PAGE_ADDR_MASK)
        if a0 == 0:
            v0 = state.heap
            state.heap = (state.heap + size) & U32
        else:
            v0 = a0
    elif number == SYS_BRK:
        v0 = BRK_START
    elif number == SYS_CLONE:
        v0 = 1
    elif number == SYS_EXIT_GROUP:
        state.exited = True
        state.exit_code = a0 & 0xFF
        return
    elif number == SYS_READ:
        if a0 == FD_STDIN:
            pass  # stdin is empty: read nothing, no error
        elif a0 == FD_PREIMAGE_READ:
            addr = a1 & 0xFFFFFFFC
            if track is not None:
                track(addr)
            word = get_word(addr).to_bytes(4, "big")
            data = io.preimage_chunk(state.preimage_key, state.preimage_offset)
            alignment = a1 & 3
            length = min(len(data), 4 - alignment, a2)
            merged = word[:alignment] + data[:length] + word[alignment + length :]
            set_word(addr, int.from_bytes(merged, "big"))
            state.preimage_offset += length
            v0 = length
        elif a0 == FD_HINT_READ:
            v0 = a2  # the acknowledgement is not stored: memory is left untouched
        else:
            v0, v1 = U32, EBADF
    elif number == SYS_WRITE:
        if a0 in (FD_STDOUT, FD_STDERR):
            sink = io.stdout if a0 == FD_STDOUT else io.stderr
            if sink is not None and a2:
                sink(read_bytes(a1, a2))
            v0 = a2
        elif a0 == FD_HINT_WRITE:
            if a2:
                io.write_hint(read_bytes(a1, a2))
            v0 = a2
        elif a0 == FD_PREIMAGE_WRITE:
            addr = a1 & 0xFFFFFFFC
            if track is not None:
                track(addr)
            word = get_word(addr).to_bytes(4, "big")
            alignment = a1 & 3
            length = min(4 - alignment, a2)
            state.preimage_key = (state.preimage_key + word[alignment : alignment + length])[-32:]
            state.preimage_offset = 0
            v0 = length
        else:
            v0, v1 = U32, EBADF
    elif number == SYS_FCNTL:
        if a1 in (F_GETFL, F_GETFD):
            if a0 in _READ_FDS:
                v0 = 0  # O_RDONLY, or no descriptor flags
            elif a0 in _WRITE_FDS:
                v0 = 1 if a1 == F_GETFL else 0  # O_WRONLY, or no descriptor flags
            else:
                v0, v1 = U32, EBADF
        else:
            v0, v1 = U32, EINVAL
    regs[2] = v0
    regs[7] = v1
