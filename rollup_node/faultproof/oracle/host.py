"""The host side of the oracle: answers a running program's hints and preimage requests.

``Oracle`` is what both runners consult: the MIPS VM (through ``mips.syscalls.HostIO``) and
``run_native``, which starts the native build of the program as a subprocess with four pipes on
its fds 3–6 (see the package docstring for the wire protocol). Every preimage served is checked
against its key first (``source.check_preimage``): a keccak preimage that does not hash to its
key is refused with ``PreimageMismatch`` and ends the run.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from rollup_node.faultproof.oracle.hints import HintRouter
from rollup_node.faultproof.oracle.precompiles import PrecompileHintHandler
from rollup_node.faultproof.oracle.source import (
    ChainedSource,
    DictSource,
    PreimageSource,
    check_preimage,
)

FD_HINT_READ = 3
FD_HINT_WRITE = 4
FD_PREIMAGE_READ = 5
FD_PREIMAGE_WRITE = 6
HINT_ACK = b"\x00"


class Oracle:
    """Preimages from ``source`` and hints through ``router``.

    Precompile results prepared by ``precompile`` hints are kept in ``computed`` and consulted
    after ``source``.
    """

    def __init__(self, source: PreimageSource, router: HintRouter | None = None) -> None:
        self.computed = DictSource()
        self.router = router if router is not None else HintRouter()
        self.router.register("precompile", PrecompileHintHandler(self.computed))
        self.source = ChainedSource([source, self.computed])

    def get_preimage(self, key: bytes) -> bytes:
        """The checked preimage of ``key`` (``PreimageNotFound``, ``PreimageMismatch``)."""
        value = self.source.get_preimage(key)
        check_preimage(key, value)
        return value

    def hint(self, payload: bytes) -> None:
        """Route one complete hint payload."""
        self.router.route(payload)


@dataclass(frozen=True)
class NativeResult:
    """The outcome of a native run."""

    exit_code: int
    stdout: bytes
    stderr: bytes


class HostError(RuntimeError):
    """The host could not serve the program (unknown key, bad preimage, broken protocol)."""


def read_exact(fd: int, size: int) -> bytes | None:
    """``size`` bytes from ``fd``, or None at end of file before the first byte."""
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            if data:
                raise HostError(f"program closed the pipe mid-message ({len(data)}/{size} bytes)")
            return None
        data += chunk
    return bytes(data)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def serve_hints(oracle: Oracle, request_fd: int, ack_fd: int) -> None:
    """Answer ``u32 length ‖ payload`` hints with one ack byte until the program closes fd 4."""
    while (header := read_exact(request_fd, 4)) is not None:
        length = int.from_bytes(header, "big")
        payload = read_exact(request_fd, length) if length else b""
        if payload is None:
            raise HostError("program closed the hint pipe mid-hint")
        oracle.hint(payload)
        write_all(ack_fd, HINT_ACK)


def serve_preimages(oracle: Oracle, request_fd: int, response_fd: int) -> None:
    """Answer 32-byte keys with ``u64 length ‖ preimage`` until the program closes fd 6."""
    while (key := read_exact(request_fd, 32)) is not None:
        value = oracle.get_preimage(key)
        write_all(response_fd, len(value).to_bytes(8, "big") + value)


def run_native(
    argv: Sequence[str],
    source: PreimageSource | Oracle,
    hints: HintRouter | None = None,
    stdin: bytes = b"",
    timeout: float | None = None,
) -> NativeResult:
    """Run a native program with the oracle pipes on its fds 3–6 and serve it to the end.

    Raises ``HostError`` (with the program killed) if a request cannot be answered, and
    ``subprocess.TimeoutExpired`` if the program runs past ``timeout`` seconds.
    """
    oracle = source if isinstance(source, Oracle) else Oracle(source, hints)
    hint_ack_r, hint_ack_w = os.pipe()  # host -> program fd 3
    hint_req_r, hint_req_w = os.pipe()  # program fd 4 -> host
    pre_resp_r, pre_resp_w = os.pipe()  # host -> program fd 5
    pre_req_r, pre_req_w = os.pipe()  # program fd 6 -> host
    child_ends = {
        FD_HINT_READ: hint_ack_r,
        FD_HINT_WRITE: hint_req_w,
        FD_PREIMAGE_READ: pre_resp_r,
        FD_PREIMAGE_WRITE: pre_req_w,
    }

    def place_fds() -> None:
        # Move the pipe ends out of the way first: they may already sit on 3..6.
        high = {target: fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for target, fd in child_ends.items()}
        for target in child_ends:
            os.dup2(high[target], target)

    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=tuple(child_ends),
        preexec_fn=place_fds,
    )
    for fd in child_ends.values():
        os.close(fd)
    errors: list[BaseException] = []

    def serve(target, request_fd: int, response_fd: int) -> None:
        try:
            target(oracle, request_fd, response_fd)
        except BaseException as error:  # reported to the caller below
            errors.append(error)
            process.kill()
        finally:
            os.close(request_fd)
            os.close(response_fd)

    threads = [
        threading.Thread(target=serve, args=(serve_hints, hint_req_r, hint_ack_w), daemon=True),
        threading.Thread(target=serve, args=(serve_preimages, pre_req_r, pre_resp_w), daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        stdout, stderr = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    finally:
        for thread in threads:
            thread.join(timeout=5)
    if errors:
        raise HostError(f"host could not serve the program: {errors[0]}") from errors[0]
    return NativeResult(exit_code=process.returncode, stdout=stdout, stderr=stderr)
