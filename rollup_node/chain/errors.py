"""Errors the chain raises to its callers, each saying what the caller should do.

(A transaction that is not valid raises ``protocol.errors.TransactionRejected``.)

``ExecutionReverted`` — a call/estimate reverted; ``data`` is the revert data.
``UnknownBlock`` — a block tag, number or hash that the chain does not have.
``StoreCorrupted`` — the database is not in a state this code wrote; halt, never guess.
``ExecutionFault`` — applying a valid transaction failed (database error, bug); halt.
``UnknownTransaction`` — a transaction hash the chain has not included (do not retry).
``TraceTooLarge`` — a debug trace would exceed its bound (ask for less: a step limit).
"""

from __future__ import annotations


class ChainError(Exception):
    """Base class of the chain's errors."""


class ExecutionReverted(ChainError):
    """A call or gas estimate ended in REVERT (``data`` is the revert data) or another error."""

    def __init__(self, message: str, data: bytes = b"") -> None:
        self.data = data
        super().__init__(message)

    def __reduce__(self) -> tuple[type[ExecutionReverted], tuple[str, bytes]]:
        # Pickled with its data (a call run in a worker process sends it back through a pipe).
        return type(self), (str(self), self.data)


class UnknownBlock(ChainError):
    """The requested block is not in the chain."""


class StoreCorrupted(ChainError):
    """The database holds something this code never writes; the node must halt."""


class ExecutionFault(ChainError):
    """Applying a transaction the validity rule accepted failed: a database error, a bug in
    py-evm or the node, or py-evm refusing what SPEC §3.1 accepts. Not a validity verdict, so
    the transaction must not be dropped (SPEC §6 rule 4 drops only invalid ones): the block
    would differ from the one the fault-proof program derives. The node must halt; the builder
    that raised it is unusable."""


class UnknownTransaction(ChainError):
    """The requested transaction is not included in the chain."""


class TraceTooLarge(ChainError):
    """A debug trace grew past its bound; the client should ask for less (``limit``, or a
    tracer that records less, such as ``callTracer``)."""


def vm_error_message(error: Exception) -> str:
    """geth's words for a py-evm execution error (what clients match on)."""
    name = type(error).__name__
    return {
        "OutOfGas": "out of gas",
        "InsufficientFunds": "insufficient funds for transfer",
        "StackDepthLimit": "max call depth exceeded",
        "InvalidInstruction": "invalid opcode",
        "InvalidJumpDestination": "invalid jump destination",
        "WriteProtection": "write protection",
        "ContractCreationCollision": "contract address collision",
        "OutOfBoundsRead": "return data out of bounds",
        "Revert": "execution reverted",
        "InsufficientStack": "stack underflow",
        "FullStack": "stack limit reached 1024",
    }.get(name, f"execution failed: {name} {error}".strip())
