"""Re-executing a stored block on its parent's state, with tracers watching some transactions.

``debug_traceTransaction`` and ``debug_traceBlockBy*`` trace what a block did: the block's
transactions run again, in order, on a throw-away copy of the parent state with the block's own
environment, through the same ``BlockBuilder`` that built it (deposits, the L1 fee and the
validity rule included), so a transaction sees exactly the state it saw when it was included.
Transactions before the first traced one run untraced, at full speed; the work stops after the
last traced one. Nothing is written: the staged state is dropped with the builder.

Synchronous and CPU-bound (a whole block may run): callers run it off the event loop, under
the RPC's execution deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rollup_node.chain.builder import BlockBuilder, BlockEnv, ChainRules
from rollup_node.chain.records import TxRecord
from rollup_node.chain.statedb import StagedStateDB
from rollup_node.chain.tracing import TransactionTracer, attach
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE, decode_deposit

#: Makes the tracer of the transaction at an index (called once per traced transaction).
MakeTracer = Callable[[int], TransactionTracer]


def replay_block(
    rules: ChainRules,
    state_db: StagedStateDB,
    parent_state_root: bytes,
    env: BlockEnv,
    transactions: tuple[TxRecord, ...],
    traced: range,
    make_tracer: MakeTracer,
) -> list[dict[str, Any]]:
    """Run ``transactions`` up to the last index of ``traced``; return each traced one's
    result, in order (``traced`` is a contiguous range of indices into ``transactions``)."""
    builder = BlockBuilder(rules, state_db, parent_state_root, env)
    results = []
    for index, tx in enumerate(transactions[: traced.stop]):
        tracer = None
        if index in traced:
            tracer = make_tracer(index)
            attach(builder.state, tracer)
        gas_before = builder.gas_used
        if tx.type == DEPOSIT_TX_TYPE:
            builder.apply_deposit(decode_deposit(tx.raw))
        else:
            builder.apply_transaction(tx.raw)
        if tracer is not None:
            results.append(tracer.result(builder.gas_used - gas_before))
    return results
