"""Sequencer throughput: included transfers per second, node vs plain py-evm.

1. Starts a devnet node in a subprocess (1 s L2 blocks), sends N pre-signed transfers from the
   ten devnet accounts over JSON-RPC (batch requests of 100, several in flight) and measures
   included tx/s: N / (time of the last inclusion − time of the first send).
2. In the same run, builds the same transfers into as many blocks with plain py-evm
   (``MiningChain``, Cancun, no node, no RPC, no disk) and measures tx/s. ``MiningChain``
   recomputes the transaction and receipt tries after every transaction, so its cost grows with
   the square of the block size; the node computes them once per block.
The last line is the ratio node / py-evm. Usage: ``python bench/sequencer_throughput.py [N]``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from eth_account import Account
from eth_utils import to_checksum_address

from rollup_node.chain.genesis import DEVNET_BALANCE_WEI, devnet_accounts

BLOCK_GAS = 30_000_000
TRANSFER_GAS = 21_000
L2_CHAIN_ID = 901
BATCH = 100
IN_FLIGHT = 1  # batches in order: without a mempool a nonce gap is refused


def _sign_transfers(n: int, chain_id: int, max_fee: int) -> list[tuple[bytes, bytes]]:
    """(raw, hash) of ``n`` transfers spread over the devnet accounts, in nonce order."""
    accounts = [Account.from_key(key) for _, key in devnet_accounts()]
    out = []
    for i in range(n):
        acct = accounts[i % len(accounts)]
        tx = acct.sign_transaction(
            {
                "type": 2,
                "nonce": i // len(accounts),
                "to": to_checksum_address((0x1000 + i % 997).to_bytes(20, "big")),
                "value": 1,
                "gas": TRANSFER_GAS,
                "maxFeePerGas": max_fee,
                "maxPriorityFeePerGas": 1_000_000,
                "chainId": chain_id,
            }
        )
        out.append((bytes(tx.raw_transaction), bytes(tx.hash)))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _rpc(session: aiohttp.ClientSession, url: str, calls: list[tuple[str, list]]) -> list:
    body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    async with session.post(
        url, data=json.dumps(body), headers={"content-type": "application/json"}
    ) as r:
        answers = await r.json()
    return sorted(answers, key=lambda a: a["id"])


async def _node_run(url: str, txs: list[tuple[bytes, bytes]]) -> tuple[float, int]:
    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()
        chunks = [txs[i : i + BATCH] for i in range(0, len(txs), BATCH)]
        sem = asyncio.Semaphore(IN_FLIGHT)

        async def send(chunk: list[tuple[bytes, bytes]]) -> None:
            async with sem:
                answers = await _rpc(
                    session, url, [("eth_sendRawTransaction", ["0x" + r.hex()]) for r, _ in chunk]
                )
                errors = [a["error"] for a in answers if "error" in a]
                if errors:
                    raise RuntimeError(f"rejected: {errors[:3]}")

        await asyncio.gather(*(send(c) for c in chunks))
        sent = time.perf_counter()
        last_hash = "0x" + txs[-1][1].hex()
        first_block = None
        while True:
            (answer,) = await _rpc(session, url, [("eth_getTransactionReceipt", [last_hash])])
            if answer.get("result"):
                end = time.perf_counter()
                break
            await asyncio.sleep(0.02)
        # all earlier ones are included too (same senders, lower nonces, FIFO)
        (first,) = await _rpc(
            session, url, [("eth_getTransactionReceipt", ["0x" + txs[0][1].hex()])]
        )
        first_block = int(first["result"]["blockNumber"], 16)
        (last,) = await _rpc(session, url, [("eth_getTransactionReceipt", [last_hash])])
        last_block = int(last["result"]["blockNumber"], 16)
        print(f"node: sent {len(txs)} in {sent - start:.2f}s; included in blocks "
              f"{first_block}..{last_block}")  # fmt: skip
        return len(txs) / (end - start), last_block - first_block + 1


def bench_node(n: int) -> tuple[float, int]:
    """Included tx/s of a devnet node fed over JSON-RPC, and how many blocks it took."""
    data_dir = tempfile.mkdtemp(prefix="bench-seq-")
    l1_port, l2_port = _free_port(), _free_port()
    cmd = [
        sys.executable, "-m", "rollup_node.cli", "devnet", "--data-dir", data_dir,
        "--rpc-port", str(l2_port), "--l1-rpc-port", str(l1_port), "--block-time", "1",
        "--log-level", "warning",
    ]  # fmt: skip
    log = (Path(data_dir) / "log").open("w")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{l2_port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", l2_port), timeout=0.2):
                    break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("node did not start") from None
                time.sleep(0.1)
        txs = _sign_transfers(n, L2_CHAIN_ID, 10**10)
        return asyncio.run(_node_run(url, txs))
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


def bench_pyevm(n: int, blocks: int) -> float:
    """tx/s of py-evm's MiningChain building the same transfers into as many blocks."""
    from eth.chains.base import MiningChain
    from eth.consensus.noproof import NoProofConsensus
    from eth.db.atomic import AtomicDB
    from eth.vm.forks.cancun import CancunVM
    from eth.vm.forks.cancun.transactions import CancunTransactionBuilder

    vm = CancunVM.configure(consensus_class=NoProofConsensus)
    chain_class = MiningChain.configure(vm_configuration=((0, vm),), chain_id=L2_CHAIN_ID)
    genesis = {
        "difficulty": 0,
        "gas_limit": BLOCK_GAS,
        "timestamp": 1,
        "coinbase": b"\x00" * 20,
        "extra_data": b"",
        "nonce": b"\x00" * 8,
        "mix_hash": b"\x00" * 32,
    }
    state = {
        addr: {"balance": DEVNET_BALANCE_WEI, "nonce": 0, "code": b"", "storage": {}}
        for addr, _ in devnet_accounts()
    }
    chain = chain_class.from_genesis(AtomicDB(), genesis, state)
    raws = [raw for raw, _ in _sign_transfers(n, L2_CHAIN_ID, 10**10)]
    per_block = min(BLOCK_GAS // TRANSFER_GAS, -(-n // blocks))
    start = time.perf_counter()
    in_block = 0
    timestamp = 2
    for raw in raws:
        chain.apply_transaction(CancunTransactionBuilder.decode(raw))
        in_block += 1
        if in_block == per_block:
            chain.mine_block(timestamp=timestamp)
            timestamp += 1
            in_block = 0
    if in_block:
        chain.mine_block(timestamp=timestamp)
    return n / (time.perf_counter() - start)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    node, blocks = bench_node(n)
    print(f"node (JSON-RPC, 1 s blocks, durable LMDB): {node:.0f} included tx/s")
    baseline = bench_pyevm(n, blocks)
    print(f"plain py-evm MiningChain (in memory): {baseline:.0f} tx/s")
    print(f"ratio node/py-evm: {node / baseline:.2f}")


if __name__ == "__main__":
    main()
