"""The aiohttp application: JSON-RPC over HTTP and WebSocket on one port, plus probes.

Routes: ``POST /`` JSON-RPC over HTTP; ``GET /`` with an upgrade header, JSON-RPC over
WebSocket (same dispatcher, plus subscriptions); any other ``GET /`` (a browser) and
``/status``, the page a person looks at (``status_page``); ``/healthz`` and ``/readyz``, the
probes the node passes in (``rollup_node/health.py``: 200 or 503 with a JSON body saying why);
``/metrics`` (Prometheus text). A body larger than
``RpcLimits.max_body_bytes`` is refused with HTTP 413 and a -32005 error while it is being
read (the declared length is checked first; a chunked body is cut at the limit), so it never
sits in memory whole. Browser wallets and dapps need CORS, so every answer carries it.
``RpcServer`` runs the app on a host and port and stops it cleanly, closing WebSockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import structlog
from aiohttp import WSMsgType, web
from prometheus_client import CONTENT_TYPE_LATEST

from rollup_node.rpc import (
    access_list,
    accounts,
    debug,
    errors,
    net,
    status_page,
    txpool,
    web3_ns,
)
from rollup_node.rpc import dev as dev_ns
from rollup_node.rpc import rollup as rollup_ns
from rollup_node.rpc.backend import ChainBackend, DevBackend, RollupBackend, Signer
from rollup_node.rpc.call_workers import CallSource, CallWorkers
from rollup_node.rpc.dispatch import CallContext, Dispatcher
from rollup_node.rpc.eth import EthApi
from rollup_node.rpc.events import ChainEvents
from rollup_node.rpc.filters import FilterRegistry
from rollup_node.rpc.limits import RpcLimits
from rollup_node.rpc.metrics import RpcMetrics
from rollup_node.rpc.subscriptions import Subscriptions

log = structlog.get_logger(__name__)

DISPATCHER = web.AppKey("dispatcher", Dispatcher)
EVENTS = web.AppKey("events", ChainEvents)
METRICS = web.AppKey("metrics", RpcMetrics)
LIMITS = web.AppKey("limits", RpcLimits)
#: A probe answers the JSON body of ``/healthz`` or ``/readyz``; its ``ok`` picks 200 or 503.
Probe = Callable[[], dict[str, Any]]
HEALTH = web.AppKey("health", Probe)
READY = web.AppKey("ready", Probe)
SOCKETS = web.AppKey("sockets", set)
CORS_ORIGINS = web.AppKey("cors_origins", tuple)
CALL_WORKERS = web.AppKey("call_workers", CallWorkers)

NOTIFICATION_QUEUE_SIZE = 10_000  # a peer this far behind is disconnected, as geth does
WS_HEARTBEAT_SECONDS = 30.0
WS_MAX_IN_FLIGHT = 16
# After refusing a body unread, aiohttp keeps draining it this long so that the client, still
# uploading, gets to read the 413 answer; shutdown waits at most this long for such a peer.
LINGERING_SECONDS = 2.0
# On shutdown, how long a connection's handler may take to finish before it is cancelled
# (aiohttp's default is 60 s). Calls in flight are already ended (their workers killed), so
# this bounds what remains: a request that arrived on a kept-alive connection as the server
# was closing is never answered, and the connection waited for its client to give up — 30 s
# for the proposer's fault-proof program reading the embedded L1 (SIGTERM took 31 s).
SHUTDOWN_SECONDS = 2.0


class WebSocketConnection:
    """One WebSocket peer: an ordered outbox of messages and close callbacks."""

    def __init__(self, socket: web.WebSocketResponse) -> None:
        self._socket = socket
        self._outbox: asyncio.Queue[str] = asyncio.Queue(NOTIFICATION_QUEUE_SIZE)
        self._close_callbacks: list[Callable[[], None]] = []
        self._writer = asyncio.create_task(self._write())

    def notify(self, message: dict[str, Any]) -> None:
        """Queue a notification; a peer that does not keep up is disconnected."""
        self.send(json.dumps(message, separators=(",", ":")))

    def send(self, text: str) -> None:
        """Queue one text frame."""
        try:
            self._outbox.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("rpc.ws_peer_too_slow")
            asyncio.ensure_future(self._socket.close(code=1008, message=b"too slow"))

    def on_close(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the connection ends."""
        self._close_callbacks.append(callback)

    async def _write(self) -> None:
        while True:
            text = await self._outbox.get()
            try:
                await self._socket.send_str(text)
            except ConnectionError:
                return

    async def close(self) -> None:
        """Run the close callbacks and stop the writer (the socket is gone)."""
        for callback in self._close_callbacks:
            callback()
        self._close_callbacks.clear()
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer


def _too_large(limit: int) -> web.Response:
    error = errors.limit_exceeded(f"request body too large: at most {limit} bytes")
    body = {"jsonrpc": "2.0", "id": None, "error": error.to_json()}
    return web.json_response(body, status=413)


async def _handle_post(request: web.Request) -> web.Response:
    limit = request.app[LIMITS].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        return _too_large(limit)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _too_large(limit)
    except ConnectionResetError:
        # The client went away mid-request: nobody to answer, nothing to log a traceback for.
        return web.Response(status=400)
    answer = await request.app[DISPATCHER].handle(body, CallContext())
    return web.Response(text=answer or "", content_type="application/json")


async def _handle_get(request: web.Request) -> web.StreamResponse:
    if request.headers.get("Upgrade", "").lower() != "websocket":
        return await status_page.handle(request)  # a browser: JSON-RPC is POST or WebSocket
    app = request.app
    socket = web.WebSocketResponse(
        max_msg_size=app[LIMITS].max_body_bytes, heartbeat=WS_HEARTBEAT_SECONDS
    )
    await socket.prepare(request)
    connection = WebSocketConnection(socket)
    context = CallContext(connection)
    # Messages are answered concurrently (a slow call does not hold up the others), at most
    # WS_MAX_IN_FLIGHT at a time: beyond that the server stops reading from the peer.
    in_flight = asyncio.Semaphore(WS_MAX_IN_FLIGHT)
    tasks: set[asyncio.Task[None]] = set()

    async def answer(body: str | bytes) -> None:
        try:
            text = await app[DISPATCHER].handle(body, context)
            if text is not None:
                connection.send(text)
        finally:
            in_flight.release()

    app[SOCKETS].add(socket)
    try:
        async for message in socket:
            if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                await in_flight.acquire()
                task = asyncio.create_task(answer(message.data))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            elif message.type == WSMsgType.ERROR:
                log.info("rpc.ws_error", error=str(socket.exception()))
                break
    finally:
        app[SOCKETS].discard(socket)
        for task in list(tasks):
            task.cancel()
        await connection.close()
    return socket


def _probe_answer(body: dict[str, Any]) -> web.Response:
    return web.json_response(body, status=200 if body.get("ok") else 503)


async def _healthz(request: web.Request) -> web.Response:
    return _probe_answer(request.app[HEALTH]())


async def _readyz(request: web.Request) -> web.Response:
    return _probe_answer(request.app[READY]())


def _always_ok() -> dict[str, Any]:
    return {"ok": True, "reasons": []}


async def _metrics(request: web.Request) -> web.Response:
    return web.Response(
        body=request.app[METRICS].exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )


@web.middleware
async def _cors(request: web.Request, handler: Callable) -> web.StreamResponse:
    allowed = request.app[CORS_ORIGINS]
    origin = request.headers.get("Origin")
    allow = None
    if origin is not None and ("*" in allowed or origin in allowed):
        allow = "*" if "*" in allowed else origin
    if request.method == "OPTIONS":
        response: web.StreamResponse = web.Response(status=204)
    else:
        response = await handler(request)
    if allow is not None and not response.prepared:
        response.headers["Access-Control-Allow-Origin"] = allow
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "POST, GET, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "Content-Type"
            )
            response.headers["Access-Control-Max-Age"] = "600"
    return response


def build_app(
    backend: ChainBackend,
    *,
    dev: DevBackend | None = None,
    signer: Signer | None = None,
    pool: txpool.TxPool | None = None,
    rollup: RollupBackend | None = None,
    limits: RpcLimits | None = None,
    metrics: RpcMetrics | None = None,
    health: Probe = _always_ok,
    ready: Probe = _always_ok,
    cors_origins: tuple[str, ...] = ("*",),
    call_source: CallSource | None = None,
) -> web.Application:
    """The aiohttp application serving ``backend`` (and the optional dev and rollup parts).

    ``signer`` holds unlocked accounts (devnet only; ``dev`` is the signer when it is given);
    ``pool`` is the intake ``txpool_`` reports (none: nothing queued).
    ``metrics`` holds the Prometheus registry (a fresh one by default); ``health`` and
    ``ready`` answer ``/healthz`` and ``/readyz`` (always ok by default); ``cors_origins``
    lists browser origins allowed to call (``*`` for any).
    ``call_source`` (the node's chain, which the backend is) runs client-chosen executions in
    worker processes (``call_workers.py``), started and stopped with the app; without it
    they run in threads of this process (an in-memory backend cannot be opened elsewhere).
    """
    limits = limits or RpcLimits()
    metrics = metrics or RpcMetrics()
    events = ChainEvents(backend)
    filters = FilterRegistry(events, limits.filter_timeout_seconds, limits.max_filters)
    subscriptions = Subscriptions(
        events, limits.max_subscriptions_per_connection, backend.transaction
    )
    signer = dev if signer is None else signer
    workers = None
    if call_source is not None:
        workers = CallWorkers(
            call_source,
            limits.max_concurrent_calls,
            limits.evm_timeout_seconds,
            limits.call_niceness,
        )
    eth = EthApi(
        backend,
        events,
        filters,
        subscriptions,
        limits,
        signer.accounts if signer else tuple,
        workers,
    )
    methods = eth.methods() + net.methods(backend) + web3_ns.methods() + txpool.methods(pool)
    methods += access_list.methods(eth)
    methods += debug.methods(backend, eth, limits.max_trace_steps)
    if signer is not None:
        after_submit = dev.mine_queued if dev is not None else None
        methods += accounts.methods(signer, backend, eth, after_submit)
    if dev is not None:
        methods += dev_ns.methods(dev)
    if rollup is not None:
        methods += rollup_ns.methods(rollup)

    app = web.Application(client_max_size=limits.max_body_bytes, middlewares=[_cors])
    app[DISPATCHER] = Dispatcher(methods, limits, metrics)
    app[EVENTS] = events
    app[METRICS] = metrics
    app[LIMITS] = limits
    app[HEALTH] = health
    app[READY] = ready
    app[SOCKETS] = set()
    app[CORS_ORIGINS] = cors_origins
    app.router.add_post("/", _handle_post)
    app.router.add_get("/", _handle_get)
    app.router.add_route("OPTIONS", "/", _handle_post)  # answered by the CORS middleware
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/status", status_page.handle)
    app.on_startup.append(_start_events)
    if workers is not None:
        app[CALL_WORKERS] = workers
        app.on_startup.append(_start_call_workers)
        # First on shutdown: calls in flight end now (-32000), not at their deadline.
        app.on_shutdown.append(_stop_call_workers)
    app.on_shutdown.append(_close_sockets)
    app.on_cleanup.append(_stop_events)
    return app


async def _start_events(app: web.Application) -> None:
    app[EVENTS].start()


async def _start_call_workers(app: web.Application) -> None:
    await app[CALL_WORKERS].start()


async def _stop_call_workers(app: web.Application) -> None:
    await app[CALL_WORKERS].close()


async def _close_sockets(app: web.Application) -> None:
    for socket in list(app[SOCKETS]):
        await socket.close(code=1001, message=b"server shutting down")


async def _stop_events(app: web.Application) -> None:
    app[EVENTS].stop()


class RpcServer:
    """Runs an RPC application on a TCP port; ``port`` is the bound one after ``start``."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port`` (port 0 picks a free one)."""
        # A client that disconnects cancels its request's handler: an eth_call it started is
        # stopped then (its worker killed), not at its deadline. Handlers change state only
        # in synchronous steps (intake, filters), so a cancellation never leaves one half done.
        runner = web.AppRunner(
            self._app,
            handle_signals=False,
            access_log=None,
            lingering_time=LINGERING_SECONDS,
            handler_cancellation=True,
            shutdown_timeout=SHUTDOWN_SECONDS,
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.info("rpc.listening", host=host, port=self.port)

    async def stop(self) -> None:
        """Close WebSockets, finish in-flight requests and release the port."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
