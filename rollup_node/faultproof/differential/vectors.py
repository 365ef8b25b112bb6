"""Regression vectors: a shrunk mismatching block as JSON, replayed by a test.

A vector holds what the L1 held for the block — its queue elements and signed transactions —
so replaying it needs neither the generator nor the seed (the generator may change; the vector
must not). ``note`` says where it came from and what diverged.
"""

from __future__ import annotations

import json
from pathlib import Path

from rollup_node.faultproof.differential.generator import Materialized
from rollup_node.faultproof.differential.world import QueueElement


def save_vector(path: Path, block: Materialized, note: str) -> None:
    """Write ``block`` to ``path`` (JSON, hex strings)."""
    data = {
        "note": note,
        "queue": [
            {
                "sender": q.sender.hex(),
                "to": q.to.hex(),
                "mint": q.mint,
                "gas_limit": q.gas_limit,
                "is_creation": q.is_creation,
                "data": q.data.hex(),
                "l1_block": q.l1_block,
            }
            for q in block.queue
        ],
        "txs": [tx.hex() for tx in block.txs],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")


def load_vector(path: Path) -> tuple[Materialized, str]:
    """The block of a saved vector and its note."""
    data = json.loads(path.read_text())
    queue = [
        QueueElement(
            bytes.fromhex(q["sender"]),
            bytes.fromhex(q["to"]),
            q["mint"],
            q["gas_limit"],
            q["is_creation"],
            bytes.fromhex(q["data"]),
            q["l1_block"],
        )
        for q in data["queue"]
    ]
    return Materialized(queue, [bytes.fromhex(tx) for tx in data["txs"]]), data["note"]
