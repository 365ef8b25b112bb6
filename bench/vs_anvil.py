"""The devnet sequencer against anvil on the same signed load: included tx/s and memory.

Starts a devnet node (``rollup-node devnet``, embedded L1, 1 s L2 blocks) and anvil (the
``@foundry-rs/anvil`` binary of ``tests/e2e/anvil``, 1 s blocks, the same chain id 901), both
as their own processes. Fresh sender keys are funded on each (a devnet account's transfers on
the node, ``anvil_setBalance`` on anvil) and one of them deploys a ``MintableERC20`` at nonce 0
and mints to every sender, so the same signed bytes are valid on both chains. Then, for each
round, the same signed load goes to each chain in turn (the order alternates between rounds, so
the machine's other load falls on both alike):

- ``--transfers`` plain transfers (default 5,000), then
- ``--erc20`` ERC20 ``transfer()`` calls (default 2,000),

sent over JSON-RPC in batch requests of 100, one batch at a time (the node has no mempool: a
nonce gap is refused). A load's rate is its size over the time from its first send to the
moment every sender's last transaction has a receipt (all succeeded). After every load the
resident memory of each process tree is read from ``/proc``.

Prints one line per load and chain, the RSS of both, and on the last line the median ratio
node/anvil of each load. Usage:
``python bench/vs_anvil.py [--transfers N] [--erc20 N] [--rounds N] [--senders N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rollup_node.chain.genesis import devnet_accounts  # noqa: E402
from rollup_node.contracts import load_artifact  # noqa: E402
from tests.e2e.l1 import Anvil  # noqa: E402

CHAIN_ID = 901  # the devnet's L2 chain id; anvil is started with the same
BATCH = 100
MAX_FEE_WEI = 100 * 10**9  # far above both chains' base fees over a run
PRIORITY_FEE_WEI = 10**9
SENDER_FUNDS_WEI = 100 * 10**18
TRANSFER_GAS = 21_000
ERC20_GAS = 65_000  # a transfer() to a fresh recipient costs about 51,500
DEPLOY_GAS = 2_500_000
MINT_GAS = 100_000
TRANSFER_SELECTOR = keccak(text="transfer(address,uint256)")[:4]
MINT_SELECTOR = keccak(text="mint(address,uint256)")[:4]


@dataclass
class Signed:
    """One signed transaction: raw bytes, hash and sender index."""

    raw: bytes
    hash: bytes
    sender: int


class Senders:
    """Fresh keys whose nonces advance identically on both chains (same signed load)."""

    def __init__(self, count: int) -> None:
        self.accounts = [Account.from_key(keccak(text=f"bench-vs-anvil-{i}")) for i in range(count)]
        self.nonces = [0] * count

    def sign(self, sender: int, to: str | None, data: bytes, gas: int, value: int = 0) -> Signed:
        tx = {
            "chainId": CHAIN_ID,
            "nonce": self.nonces[sender],
            "gas": gas,
            "maxFeePerGas": MAX_FEE_WEI,
            "maxPriorityFeePerGas": PRIORITY_FEE_WEI,
            "value": value,
            "data": data,
        }
        if to is not None:
            tx["to"] = to
        self.nonces[sender] += 1
        signed = Account.sign_transaction(tx, self.accounts[sender].key)
        return Signed(bytes(signed.raw_transaction), bytes(signed.hash), sender)


class Rpc:
    """JSON-RPC batches over one aiohttp session."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url

    async def batch(self, calls: list[tuple[str, list]]) -> list[dict]:
        body = [
            {"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)
        ]
        async with self.session.post(
            self.url, data=json.dumps(body), headers={"content-type": "application/json"}
        ) as response:
            answers = await response.json()
        return sorted(answers, key=lambda a: a["id"])

    async def call(self, method: str, params: list) -> object:
        (answer,) = await self.batch([(method, params)])
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    async def send(self, txs: list[Signed]) -> None:
        """Send in order, one batch of ``BATCH`` at a time; any refusal stops the run."""
        for start in range(0, len(txs), BATCH):
            chunk = txs[start : start + BATCH]
            answers = await self.batch(
                [("eth_sendRawTransaction", ["0x" + tx.raw.hex()]) for tx in chunk]
            )
            errors = [a["error"] for a in answers if "error" in a]
            if errors:
                raise RuntimeError(f"{self.url} refused transactions: {errors[:3]}")

    async def wait_included(self, txs: Iterable[Signed], timeout_seconds: float) -> float:
        """Wait until each sender's last transaction of ``txs`` has a receipt (so, by nonce
        order, all of them do), check every one of those succeeded; the time it happened."""
        last: dict[int, Signed] = {}
        for tx in txs:
            last[tx.sender] = tx
        pending = {tx.hash for tx in last.values()}
        deadline = time.monotonic() + timeout_seconds
        while pending:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.url}: {len(pending)} senders' loads not included")
            hashes = sorted(pending)
            answers = await self.batch(
                [("eth_getTransactionReceipt", ["0x" + h.hex()]) for h in hashes]
            )
            for tx_hash, answer in zip(hashes, answers, strict=True):
                receipt = answer.get("result")
                if receipt:
                    if int(receipt["status"], 16) != 1:
                        raise RuntimeError(f"{self.url}: 0x{tx_hash.hex()} reverted")
                    pending.discard(tx_hash)
            if pending:
                await asyncio.sleep(0.05)
        return time.perf_counter()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, MiB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    total_kb = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


class DevnetNode:
    """``rollup-node devnet`` in a subprocess, its data in a temporary directory."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        command = [
            sys.executable, "-m", "rollup_node.cli", "devnet", "--data-dir", str(workdir / "node"),
            "--rpc-port", str(self.port), "--l1-rpc-port", str(_free_port()),
            "--block-time", "1", "--log-level", "warning",
        ]  # fmt: skip
        self._log = (workdir / "node.log").open("wb")
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=self._log, stdin=subprocess.DEVNULL
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    log = (workdir / "node.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"the devnet did not start:\n{log}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


async def fund_node(rpc: Rpc, senders: Senders) -> None:
    """Transfers from a devnet account to every bench sender."""
    address, key = devnet_accounts()[9]
    funder = Account.from_key(key)
    nonce = int(str(await rpc.call("eth_getTransactionCount", [funder.address, "pending"])), 16)
    txs = []
    for i, account in enumerate(senders.accounts):
        tx = {
            "chainId": CHAIN_ID,
            "nonce": nonce + i,
            "gas": TRANSFER_GAS,
            "maxFeePerGas": MAX_FEE_WEI,
            "maxPriorityFeePerGas": PRIORITY_FEE_WEI,
            "to": account.address,
            "value": SENDER_FUNDS_WEI,
        }
        signed = Account.sign_transaction(tx, funder.key)
        txs.append(Signed(bytes(signed.raw_transaction), bytes(signed.hash), 0))
    await rpc.send(txs)
    await rpc.wait_included(txs, 120)


async def fund_anvil(rpc: Rpc, senders: Senders) -> None:
    for account in senders.accounts:
        await rpc.call("anvil_setBalance", [account.address, hex(SENDER_FUNDS_WEI)])


def token_setup(senders: Senders) -> tuple[str, list[Signed]]:
    """The token deployment (sender 0, nonce 0: the same address on both chains) and a mint
    to every sender."""
    artifact = load_artifact("MintableERC20")
    deployer = senders.accounts[0].address
    args = abi_encode(
        ["address", "address", "string", "string", "uint8"],
        [deployer, "0x" + "11" * 20, "Bench", "BNC", 18],
    )
    if senders.nonces[0] != 0:
        raise RuntimeError("the token must be the deployer's first transaction")
    token = to_checksum_address(  # keccak(rlp([deployer, nonce 0]))[12:]
        keccak(bytes([0xD6, 0x94]) + bytes.fromhex(deployer[2:]) + b"\x80")[12:]
    )
    txs = [senders.sign(0, None, artifact.bytecode + args, DEPLOY_GAS)]
    for account in senders.accounts:
        data = MINT_SELECTOR + abi_encode(["address", "uint256"], [account.address, 10**27])
        txs.append(senders.sign(0, token, data, MINT_GAS))
    return token, txs


def transfer_load(senders: Senders, count: int) -> list[Signed]:
    """``count`` transfers, senders in turn (each sender's nonces in order)."""
    to = to_checksum_address("0x" + "5e" * 20)
    return [senders.sign(i % len(senders.nonces), to, b"", TRANSFER_GAS, 1) for i in range(count)]


def erc20_load(senders: Senders, token: str, count: int) -> list[Signed]:
    """``count`` ERC20 transfer() calls to 64 recipients, senders in turn."""
    out = []
    for i in range(count):
        recipient = "0x" + (i % 64 + 1).to_bytes(20, "big").hex()
        data = TRANSFER_SELECTOR + abi_encode(["address", "uint256"], [recipient, 1])
        out.append(senders.sign(i % len(senders.nonces), token, data, ERC20_GAS))
    return out


async def measure(rpc: Rpc, txs: list[Signed]) -> float:
    """Included tx/s of ``txs``: their count over first send to last inclusion."""
    started = time.perf_counter()
    await rpc.send(txs)
    ended = await rpc.wait_included(txs, timeout_seconds=60 + len(txs) / 20)
    return len(txs) / (ended - started)


async def run(args: argparse.Namespace, node: DevnetNode, anvil: Anvil) -> None:
    senders = Senders(args.senders)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        chains = {"node": Rpc(session, node.url), "anvil": Rpc(session, anvil.url)}
        pids = {"node": node.process.pid, "anvil": anvil.process.pid}
        await fund_node(chains["node"], senders)
        await fund_anvil(chains["anvil"], senders)
        token, setup = token_setup(senders)
        for rpc in chains.values():
            await rpc.send(setup)
            await rpc.wait_included(setup, 120)
        rates: dict[tuple[str, str], list[float]] = {}
        rss: dict[str, list[float]] = {"node": [], "anvil": []}
        for round_index in range(args.rounds):
            order = ["node", "anvil"] if round_index % 2 == 0 else ["anvil", "node"]
            loads = [("transfers", transfer_load(senders, args.transfers))]
            if args.erc20:
                loads.append(("erc20", erc20_load(senders, token, args.erc20)))
            for load_name, txs in loads:
                for chain in order:
                    rate = await measure(chains[chain], txs)
                    rates.setdefault((load_name, chain), []).append(rate)
                    rss[chain].append(tree_rss_mb(pids[chain]))
                    print(
                        f"round {round_index + 1} {load_name:9} {chain:5}: {rate:7.1f} tx/s "
                        f"({len(txs)} txs), RSS {rss[chain][-1]:6.0f} MiB",
                        flush=True,
                    )
    for chain, samples in rss.items():
        print(f"{chain:5} RSS: max {max(samples):.0f} MiB, last {samples[-1]:.0f} MiB")
    ratios = []
    for load_name in ("transfers", "erc20"):
        if (load_name, "node") in rates:
            node_rate = statistics.median(rates[(load_name, "node")])
            anvil_rate = statistics.median(rates[(load_name, "anvil")])
            print(f"{load_name:9}: node {node_rate:.1f} tx/s, anvil {anvil_rate:.1f} tx/s (median)")
            ratios.append(f"{load_name} {node_rate / anvil_rate:.2f}")
    print("node/anvil: " + ", ".join(ratios))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=5_000, help="transfers per round")
    parser.add_argument("--erc20", type=int, default=2_000, help="ERC20 transfer() per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (each load on each chain)")
    parser.add_argument("--senders", type=int, default=20, help="sender accounts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-vs-anvil-") as scratch:
        workdir = Path(scratch)
        node = DevnetNode(workdir)
        try:
            anvil = Anvil(workdir / "anvil.log", CHAIN_ID, block_time_seconds=1)
            try:
                asyncio.run(run(args, node, anvil))
            finally:
                anvil.stop()
        finally:
            node.stop()


if __name__ == "__main__":
    main()
