"""geth's ``callTracer``: the tree of messages a transaction sends.

Each frame is ``{"type", "from", "to", "value"?, "gas", "gasUsed", "input", "output"?,
"error"?, "revertReason"?, "calls"?, "logs"?}`` with quantities and bytes as ``0x`` hex:

- ``type`` is the opcode that sent the message (``CALL``/``CREATE`` for the transaction);
  ``from`` is the sending contract (for DELEGATECALL and CALLCODE too), ``to`` the code run
  (the created address for a create, zero when the create failed);
- ``value`` is absent for STATICCALL; a DELEGATECALL shows the value it inherits;
- ``gas`` is what the frame started with (the callee's stipend included; the transaction's
  frame: its gas limit less intrinsic gas), ``gasUsed`` what it consumed (the transaction's
  frame: the transaction's gas used, after the refund);
- ``output`` is the return data on success or REVERT; ``error`` says why a frame failed, and
  ``revertReason`` decodes ``Error(string)`` / ``Panic(uint256)`` revert data;
- ``tracerConfig`` options: ``onlyTopCall`` (no ``calls``), ``withLog`` (each frame's logs,
  dropped from frames that failed or whose caller failed, as the chain drops them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth.abc import ComputationAPI, MessageAPI
from eth.exceptions import Revert

from rollup_node.chain.errors import vm_error_message
from rollup_node.protocol.revert_reason import decode_revert_reason
from rollup_node.protocol.transaction_validity import INIT_CODE_WORD_GAS

ZERO_ADDRESS = b"\x00" * 20
_LOG_OPS = {"LOG0": 0, "LOG1": 1, "LOG2": 2, "LOG3": 3, "LOG4": 4}


@dataclass(frozen=True, slots=True)
class CallTracerOptions:
    """geth's ``callTracer`` ``tracerConfig``."""

    only_top_call: bool = False
    with_log: bool = False


def _hex(raw: bytes) -> str:
    return "0x" + bytes(raw).hex()


def _word(value: int | bytes) -> int:
    return value if isinstance(value, int) else int.from_bytes(value, "big")


class CallTracer:
    """Builds the call tree of one transaction or call (a ``chain.tracing.Tracer``)."""

    def __init__(self, options: CallTracerOptions) -> None:
        self._options = options
        # Only logs are read from opcodes; without them the opcodes run unwrapped.
        self.needs_opcodes = options.with_log
        self._stack: list[dict[str, Any]] = []
        self._root: dict[str, Any] | None = None

    def _recording(self) -> bool:
        """Whether the innermost frame is one this tracer keeps (``onlyTopCall``: the top)."""
        return not self._options.only_top_call or len(self._stack) <= 1

    def enter(self, kind: str, message: MessageAPI, parent: ComputationAPI | None) -> None:
        """Open a frame for the message."""
        sender = parent.msg.storage_address if parent is not None else message.sender
        target = message.storage_address if message.is_create else message.code_address
        gas = message.gas
        if parent is None and message.is_create:
            # py-evm charges the init code's word gas inside the message; geth, in the
            # intrinsic gas, before the frame starts.
            gas -= INIT_CODE_WORD_GAS * ((len(message.code) + 31) // 32)
        frame: dict[str, Any] = {
            "type": kind,
            "from": _hex(sender),
            "to": _hex(target),
            "gas": hex(gas),
            "gasUsed": "0x0",
            "input": _hex(message.code if message.is_create else message.data_as_bytes),
        }
        if kind != "STATICCALL":
            frame["value"] = hex(message.value)
        self._stack.append(frame)

    def exit(self, computation: ComputationAPI) -> None:
        """Close the innermost frame with its outcome and hang it under its caller."""
        frame = self._stack.pop()
        message = computation.msg
        frame["gasUsed"] = hex(message.gas - computation.get_gas_remaining())
        if computation.is_success:
            if computation.output:  # geth omits an empty output
                frame["output"] = _hex(computation.output)
        else:
            error = computation.error
            frame["error"] = vm_error_message(error)
            if message.is_create:
                frame["to"] = _hex(ZERO_ADDRESS)
            if isinstance(error, Revert) and computation.output:
                frame["output"] = _hex(computation.output)
                reason = decode_revert_reason(bytes(computation.output))
                if reason is not None:
                    frame["revertReason"] = reason
        if not self._stack:
            self._root = frame
        elif not self._options.only_top_call:
            self._stack[-1].setdefault("calls", []).append(frame)

    def before_opcode(self, computation: ComputationAPI, pc: int, name: str) -> None:
        """With ``withLog``, note each LOG of the frame (from the stack and memory)."""
        if not self._options.with_log or name not in _LOG_OPS or not self._recording():
            return
        stack = computation._stack.values
        count = _LOG_OPS[name]
        if len(stack) < 2 + count:
            return  # the opcode fails on the stack underflow
        start, size = _word(stack[-1]), _word(stack[-2])
        topics = [_word(stack[-3 - i]).to_bytes(32, "big") for i in range(count)]
        memory = computation._memory._bytes
        data = bytes(memory[start : start + size]).ljust(size, b"\x00") if size else b""
        self._stack[-1].setdefault("logs", []).append(
            {
                "address": _hex(computation.msg.storage_address),
                "topics": [_hex(topic) for topic in topics],
                "data": _hex(data),
            }
        )

    def after_opcode(self, computation: ComputationAPI, error: BaseException | None) -> None:
        """Nothing: frames carry what this tracer reports."""

    def gas_returned(self, computation: ComputationAPI, amount: int) -> None:
        """Nothing: a frame's gas used is read when it exits."""

    def result(self, gas_used: int) -> dict[str, Any]:
        """The transaction's frame; ``gas_used`` is the transaction's (after refund)."""
        if self._root is None:
            raise ValueError("the traced execution sent no message")
        root = self._root
        root["gasUsed"] = hex(gas_used)
        if self._options.with_log:
            _drop_failed_logs(root, parent_failed=False)
        return root


def _drop_failed_logs(frame: dict[str, Any], parent_failed: bool) -> None:
    failed = parent_failed or "error" in frame
    if failed:
        frame.pop("logs", None)
    for call in frame.get("calls", ()):
        _drop_failed_logs(call, failed)
