"""Sealing a block in process: the transaction and receipt roots built bottom-up
(``rollup_node/chain/trie_root.py``) against py-trie's one-insert-at-a-time ``HexaryTrie``.

Builds one L2 block of N transfers (default 1,000: about a full block under the batch limit,
SPEC §5) on a fresh devnet genesis in a temporary store, with no RPC and no node, several
times over: each round applies the same signed transfers to the same parent and seals, once
with each root function (alternating, so load on the machine hits both alike). It checks both
seals give the same block hash, then prints per-transaction microseconds of the roots alone,
of ``seal()`` and of the whole apply-and-seal path. The last line is the ratio of ``seal()``
times, py-trie / bottom-up. Usage: ``python bench/sealing.py [N] [ROUNDS]``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import rlp
from eth_account import Account
from eth_utils import to_checksum_address
from trie import HexaryTrie

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rollup_node.chain.builder as builder_module  # noqa: E402
from rollup_node.chain.chain import Chain  # noqa: E402
from rollup_node.chain.genesis import devnet_accounts, open_l2_chain  # noqa: E402
from rollup_node.chain.store import ChainStore  # noqa: E402
from rollup_node.chain.trie_root import ordered_trie_root  # noqa: E402
from rollup_node.config import RollupConfig  # noqa: E402
from rollup_node.protocol.predeploys import SEQUENCER_FEE_VAULT  # noqa: E402

RootFunction = Callable[[list[bytes]], bytes]


def py_trie_root(items: list[bytes]) -> bytes:
    """The previous sealing code: every item inserted into a ``HexaryTrie``."""
    trie = HexaryTrie({})
    with trie.squash_changes() as batch:
        for index, item in enumerate(items):
            batch[rlp.encode(index)] = item
    return trie.root_hash


def transfers(count: int, chain_id: int) -> list[bytes]:
    keys = [key for _, key in devnet_accounts()]
    to = to_checksum_address("0x" + "5e" * 20)
    raws = []
    for i in range(count):
        tx = {
            "chainId": chain_id,
            "nonce": i // len(keys),
            "to": to,
            "value": 1,
            "gas": 21_000,
            "maxFeePerGas": 2 * 10**9,
            "maxPriorityFeePerGas": 10**7,
        }
        raws.append(bytes(Account.sign_transaction(tx, keys[i % len(keys)]).raw_transaction))
    return raws


def build_once(chain: Chain, raws: list[bytes], roots: RootFunction) -> tuple[float, float, bytes]:
    """Apply ``raws`` on the head and seal, never committing (each round starts from the same
    parent); returns (apply seconds, seal seconds, block hash)."""
    builder_module.ordered_trie_root = roots  # the name seal() calls
    parent = chain.head()
    env = chain.next_env(parent.timestamp + 1, SEQUENCER_FEE_VAULT, b"\x00" * 32)
    builder = chain.new_block(env)
    started = time.perf_counter()
    for raw in raws:
        builder.apply_transaction(raw)
    applied = time.perf_counter()
    sealed = builder.seal()
    sealed_at = time.perf_counter()
    return applied - started, sealed_at - applied, sealed.block.hash


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    config = RollupConfig()
    with tempfile.TemporaryDirectory() as scratch:
        store = ChainStore(Path(scratch) / "l2")
        try:
            chain = open_l2_chain(store, config)
            raws = transfers(count, config.l2_chain_id)
            times: dict[str, list[tuple[float, float]]] = {"py-trie": [], "bottom-up": []}
            hashes = set()
            for _ in range(rounds):
                for name, roots in (("py-trie", py_trie_root), ("bottom-up", ordered_trie_root)):
                    apply_s, seal_s, block_hash = build_once(chain, raws, roots)
                    times[name].append((apply_s, seal_s))
                    hashes.add(block_hash)
            assert len(hashes) == 1, "the two root functions sealed different blocks"
            receipts = [b"\x02" + rlp.encode([1, 21_000 * (i + 1), b"\x00" * 256, []])
                        for i in range(count)]  # fmt: skip
            for name, roots in (("py-trie", py_trie_root), ("bottom-up", ordered_trie_root)):
                started = time.perf_counter()
                for _ in range(rounds):
                    roots(raws)
                    roots(receipts)
                per_tx = (time.perf_counter() - started) / rounds / count * 1e6
                print(f"{name:9}: both roots {per_tx:7.1f} µs/tx")
            medians = {}
            for name, samples in times.items():
                apply_s = statistics.median(a for a, _ in samples)
                seal_s = statistics.median(s for _, s in samples)
                medians[name] = seal_s
                print(
                    f"{name:9}: seal() {seal_s * 1e6 / count:7.1f} µs/tx, apply+seal "
                    f"{(apply_s + seal_s) * 1e6 / count:7.1f} µs/tx "
                    f"({count / (apply_s + seal_s):.0f} tx/s), {count} transfers, "
                    f"median of {rounds}"
                )
        finally:
            store.close()
    print(f"seal() py-trie / bottom-up: {medians['py-trie'] / medians['bottom-up']:.2f}")


if __name__ == "__main__":
    main()
