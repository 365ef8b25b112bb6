"""Derivation throughput: how fast a replica rebuilds the chain from L1, against real time.

1. Starts a devnet (1 s L2 blocks, 1 s L1 blocks) in this process and keeps it busy with
   transfers (``TXS_PER_BLOCK`` a block) for ``SECONDS`` seconds, until its blocks are safe.
2. Starts a replica on an empty data dir against the devnet's L1 and measures how long it takes
   to derive the same blocks (reading batches and deposits from L1, executing every block).
Prints the blocks, transactions and seconds of both; the last line is the ratio
derivation speed / production speed (blocks per second).
Usage: ``python bench/derivation_throughput.py [SECONDS] [TXS_PER_BLOCK]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.rollup_helpers import follower, sequencer, wait_for  # noqa: E402
from tests.integration.helpers import account, sign  # noqa: E402


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
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
            while time.monotonic() - start < seconds:
                for _ in range(per_block):
                    i = sent % len(senders)  # round robin over the senders
                    seq.w3.eth.send_raw_transaction(sign(senders[i], to=to, nonce=nonces[i]))
                    nonces[i] += 1
                    sent += 1
                time.sleep(1)
            produced = seq.node.l2.head_number()
            produce_seconds = time.monotonic() - start
            wait_for("safe", lambda: seq.node.l2.safe_number() >= produced, timeout=120)
            txs = sum(
                len(seq.node.l2.block_by_number(n).transactions) for n in range(1, produced + 1)
            )
            began = time.monotonic()
            rep = follower(Path(scratch) / "rep", seq, "replica")
            try:
                wait_for("derived", lambda: rep.node.l2.safe_number() >= produced, timeout=600)
                derive_seconds = time.monotonic() - began
            finally:
                rep.stop()
        finally:
            seq.stop()
    blocks = produced - first + 1
    print(f"produced {blocks} blocks ({txs} transactions with deposits) in {produce_seconds:.1f} s")
    print(f"replica derived {produced} blocks in {derive_seconds:.1f} s")
    ratio = (produced / derive_seconds) / (blocks / produce_seconds)
    print(f"ratio derivation/production blocks per second: {ratio:.1f}")


if __name__ == "__main__":
    main()
