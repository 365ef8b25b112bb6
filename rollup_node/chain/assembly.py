"""Block assembly, the one order every block is built in (SPEC §3.3, §3.5).

``env → deposits → user transactions → seal``: the environment follows from the head (number,
parent hash, gas limit, EIP-1559 base fee: ``Chain.next_env``) and the three fields the caller
fixes (timestamp, fee recipient, mix hash); the deposits come first — on L2 the L1-info
deposit, then the user deposits the block consumes — and the user transactions after them.
Which transactions, and what a rejected one means, differs by caller and is the ``fill``
callback's: the sequencer fills from its intake while the block has room, derivation applies
the sequenced list dropping those invalid at their position (SPEC §6 rule 4,
``apply_sequenced``; the differential runner builds the same way), a replica
applies the sequencer's block and refuses it at the first invalid one, the embedded L1's
miner fills from its pool. Synchronous and CPU-bound: callers run it in the block executor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from rollup_node.chain.builder import BlockBuilder, BlockEnv, SealedBlock
from rollup_node.protocol.deposits import DepositTx
from rollup_node.protocol.errors import TransactionRejected

T = TypeVar("T")


class BlockFactory(Protocol):
    """What assembly needs of a chain (``Chain`` has it)."""

    def next_env(self, timestamp: int, coinbase: bytes, mix_hash: bytes) -> BlockEnv:
        """The environment of the block after the head."""
        ...

    def new_block(self, env: BlockEnv) -> BlockBuilder:
        """A builder on the head's state."""
        ...


def apply_sequenced(
    builder: BlockBuilder, transactions: Iterable[bytes]
) -> list[tuple[bytes, TransactionRejected]]:
    """Apply sequenced ``transactions`` in order, dropping each one invalid at its position
    (SPEC §6 rule 4: only a §3.1 verdict drops one; any other error propagates and halts).
    Returns the dropped transactions with their verdicts. Derivation's ``fill``, and the
    differential runner's, which must build what derivation builds."""
    dropped = []
    for raw in transactions:
        try:
            builder.apply_transaction(raw)
        except TransactionRejected as exc:
            dropped.append((raw, exc))
    return dropped


class NotOnHead(ValueError):
    """The block to build is not the one after the chain's head (the head moved): the caller
    re-reads the head and decides again; nothing was built."""


def build_block(
    chain: BlockFactory,
    number: int,
    timestamp: int,
    coinbase: bytes,
    mix_hash: bytes,
    deposits: Iterable[DepositTx],
    fill: Callable[[BlockBuilder], T],
) -> tuple[SealedBlock, T]:
    """Build block ``number`` on the head: apply ``deposits`` in order, then ``fill(builder)``
    (the user transactions), then seal. Returns the sealed block (not committed) and what
    ``fill`` returned. Raises ``NotOnHead`` if ``number`` is not the head's successor."""
    env = chain.next_env(timestamp, coinbase, mix_hash)
    if env.number != number:
        raise NotOnHead(f"building block {number} on head {env.number - 1}")
    builder = chain.new_block(env)
    for deposit in deposits:
        builder.apply_deposit(deposit)
    filled = fill(builder)
    return builder.seal(), filled
