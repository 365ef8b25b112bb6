"""Access lists for ``eth_createAccessList``: the accounts and storage slots a call touches.

The rule is geth's (``internal/ethapi`` ``AccessList`` with its access-list tracer), so that
cast, ethers and web3.py get the list they would get from geth or anvil:

- every storage slot an ``SLOAD`` or ``SSTORE`` reads or writes is listed under the address
  whose storage it is (the caller's for a ``DELEGATECALL``), whoever that address is;
- every account an opcode looks at (``BALANCE``, ``EXTCODESIZE``/``COPY``/``HASH``, the target
  of ``CALL``/``CALLCODE``/``DELEGATECALL``/``STATICCALL``, a ``SELFDESTRUCT`` beneficiary) is
  listed with no slots, except the sender, the recipient (or the created contract) and the
  precompiles, which every transaction gets warm for free;
- an access counts even when the frame that made it reverts (it was paid for);
- the call is run again with the list found so far until a run finds nothing new, because a
  warmer start leaves more gas for paths the previous run could not reach; the list only grows
  (it starts from the request's own list), so this ends.

``gasUsed`` is what the last run used with that list, after the refund (EIP-3529: at most a
fifth of the gas used), as geth reports it; ``error`` is that run's failure, if any. The chain
runs the call (``Chain.create_access_list``); this module watches it through an
``ExecutionObserver``, the one hook the chain's throw-away execution offers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from rollup_node.chain.queries import CallRequest

AccessList = tuple[tuple[bytes, tuple[int, ...]], ...]
#: Runs the call with an observer: (success, output, gas used before refund, error message).
Execute = Callable[[CallRequest, "ExecutionObserver"], tuple[bool, bytes, int, str]]

#: Runs after which the list is returned even if a run still found something new. geth has no
#: bound; each run only adds entries, so a call needing more rounds than this is pathological
#: (its path keeps changing with the gas left) and gets the list found so far.
MAX_ROUNDS = 32
#: EIP-3529: the refund is at most a fifth of the gas used.
MAX_REFUND_QUOTIENT = 5


class ExecutionObserver(Protocol):
    """Watches one throw-away execution of the chain (``Chain._execute``)."""

    def before(self, state: Any) -> None:  # noqa: ANN401 - py-evm's StateAPI
        """Called with the prepared state just before the message runs."""
        ...

    def after(self, computation: Any) -> None:  # noqa: ANN401 - py-evm's ComputationAPI
        """Called with the finished computation."""
        ...


@dataclass(frozen=True, slots=True)
class AccessListResult:
    """The answer of ``eth_createAccessList``: the list, the gas used with it, the error."""

    access_list: AccessList
    gas_used: int
    error: str | None


class AccessRecorder:
    """Records what the opcodes of one run touch, on top of a starting list.

    py-evm asks ``is_address_warm``/``is_storage_warm`` on every account and slot access of an
    opcode (to price it), warm or cold, before any revert; the recorder wraps those two
    questions on the run's own throw-away state, so nothing else sees the wrapping.
    """

    def __init__(self, start: AccessList, excluded: frozenset[bytes]) -> None:
        self._excluded = excluded
        # Insertion-ordered: address -> insertion-ordered slots (a dict used as an ordered set).
        self._entries: dict[bytes, dict[int, None]] = {}
        self.refund = 0
        for address, slots in start:
            if address not in excluded:
                self._entries.setdefault(address, {})
            for slot in slots:
                self._add_slot(address, slot)

    def _add_slot(self, address: bytes, slot: int) -> None:
        self._entries.setdefault(address, {})[slot] = None

    def _add_address(self, address: bytes) -> None:
        if address not in self._excluded:
            self._entries.setdefault(address, {})

    def before(self, state: Any) -> None:  # noqa: ANN401 - py-evm's StateAPI
        """Wrap the state's two warmth questions so that each access is recorded."""
        is_address_warm = state.is_address_warm
        is_storage_warm = state.is_storage_warm

        def address_warm(address: bytes) -> bool:
            self._add_address(bytes(address))
            return is_address_warm(address)

        def storage_warm(address: bytes, slot: int) -> bool:
            self._add_slot(bytes(address), slot)
            return is_storage_warm(address, slot)

        state.is_address_warm = address_warm
        state.is_storage_warm = storage_warm

    def after(self, computation: Any) -> None:  # noqa: ANN401 - py-evm's ComputationAPI
        """Keep the run's refund counter (geth reports gas after the refund)."""
        self.refund = computation.get_gas_refund()

    def access_list(self) -> AccessList:
        """The list so far, in order of first access."""
        return tuple((address, tuple(slots)) for address, slots in self._entries.items())


def create_access_list(
    execute: Execute, request: CallRequest, excluded: Iterable[bytes]
) -> AccessListResult:
    """Run ``request`` until its access list is stable; ``excluded`` are the sender, the
    recipient (or created address) and the precompiles."""
    excluded_set = frozenset(excluded)
    previous = AccessRecorder(request.access_list or (), excluded_set).access_list()
    for _ in range(MAX_ROUNDS):
        recorder = AccessRecorder(previous, excluded_set)
        attempt = dataclasses.replace(request, access_list=previous)
        ok, _, used, error = execute(attempt, recorder)
        found = recorder.access_list()
        if _same(found, previous):
            break
        previous = found
    refund = min(recorder.refund, used // MAX_REFUND_QUOTIENT)
    return AccessListResult(previous, used - refund, None if ok else error)


def _same(left: AccessList, right: AccessList) -> bool:
    """Equal as sets of addresses and slots (order of discovery does not matter)."""
    return {a: set(s) for a, s in left} == {a: set(s) for a, s in right}
