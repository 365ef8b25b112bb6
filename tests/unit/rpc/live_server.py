"""An RPC app served on 127.0.0.1 from its own event loop in a background thread.

For clients that block (web3.py's HTTPProvider) or run in another process (node, cast).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

from rollup_node.rpc.server import RpcServer

T = TypeVar("T")


class LiveServer:
    """Serves ``app`` on a free port and runs ``services`` (coroutine functions) beside it."""

    def __init__(
        self, app: web.Application, services: tuple[Callable[[], Awaitable[None]], ...] = ()
    ) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = RpcServer(app)
        self.run_async(self.server.start("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.port}/"
        self._tasks = [self.run_async(self._spawn(service)) for service in services]

    async def _spawn(self, service: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        return asyncio.ensure_future(service())

    def run_async(self, coroutine: Any) -> Any:
        """Run a coroutine on the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def on_loop(self, function: Callable[[], T]) -> T:
        """Run ``function`` on the server's loop (where the chain calls its subscribers)."""

        async def wrapper() -> T:
            return function()

        return self.run_async(wrapper())

    def close(self) -> None:
        """Stop the services and the server, then the loop."""

        async def stop() -> None:
            for task in self._tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.server.stop()

        self.run_async(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
