"""Deposits waiting for the sequencer: the source interface and the internal injection queue.

Until deposits are read from the CTC queue on L1, tests and tools inject them here. The queue
hands them out in order while their gas fits in the block's deposit budget (SPEC §2, ``D``).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Protocol

from eth_hash.auto import keccak

from rollup_node.protocol.deposits import DepositTx, user_deposit_source_hash


class DepositSource(Protocol):
    """Where the sequencer takes the deposits of its next block from."""

    def take(self, gas_budget: int, origin_number: int) -> list[DepositTx]:
        """Deposits for the next block, in queue order, their gas summing to ≤ ``gas_budget``,
        each enqueued at or before the block's L1 origin ``origin_number``."""
        ...


class InjectedDeposits:
    """A FIFO of deposits injected through the node's internal API."""

    def __init__(self) -> None:
        self._queue: deque[DepositTx] = deque()
        self._lock = threading.Lock()
        self._index = 0

    def inject(
        self, sender: bytes, to: bytes | None, mint: int, value: int, gas: int, data: bytes = b""
    ) -> DepositTx:
        """Queue a user deposit; its source hash is derived from a per-node injection index."""
        with self._lock:
            element = keccak(b"injected" + self._index.to_bytes(8, "big") + sender + (to or b""))
            deposit = DepositTx(
                source_hash=user_deposit_source_hash(element, self._index),
                sender=sender,
                to=to,
                mint=mint,
                value=value,
                gas=gas,
                is_system_tx=False,
                data=data,
            )
            self._index += 1
            self._queue.append(deposit)
            return deposit

    def take(self, gas_budget: int, origin_number: int) -> list[DepositTx]:
        # Injected deposits have no L1 block: every origin may consume them.
        with self._lock:
            out: list[DepositTx] = []
            used = 0
            while self._queue and used + self._queue[0].gas <= gas_budget:
                deposit = self._queue.popleft()
                used += deposit.gas
                out.append(deposit)
            return out
