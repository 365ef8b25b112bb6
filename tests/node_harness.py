"""Run a real node in the test process, on its own event loop thread, with random ports.

Tests talk to it only as a wallet would — web3.py over HTTP or WebSocket — and use a few
internal handles (``node.deposits.inject``) where the issue allows an internal API.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from web3 import Web3

from rollup_node.config import Config, load_config
from rollup_node.node import Node

T = TypeVar("T")


class RunningNode:
    """A started ``Node`` on a background event loop."""

    def __init__(
        self, data_dir: Path, node_class: type[Node] = Node, **node_overrides: Any
    ) -> None:
        rollup = node_overrides.pop("rollup", {})
        node_kwargs = {
            key: node_overrides.pop(key)
            for key in ("rollup_services", "faults")
            if key in node_overrides
        }
        node = {
            "mode": "devnet",
            "data_dir": str(data_dir),
            "rpc_port": 0,
            "l1_rpc_port": 0,
            "l1_block_time": 1.0,
            **node_overrides,
        }
        self.config: Config = load_config(
            None, {"node": node, "rollup": {"l2_block_time": 1, **rollup}}, environ={}
        )
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="node-loop", daemon=True)
        self._thread.start()
        self.node = node_class(self.config, **node_kwargs)
        self.run(self.node.start())
        assert self.node.rpc is not None and self.node.rpc.port
        self.url = f"http://127.0.0.1:{self.node.rpc.port}"
        self.ws_url = f"ws://127.0.0.1:{self.node.rpc.port}"
        self.l1_url = f"http://127.0.0.1:{self.node.l1_rpc.port}" if self.node.l1_rpc else None
        self.w3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 30}))
        self.l1_w3 = Web3(Web3.HTTPProvider(self.l1_url)) if self.l1_url else None

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run a coroutine on the node's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        """Stop the node cleanly and end its loop thread (a second call does nothing)."""
        if self.loop.is_closed():
            return
        try:
            self.run(self.node.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()
