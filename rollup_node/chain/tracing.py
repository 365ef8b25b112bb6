"""The hook debug tracers use to watch py-evm execute: frames entered and left, opcodes run.

py-evm has no tracer interface, so tracing swaps the computation class of one throw-away state
(``attach``) for ``TracingComputation``: the chain's own ``RollupComputation`` with every
message and every opcode reported to a ``Tracer``. Normal execution never sees it: blocks,
calls and estimates keep running ``RollupComputation`` with py-evm's plain opcode table, so
tracing costs nothing unless asked for.

What the tracer is told, in execution order:

- ``enter(kind, message, parent)`` when a message starts (the transaction's own, then every
  ``CALL``, ``CALLCODE``, ``DELEGATECALL``, ``STATICCALL``, ``CREATE``, ``CREATE2``,
  precompiles included); ``kind`` is the opcode that sent it (``CALL``/``CREATE`` for the
  transaction), ``parent`` the computation that sent it (``None`` for the transaction);
- only to a tracer that ``needs_opcodes`` (else the opcodes run unwrapped):
  ``before_opcode(computation, pc, name)`` before each opcode, with the frame's gas, stack and
  memory as they are before it runs; ``after_opcode(computation, error)`` once it has run
  (``error`` is what it raised: ``Halt`` for STOP/RETURN, a ``VMError`` when the frame fails);
  ``gas_returned(computation, amount)`` when a CALL or CREATE gives the callee's unused gas
  back to ``computation`` (so a tracer can tell an opcode's cost from its callee's refund);
- ``exit(computation)`` when the message is done (its output, error and gas are final).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from eth.abc import ComputationAPI, MessageAPI, StateAPI, TransactionContextAPI
from eth.vm.logic.invalid import InvalidOpcode

from rollup_node.chain.precompiles import RollupComputation

#: geth's names where py-evm's mnemonic differs (0x20 is KECCAK256 in geth, SHA3 in py-evm).
_GETH_NAMES = {0x20: "KECCAK256", 0xFE: "INVALID"}


class Tracer(Protocol):
    """What a debug tracer is told about one execution (see the module docstring).

    ``needs_opcodes``: whether it wants ``before_opcode``/``after_opcode``/``gas_returned``;
    without them the opcodes run unwrapped (a call tree costs only its frames).
    """

    needs_opcodes: bool

    def enter(self, kind: str, message: MessageAPI, parent: ComputationAPI | None) -> None:
        """A message starts."""
        ...

    def exit(self, computation: ComputationAPI) -> None:
        """A message is done."""
        ...

    def before_opcode(self, computation: ComputationAPI, pc: int, name: str) -> None:
        """An opcode is about to run in ``computation``."""
        ...

    def after_opcode(self, computation: ComputationAPI, error: BaseException | None) -> None:
        """The opcode announced last in ``computation`` has run (or raised ``error``)."""
        ...

    def gas_returned(self, computation: ComputationAPI, amount: int) -> None:
        """A callee's unused gas went back to ``computation``."""
        ...


class TransactionTracer(Tracer, Protocol):
    """A tracer that answers for a whole transaction or call once it has run."""

    def result(self, gas_used: int) -> dict[str, Any]:
        """The trace as JSON-RPC returns it; ``gas_used`` is the transaction's, after refund."""
        ...


def opcode_name(opcode: int) -> str:
    """geth's name of an opcode byte (``opcode 0x0c not defined`` for an unassigned one)."""
    if opcode in _GETH_NAMES:
        return _GETH_NAMES[opcode]
    function = RollupComputation.opcodes.get(opcode)
    if function is None:
        return f"opcode {opcode:#x} not defined"
    return getattr(function, "mnemonic", None) or function.__wrapped__.mnemonic


def _traced_opcodes(tracer: Tracer) -> dict[int, Callable[..., None]]:
    """All 256 opcodes, each reporting to ``tracer`` around py-evm's own implementation."""

    def traced(name: str, function: Callable[..., None]) -> Callable[..., None]:
        def run(computation: ComputationAPI) -> None:
            # py-evm's code stream has already moved past the opcode byte.
            tracer.before_opcode(computation, computation.code.program_counter - 1, name)
            try:
                function(computation=computation)
            except BaseException as exc:
                tracer.after_opcode(computation, exc)
                raise
            tracer.after_opcode(computation, None)

        return run

    table = {}
    for opcode in range(256):
        function = RollupComputation.opcodes.get(opcode) or InvalidOpcode(opcode)
        table[opcode] = traced(opcode_name(opcode), function)
    return table


class TracingComputation(RollupComputation):
    """``RollupComputation`` reporting to the ``Tracer`` of its state (set by ``attach``)."""

    def __init__(
        self,
        state: StateAPI,
        message: MessageAPI,
        transaction_context: TransactionContextAPI,
    ) -> None:
        super().__init__(state, message, transaction_context)
        traced_opcodes = state.traced_opcodes  # type: ignore[attr-defined]
        if traced_opcodes is not None:
            self.opcodes = traced_opcodes

    def return_gas(self, amount: int) -> None:
        """py-evm's refund of a callee's unused gas, reported to the tracer."""
        super().return_gas(amount)
        tracer: Tracer = self.state.tracer  # type: ignore[attr-defined]
        if tracer.needs_opcodes:
            tracer.gas_returned(self, amount)

    @classmethod
    def apply_message(
        cls,
        state: StateAPI,
        message: MessageAPI,
        transaction_context: TransactionContextAPI,
        parent_computation: ComputationAPI | None = None,
    ) -> ComputationAPI:
        """A call message, reported as a frame (a create's inner call is reported by
        ``apply_create_message``, which sees the code deposit too)."""
        if message.is_create:
            return super().apply_message(state, message, transaction_context, parent_computation)
        return _framed(
            super().apply_message, "CALL", state, message, transaction_context, parent_computation
        )

    @classmethod
    def apply_create_message(
        cls,
        state: StateAPI,
        message: MessageAPI,
        transaction_context: TransactionContextAPI,
        parent_computation: ComputationAPI | None = None,
    ) -> ComputationAPI:
        """A create message, reported as a frame."""
        return _framed(
            super().apply_create_message,
            "CREATE",
            state,
            message,
            transaction_context,
            parent_computation,
        )


def _framed(
    apply: Callable[..., ComputationAPI],
    top_kind: str,
    state: StateAPI,
    message: MessageAPI,
    transaction_context: TransactionContextAPI,
    parent: ComputationAPI | None,
) -> ComputationAPI:
    tracer: Tracer = state.tracer  # type: ignore[attr-defined]
    kind = top_kind
    if parent is not None:
        # The parent is inside the opcode that sent the message, one byte behind its pc.
        code = parent.code
        kind = opcode_name(code[code.program_counter - 1])
    tracer.enter(kind, message, parent)
    computation = apply(state, message, transaction_context, parent_computation=parent)
    tracer.exit(computation)
    return computation


def attach(state: Any, tracer: Tracer) -> None:  # noqa: ANN401 - py-evm's StateAPI
    """Make ``state`` (a throw-away one) execute with ``TracingComputation`` reporting to
    ``tracer``. Only this state instance changes; its class and every other state do not."""
    state.tracer = tracer
    state.traced_opcodes = _traced_opcodes(tracer) if tracer.needs_opcodes else None
    state.computation_class = TracingComputation
