"""The read path against anvil: answered JSON-RPC requests per second, method by method.

Two servers, each its own process on 127.0.0.1: the node's RPC over an embedded L1 dev chain
(``--serve-node``, below: the same ``EmbeddedL1`` and ``build_app`` the devnet runs, mining a
block every second) and anvil (the ``@foundry-rs/anvil`` binary of ``tests/e2e/anvil``, started
as ``tests/e2e/l1.py`` does, 1 s blocks). Both get the same chain first: a log emitter (LOG2,
topics from calldata) installed at two addresses with ``anvil_setCode``, then ``--blocks``
blocks, each with one signed call to one of the emitters (the queried one in every tenth
block), mined with ``evm_mine``. Then, for each round, each server in turn (the order alternates
between rounds, so the machine's other load falls on both alike) is driven by ``--clients``
concurrent aiohttp clients for ``--seconds`` per method:

- ``eth_blockNumber``
- ``eth_getBlockByNumber(latest, true)``
- ``eth_getBalance`` of a funded account at ``latest``
- ``eth_call`` to an account without code at ``latest``
- ``eth_getLogs`` over the whole chain for one address

The node's late blocks are counted over each round: a block whose timestamp is more than two
block times after its parent's (the miner sleeps a block time and then seals, so 1–2 s gaps
are its schedule). Prints a line per method and server, the late blocks, and on the last line
the median ratio node/anvil of each method. Usage:
``python bench/rpc_throughput.py [--seconds S] [--clients C] [--blocks N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from eth_account import Account
from eth_utils import to_checksum_address
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.e2e.l1: how the suite starts anvil

from rollup_node.chain.genesis import devnet_accounts  # noqa: E402
from rollup_node.devnet.l1 import EmbeddedL1  # noqa: E402
from rollup_node.metrics import NodeMetrics  # noqa: E402
from rollup_node.rpc.server import RpcServer, build_app  # noqa: E402

CHAIN_ID = 901
BLOCK_TIME = 1.0
QUERIED = "0x" + "e1" * 20
OTHER = "0x" + "e2" * 20
# LOG2(calldata[0:8], topic1 = calldata word 0, topic2 = calldata word 1); STOP.
EMITTER_CODE = "0x60203560003560086000a200"
LISTENING = re.compile(r"Listening on ([0-9.]+):(\d+)")
METHODS = (
    "eth_blockNumber",
    "eth_getBlockByNumber",
    "eth_getBalance",
    "eth_call",
    "eth_getLogs",
)


def _workloads(account: str, empty: str) -> dict[str, dict]:
    def request(method: str, params: list) -> dict:
        return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}

    return {
        "eth_blockNumber": request("eth_blockNumber", []),
        "eth_getBlockByNumber": request("eth_getBlockByNumber", ["latest", True]),
        "eth_getBalance": request("eth_getBalance", [account, "latest"]),
        "eth_call": request("eth_call", [{"to": empty, "data": "0x"}, "latest"]),
        "eth_getLogs": request(
            "eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest", "address": QUERIED}]
        ),
    }


class _Rpc:
    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url

    async def __call__(self, method: str, *params: object) -> object:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        async with self.session.post(self.url, json=body) as response:
            answer = await response.json()
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]


async def _drive(
    session: aiohttp.ClientSession, url: str, body: dict, seconds: float, clients: int
) -> float:
    """Requests per second that ``clients`` concurrent senders of ``body`` get answered."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            async with session.post(url, json=body) as response:
                answer = await response.json()
            if "result" not in answer:
                raise RuntimeError(f"{body['method']} failed at {url}: {answer}")
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done / (time.perf_counter() - start)


async def _grow(rpc: _Rpc, blocks: int) -> int:
    """Install the emitters and add ``blocks`` blocks with one log call each; the log count of
    the queried address."""
    for address in (QUERIED, OTHER):
        await rpc("anvil_setCode", address, EMITTER_CODE)
    key = devnet_accounts()[0][1]
    sender = Account.from_key(key)
    nonce = int(await rpc("eth_getTransactionCount", sender.address, "latest"), 16)
    queried = 0
    for i in range(blocks):
        to = QUERIED if i % 10 == 0 else OTHER
        queried += to == QUERIED
        tx = {
            "chainId": CHAIN_ID,
            "nonce": nonce,
            "to": to_checksum_address(to),
            "value": 0,
            "data": (i.to_bytes(32, "big") + (i % 7).to_bytes(32, "big")),
            "gas": 60_000,
            "maxFeePerGas": 10**11,
            "maxPriorityFeePerGas": 10**9,
        }
        await rpc(
            "eth_sendRawTransaction", "0x" + sender.sign_transaction(tx).raw_transaction.hex()
        )
        await rpc("evm_mine")
        nonce += 1
    while int(await rpc("eth_getTransactionCount", sender.address, "latest"), 16) < nonce:
        await asyncio.sleep(0.2)
    return queried


async def _late_blocks(rpc: _Rpc, first: int, last: int) -> int:
    late = 0
    previous = None
    for number in range(first, last + 1):
        block = await rpc("eth_getBlockByNumber", hex(number), False)
        timestamp = int(block["timestamp"], 16)
        if previous is not None and timestamp - previous > 2 * BLOCK_TIME:
            late += 1
        previous = timestamp
    return late


def _start_node(workdir: Path) -> tuple[subprocess.Popen, str]:
    log_path = workdir / "node.log"
    log = open(log_path, "wb")  # noqa: SIM115 - the child holds it; closed with the process
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-node", str(workdir / "node")],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = LISTENING.search(log_path.read_text(errors="replace"))
        if found:
            return process, f"http://{found[1]}:{found[2]}/"
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"the node did not start: {log_path.read_text()[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def main(args: argparse.Namespace) -> None:
    from tests.e2e.l1 import Anvil

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        node, node_url = _start_node(workdir)
        anvil = None
        try:
            anvil = Anvil(workdir / "anvil.log", CHAIN_ID, block_time_seconds=int(BLOCK_TIME))
            urls = {"node": node_url, "anvil": anvil.url + "/"}
            account = devnet_accounts()[1][0]
            workloads = _workloads("0x" + account.hex(), "0x" + "00" * 19 + "aa")
            rates: dict[str, dict[str, list[float]]] = {
                m: {"node": [], "anvil": []} for m in METHODS
            }
            connector = aiohttp.TCPConnector(limit=args.clients * 2)
            async with aiohttp.ClientSession(connector=connector) as session:
                rpcs = {name: _Rpc(session, url) for name, url in urls.items()}
                started = time.perf_counter()
                counts = await asyncio.gather(*(_grow(rpc, args.blocks) for rpc in rpcs.values()))
                print(
                    f"grew both chains by {args.blocks} blocks with logs in "
                    f"{time.perf_counter() - started:.0f} s; logs of the queried address: "
                    f"{counts[0]}"
                )
                for name, rpc in rpcs.items():
                    logs = await rpc("eth_getLogs", *workloads["eth_getLogs"]["params"])
                    if len(logs) != counts[0]:
                        raise RuntimeError(f"{name} answers {len(logs)} logs, not {counts[0]}")
                late_total = 0
                for round_index in range(args.rounds):
                    order = ["node", "anvil"] if round_index % 2 == 0 else ["anvil", "node"]
                    first = int(await rpcs["node"]("eth_blockNumber"), 16)
                    for name in order:
                        for method in METHODS:
                            rate = await _drive(
                                session, urls[name], workloads[method], args.seconds, args.clients
                            )
                            rates[method][name].append(rate)
                            print(f"round {round_index + 1} {name:5} {method}: {rate:,.0f} req/s")
                    last = int(await rpcs["node"]("eth_blockNumber"), 16)
                    late = await _late_blocks(rpcs["node"], first, last)
                    late_total += late
                    print(
                        f"round {round_index + 1}: node blocks {first}..{last}, late blocks: {late}"
                    )
        finally:
            if anvil is not None:
                anvil.stop()
            _stop(node)
    print(f"late blocks: {late_total}")
    ratios = {
        m: statistics.median(rates[m]["node"]) / statistics.median(rates[m]["anvil"])
        for m in METHODS
    }
    print("ratio node/anvil: " + ", ".join(f"{m} {r:.2f}" for m, r in ratios.items()))


async def serve_node(data_dir: Path) -> None:
    """The node side: an embedded L1 mining every block time, served by the node's RPC."""
    l1 = EmbeddedL1(data_dir, CHAIN_ID, BLOCK_TIME, NodeMetrics(CollectorRegistry(), chain="l1"))
    server = RpcServer(build_app(l1.chain, dev=l1))
    await server.start("127.0.0.1", 0)
    print(f"Listening on 127.0.0.1:{server.port}", flush=True)
    try:
        await l1.run()
    finally:
        await server.stop()
        l1.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per method and server")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--blocks", type=int, default=1000, help="blocks with logs grown first")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--serve-node", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_node is not None:
        asyncio.run(serve_node(arguments.serve_node))
    else:
        asyncio.run(main(arguments))
