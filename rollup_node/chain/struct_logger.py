"""geth's default tracer, the struct logger: one record per opcode executed.

Answers ``debug_traceTransaction`` / ``debug_traceCall`` without a ``tracer`` option, in the
shape Foundry, ethers and web3.py read from geth and anvil::

    {"gas": <gas used>, "failed": bool, "returnValue": "0x…", "structLogs": [
        {"pc", "op", "gas", "gasCost", "depth", "stack", "memory"?, "storage"?, "refund"?,
         "returnData"?, "error"?}, …]}

- ``gas`` is the frame's gas before the opcode, ``depth`` starts at 1 for the transaction's
  own frame, ``stack`` lists words bottom first as ``0x`` quantities, ``memory`` 32-byte words
  (only with ``enableMemory``), ``storage`` the slots this contract has read or written so far
  in the transaction, shown on SLOAD and SSTORE only (unless ``disableStorage``), ``refund``
  the transaction's refund counter when it is not zero (geth omits zeroes).
- ``gasCost`` is geth's: what the opcode charges before it runs. For CALL-type opcodes that
  includes the gas handed to the callee (without the value stipend), for CREATE/CREATE2 it
  does not (geth takes the 63/64 inside the opcode, after the cost is reported). py-evm
  charges the same amounts in different places, so the cost is the frame's gas drop over the
  opcode, plus what the callee gave back, minus a create's callee gas.

The trace is bounded, so that client-chosen code cannot fill the node's memory: at most
``max_steps`` records, and at most ``max_bytes`` (estimated) of stack, memory and storage
captured in them — a full stack, a megabyte of memory or a growing storage map is copied into
every record (``TraceTooLarge`` beyond either bound). geth's ``limit`` option stops recording
quietly after that many.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth.abc import ComputationAPI, MessageAPI
from eth.exceptions import Halt, Revert

from rollup_node.chain.errors import TraceTooLarge, vm_error_message

_STORAGE_OPS = frozenset({"SLOAD", "SSTORE"})
#: Default bound of what the records of one trace hold (stack, memory and storage, estimated).
MAX_TRACE_BYTES = 256 * 1024 * 1024
#: Estimated bytes of one short string in a record (CPython's object header and pointer).
_STRING_OVERHEAD = 64
_CREATE_OPS = frozenset({"CREATE", "CREATE2"})


@dataclass(frozen=True, slots=True)
class StructLogOptions:
    """geth's ``logger.Config`` options as JSON-RPC names them."""

    disable_stack: bool = False
    enable_memory: bool = False
    disable_storage: bool = False
    enable_return_data: bool = False
    limit: int = 0  # 0: no limit


@dataclass(slots=True)
class _OpenStep:
    """An opcode that has started and not finished (a CALL stays open while its callee runs)."""

    record: dict[str, Any]
    gas_before: int
    returned: int = 0
    callee_gas: int = 0


def _word(value: int | bytes) -> int:
    """A stack item as an integer (py-evm keeps some as bytes)."""
    return value if isinstance(value, int) else int.from_bytes(value, "big")


def _size(record: dict[str, Any]) -> int:
    """Estimated bytes a record holds beyond its fixed fields."""
    total = 0
    for item in record.get("stack", ()):
        total += _STRING_OVERHEAD + len(item)
    for word in record.get("memory", ()):
        total += _STRING_OVERHEAD + len(word)
    total += 2 * (_STRING_OVERHEAD + 66) * len(record.get("storage", ()))
    return total


def _slot_hex(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


class StructLogger:
    """Collects struct logs of one transaction or call (a ``chain.tracing.Tracer``)."""

    needs_opcodes = True

    def __init__(
        self, options: StructLogOptions, max_steps: int, max_bytes: int = MAX_TRACE_BYTES
    ) -> None:
        self._options = options
        self._max_steps = max_steps
        self._max_bytes = max_bytes
        self._bytes = 0
        self._logs: list[dict[str, Any]] = []
        self._open: list[_OpenStep] = []
        # Computations of the active frames, outermost first (for the refund counter).
        self._frames: list[ComputationAPI] = []
        self._storage: dict[bytes, dict[int, int]] = {}
        self._output = b""
        self._failed = False

    def enter(self, kind: str, message: MessageAPI, parent: ComputationAPI | None) -> None:
        """A create's callee gas is not part of the CREATE's cost (see the module doc)."""
        if parent is not None and kind in _CREATE_OPS and self._open:
            self._open[-1].callee_gas += message.gas

    def exit(self, computation: ComputationAPI) -> None:
        """Keep the transaction's outcome: output (revert data on REVERT) and failure."""
        if computation.msg.depth == 0:
            self._failed = computation.is_error
            self._output = computation.output

    def before_opcode(self, computation: ComputationAPI, pc: int, name: str) -> None:
        """Record the step as geth does, from the state before the opcode."""
        depth = computation.msg.depth
        del self._frames[depth:]
        self._frames.append(computation)
        gas = computation.get_gas_remaining()
        record: dict[str, Any] = {
            "pc": pc,
            "op": name,
            "gas": gas,
            "gasCost": 0,
            "depth": depth + 1,
        }
        options = self._options
        stack = computation._stack.values
        if not options.disable_stack:
            record["stack"] = [hex(_word(item)) for item in stack]
        if options.enable_memory:
            memory = bytes(computation._memory._bytes)
            record["memory"] = ["0x" + memory[i : i + 32].hex() for i in range(0, len(memory), 32)]
        if options.enable_return_data:
            record["returnData"] = "0x" + bytes(computation.return_data).hex()
        if not options.disable_storage and name in _STORAGE_OPS:
            self._record_storage(computation, name, stack, record)
        refund = sum(frame.get_gas_refund() for frame in self._frames)
        if refund:
            record["refund"] = refund
        self._open.append(_OpenStep(record, gas))
        if options.limit and len(self._logs) >= options.limit:
            return
        if len(self._logs) >= self._max_steps:
            raise TraceTooLarge(
                f"trace too large: more than {self._max_steps} steps (pass a smaller "
                "'limit', or use the callTracer)"
            )
        self._bytes += _size(record)
        if self._bytes > self._max_bytes:
            raise TraceTooLarge(
                f"trace too large: more than {self._max_bytes // 2**20} MiB of stack, memory "
                "and storage (pass a smaller 'limit', disableStack, disableStorage, or leave "
                "enableMemory off)"
            )
        self._logs.append(record)

    def _record_storage(
        self, computation: ComputationAPI, name: str, stack: list, record: dict[str, Any]
    ) -> None:
        need = 1 if name == "SLOAD" else 2
        if len(stack) < need:
            return  # the opcode fails on the stack underflow; nothing was accessed
        address = computation.msg.storage_address
        slot = _word(stack[-1])
        seen = self._storage.setdefault(address, {})
        if name == "SLOAD":
            seen[slot] = computation.state.get_storage(address, slot)
        else:
            seen[slot] = _word(stack[-2])
        record["storage"] = {_slot_hex(k): _slot_hex(v) for k, v in seen.items()}

    def after_opcode(self, computation: ComputationAPI, error: BaseException | None) -> None:
        """Fill in the step's cost and, for a failure other than REVERT, its error."""
        step = self._open.pop()
        gas_after = computation._gas_meter.gas_remaining
        step.record["gasCost"] = step.gas_before - gas_after + step.returned - step.callee_gas
        if error is not None and not isinstance(error, Halt | Revert):
            step.record["error"] = vm_error_message(error)

    def gas_returned(self, computation: ComputationAPI, amount: int) -> None:
        """The callee's unused gas came back during the open step."""
        if self._open:
            self._open[-1].returned += amount

    def result(self, gas_used: int) -> dict[str, Any]:
        """geth's ``ExecutionResult``; ``gas_used`` is the transaction's (after refund)."""
        return {
            "gas": gas_used,
            "failed": self._failed,
            "returnValue": "0x" + bytes(self._output).hex(),
            "structLogs": self._logs,
        }
