"""Executing derived blocks on the L2 chain, or confirming the sequencer's own.

``apply`` makes the chain's block ``n`` the derived block ``n``:

- if the chain already has a block ``n`` made of exactly the derived inputs (same parent, same
  timestamp and mix hash, the same transaction encodings in the same order), it is the block
  derivation would build — execution is deterministic and each of its transactions was valid
  at its position — so it is confirmed as is (this is how a sequencer's unsafe blocks become
  safe without being executed twice);
- otherwise the chain is rewound to ``n − 1`` (dropping the disagreeing blocks: a malformed
  batch, a reorg; their user transactions go back to the front of the sequencer's intake, if
  any, in block order, in the same commit as the rewind) and the block is built: the deposits,
  then each sequenced transaction, dropping those invalid at their position (SPEC §6 rule 4).
  Any other failure while building (``chain.errors.ExecutionFault``, a store error) propagates:
  the node halts rather than derive a block the fault-proof program would not.

Building and committing run in the node's block executor (one thread), so the sequencer's
producer and derivation never write the chain at the same time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Protocol

import structlog

from rollup_node.chain.assembly import apply_sequenced, build_block
from rollup_node.chain.builder import SealedBlock
from rollup_node.chain.chain import Chain
from rollup_node.chain.errors import StoreCorrupted
from rollup_node.chain.records import BlockRecord
from rollup_node.derivation.attributes import BlockAttributes
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE
from rollup_node.protocol.predeploys import SEQUENCER_FEE_VAULT

log = structlog.get_logger("derivation")


class Requeue(Protocol):
    """The sequencer's intake, as the engine uses it when it drops blocks."""

    def requeue_ahead(
        self, raws: list[bytes], rewind: Callable[[dict[bytes, bytes | None]], object]
    ) -> int:
        """Queue ``raws`` ahead of everything queued and call ``rewind(journal)``, which
        drops the blocks and writes ``journal`` in one commit; return how many were refused."""
        ...


def matches(block: BlockRecord, attrs: BlockAttributes) -> bool:
    """Whether ``block`` is exactly what ``attrs`` derive (see the module docstring)."""
    expected = [d.encode() for d in attrs.deposits] + list(attrs.transactions)
    return (
        block.timestamp == attrs.timestamp
        and block.mix_hash == attrs.origin.mix_hash
        and block.coinbase == SEQUENCER_FEE_VAULT
        and [tx.raw for tx in block.transactions] == expected
    )


def build(chain: Chain, attrs: BlockAttributes) -> tuple[SealedBlock, int]:
    """Execute ``attrs`` on the chain's head; return the sealed block and how many
    sequenced transactions were dropped."""
    sealed, dropped = build_block(
        chain,
        attrs.number,
        attrs.timestamp,
        SEQUENCER_FEE_VAULT,
        attrs.origin.mix_hash,
        attrs.deposits,
        lambda builder: apply_sequenced(builder, attrs.transactions),
    )
    for _, verdict in dropped:  # SPEC §6 rule 4; any other error halted in apply_sequenced
        log.info("dropping a sequenced transaction", block=attrs.number, reason=str(verdict))
    return sealed, len(dropped)


class Engine:
    """Applies derived blocks to the L2 chain."""

    def __init__(
        self,
        chain: Chain,
        executor: Executor | None = None,
        lock: asyncio.Lock | None = None,
        intake: Requeue | None = None,
    ) -> None:
        self.chain = chain
        self.executor = executor
        self.intake = intake  # a sequencer's: dropped blocks' transactions go back to it
        # The sequencer's producer holds this lock while it builds on the head it read.
        self.lock = lock or asyncio.Lock()
        self.replaced = 0  # blocks of the chain that derivation replaced

    def _apply(
        self, attrs: BlockAttributes, extras: dict[bytes, bytes | None]
    ) -> tuple[BlockRecord, SealedBlock | None]:
        chain = self.chain
        existing = chain.block_by_number(attrs.number)
        if existing is not None and matches(existing, attrs):
            if extras:
                chain.store.write(extras)
            return existing, None
        if chain.head_number() >= attrs.number:
            log.warning(
                "derived block differs from the chain's; rewinding",
                number=attrs.number,
                head=chain.head_number(),
            )
            self.replaced += chain.head_number() - attrs.number + 1
            self._rewind(attrs.number - 1, {})
        sealed, _ = build(chain, attrs)
        chain.commit(sealed, extras)
        return sealed.block, sealed

    async def apply(
        self, attrs: BlockAttributes, extras: dict[bytes, bytes | None] | None = None
    ) -> BlockRecord:
        """Make the chain's block ``attrs.number`` the derived one; write ``extras`` with it."""
        (block,) = await self.apply_all([(attrs, extras or {})])
        return block

    async def apply_all(
        self, blocks: Sequence[tuple[BlockAttributes, dict[bytes, bytes | None]]]
    ) -> list[BlockRecord]:
        """``apply`` each (attributes, extras) in order, holding the lock throughout: a
        sequencer behind schedule would otherwise build on a partly replaced chain between
        two derived blocks, and the next derived block would replace its block again."""
        out = []
        async with self.lock:
            for attrs, extras in blocks:
                block, sealed = await asyncio.get_running_loop().run_in_executor(
                    self.executor, self._apply, attrs, extras
                )
                if sealed is not None:
                    self.chain.publish(sealed.block, sealed.receipts)
                out.append(block)
        return out

    async def rewind(self, number: int, extras: dict[bytes, bytes | None]) -> None:
        """Drop blocks above ``number`` after an L1 reorg (or, on a node that only derives,
        blocks no batch confirmed); a sequencer's transactions in them go back to its intake."""
        async with self.lock:
            await asyncio.get_running_loop().run_in_executor(
                self.executor, self._rewind, number, extras
            )

    def _rewind(self, number: int, extras: dict[bytes, bytes | None]) -> None:
        """Drop blocks above ``number``, writing ``extras`` in the same commit. On a sequencer
        their user transactions go back to the front of the intake, in block order, ahead of
        the transactions queued since (later nonces of the same senders); those no longer
        valid are refused and forgotten."""
        chain = self.chain
        if self.intake is None:
            chain.rewind_to(number, extras)
            return
        raws = []
        for n in range(number + 1, chain.head_number() + 1):
            block = chain.block_by_number(n)
            if block is None:
                raise StoreCorrupted(f"canonical block {n} missing below head")
            raws.extend(tx.raw for tx in block.transactions if tx.type != DEPOSIT_TX_TYPE)
        refused = self.intake.requeue_ahead(
            raws, lambda journal: chain.rewind_to(number, {**extras, **journal})
        )
        if refused:
            log.info("dropped blocks' transactions refused on re-queue", count=refused)
