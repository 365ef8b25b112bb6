"""Derivation throughput: a fresh replica syncing BLOCKS L2 blocks from L1, against the
sequencer's own throughput.

1. Starts a devnet (1 s L2 blocks, 1 s L1 blocks) in this process and keeps it busy with
   transfers (``TXS_PER_BLOCK`` a block) until it has produced ``BLOCKS`` blocks (≈ BLOCKS
   seconds: L2 time is real time) and they are safe on L1.
2. Starts a replica on an empty data dir against the devnet's L1 and measures how long it takes
   to derive the same blocks (reading batches and deposits from L1, executing every block,
   writing them durably): L2 blocks/s and tx/s.
3. In the same run, measures the sequencer's own included tx/s at full speed (the core issue's
   ``bench/sequencer_throughput.py`` measurement, 1000 transfers over JSON-RPC).
The last line is the ratio derivation tx/s / sequencer tx/s: above 1, a replica keeps up with a
sequencer running flat out. Usage:
``python bench/derivation_throughput.py [BLOCKS] [TXS_PER_BLOCK]`` (defaults 1000 and 20).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sequencer_throughput import bench_node  # noqa: E402
from tests.e2e.rollup_helpers import follower, sequencer, wait_for  # noqa: E402
from tests.integration.helpers import account, sign  # noqa: E402


def main() -> None:
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    per_block = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with tempfile.TemporaryDirectory() as scratch:
        seq = sequencer(Path(scratch) / "seq")
        try:
            senders = [account(i)[1] for i in range(1, 10)]
            nonces = [0] * len(senders)
            to = account(0)[0]
            start = time.monotonic()
            first = seq.node.l2.head_number() + 1
            sent = 0
            while seq.node.l2.head_number() < target:
                for _ in range(per_block):
                    i = sent % len(senders)  # round robin over the senders
                    seq.w3.eth.send_raw_transaction(sign(senders[i], to=to, nonce=nonces[i]))
                    nonces[i] += 1
                    sent += 1
                time.sleep(1)
            produced = seq.node.l2.head_number()
            produce_seconds = time.monotonic() - start
            wait_for("safe", lambda: seq.node.l2.safe_number() >= produced, timeout=300)
            txs = sum(
                len(seq.node.l2.block_by_number(n).transactions) for n in range(1, produced + 1)
            )
            began = time.monotonic()
            rep = follower(Path(scratch) / "rep", seq, "replica")
            try:
                wait_for("derived", lambda: rep.node.l2.safe_number() >= produced, timeout=3600)
                derive_seconds = time.monotonic() - began
            finally:
                rep.stop()
        finally:
            seq.stop()
    blocks = produced - first + 1
    print(f"produced {blocks} blocks ({txs} transactions with deposits) in {produce_seconds:.1f} s")
    derive_tx_rate = txs / derive_seconds
    print(
        f"replica derived {produced} blocks in {derive_seconds:.1f} s: "
        f"{produced / derive_seconds:.1f} L2 blocks/s, {derive_tx_rate:.0f} tx/s "
        f"({(produced / derive_seconds) / (blocks / produce_seconds):.1f}x real time)"
    )
    sequencer_tx_rate, _ = bench_node(1000)
    print(f"sequencer at full speed (JSON-RPC, 1000 transfers): {sequencer_tx_rate:.0f} tx/s")
    print(f"ratio derivation tx/s / sequencer tx/s: {derive_tx_rate / sequencer_tx_rate:.2f}")


if __name__ == "__main__":
    main()
