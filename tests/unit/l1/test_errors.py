"""``l1.errors.classify``: what a service does after a failed L1 request. The transport
failures are the real ones web3 raises through the node's provider — a refused connection, a
timeout, HTTP statuses and JSON-RPC errors from a small aiohttp server standing in for L1 —
and the transactor, which retries (``L1SendFailed``) only what ``classify`` calls transient."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import lmdb
import pytest
from aiohttp import web
from web3.exceptions import Web3RPCError

from rollup_node.chain.errors import ExecutionFault
from rollup_node.chain.genesis import devnet_accounts
from rollup_node.derivation.errors import L1Unavailable, ReorgDetected, reading_l1
from rollup_node.l1.errors import Action, Backoff, classify
from rollup_node.l1.transactor import L1SendFailed, L1TransactionReverted, Transactor, connect


class L1Stub:
    """Answers every JSON-RPC request with the configured HTTP status or error object."""

    def __init__(self) -> None:
        self.status = 200
        self.error: dict[str, Any] | None = None
        self.delay_seconds = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(self.delay_seconds)
        if self.status != 200:
            return web.Response(status=self.status, text="unavailable")
        return web.json_response({"jsonrpc": "2.0", "id": body["id"], "error": self.error})


@pytest.fixture
async def stub() -> AsyncIterator[tuple[L1Stub, str]]:
    l1 = L1Stub()
    app = web.Application()
    app.router.add_post("/", l1.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield l1, f"http://127.0.0.1:{port}/"
    await runner.cleanup()


async def failure_of(url: str, timeout_seconds: float = 5.0) -> BaseException:
    w3 = connect(url, timeout_seconds)
    try:
        await w3.eth.block_number
    except Exception as exc:
        return exc
    finally:
        await w3.provider.disconnect()
    raise AssertionError("the request succeeded")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_refused_connection_is_retried() -> None:
    exc = await failure_of(f"http://127.0.0.1:{closed_port()}/")
    assert classify(exc) is Action.RETRY


async def test_a_timeout_is_retried(stub: tuple[L1Stub, str]) -> None:
    l1, url = stub
    l1.delay_seconds = 1.0
    exc = await failure_of(url, timeout_seconds=0.2)
    assert isinstance(exc, TimeoutError)
    assert classify(exc) is Action.RETRY


@pytest.mark.parametrize(
    ("status", "action"),
    [(503, Action.RETRY), (500, Action.RETRY), (429, Action.RETRY), (404, Action.HALT)],
)
async def test_http_status(stub: tuple[L1Stub, str], status: int, action: Action) -> None:
    l1, url = stub
    l1.status = status
    assert classify(await failure_of(url)) is action


@pytest.mark.parametrize(
    ("code", "message", "action"),
    [
        (-32603, "internal error", Action.RETRY),
        (-32005, "limit exceeded", Action.RETRY),
        (-32002, "resource unavailable", Action.RETRY),
        (-32000, "header not found", Action.RETRY),
        (-32602, "invalid argument 0", Action.HALT),
        (-32601, "the method eth_blockNumber does not exist", Action.HALT),
        (-32000, "invalid sender", Action.HALT),
    ],
)
async def test_json_rpc_errors(
    stub: tuple[L1Stub, str], code: int, message: str, action: Action
) -> None:
    l1, url = stub
    l1.error = {"code": code, "message": message}
    assert classify(await failure_of(url)) is action


@pytest.mark.parametrize(
    ("exc", "action"),
    [
        (ReorgDetected("L1 block 7 was reorganised"), Action.RESET),
        (L1Unavailable("L1 block 9 is not available"), Action.RETRY),
        (L1SendFailed("batch: L1 dropped transaction"), Action.RETRY),
        (ConnectionResetError(), Action.RETRY),
        (L1TransactionReverted("appendBatch"), Action.HALT),
        (ExecutionFault("applying transaction 0x00 failed"), Action.HALT),
        (lmdb.CorruptedError("page damaged"), Action.HALT),
        (KeyError("number"), Action.HALT),
        (AttributeError("'NoneType' object has no attribute 'hash'"), Action.HALT),
    ],
)
def test_the_nodes_own_errors_and_programming_errors(exc: BaseException, action: Action) -> None:
    assert classify(exc) is action


def test_reading_l1_wraps_only_what_is_retried() -> None:
    retried = pytest.raises(L1Unavailable, match="L1 block 3: ConnectionResetError")
    with retried, reading_l1("L1 block 3"):
        raise ConnectionResetError("reset by peer")
    with pytest.raises(KeyError), reading_l1("L1 block 3"):  # a bug stays itself: it halts
        raise KeyError("hash")
    with pytest.raises(ReorgDetected), reading_l1("L1 block 3"):
        raise ReorgDetected("L1 block 3 was reorganised")


def test_backoff_doubles_to_its_ceiling_and_restarts_after_a_success() -> None:
    backoff = Backoff(first_seconds=0.5, max_seconds=3.0)
    assert [backoff.pause() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.succeeded()
    assert backoff.pause() == 0.5


async def test_the_transactor_retries_l1_trouble_and_raises_anything_else(
    stub: tuple[L1Stub, str],
) -> None:
    l1, url = stub
    w3 = connect(url, 5)
    try:
        tx = Transactor(w3, devnet_accounts()[2][1], 900)
        l1.status = 503
        with pytest.raises(L1SendFailed, match="probe: ClientResponseError"):
            await tx.send(tx.address, b"", "probe", gas=21_000)
        l1.status = 200
        l1.error = {"code": -32602, "message": "invalid argument 0"}
        with pytest.raises(Web3RPCError) as refused:  # not L1SendFailed: retrying cannot help
            await tx.send(tx.address, b"", "probe", gas=21_000)
        assert not isinstance(refused.value, L1SendFailed)
    finally:
        await w3.provider.disconnect()
