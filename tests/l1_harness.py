"""A fresh embedded L1 served over HTTP by the node's own RPC server, for contract tests.

The chain (py-evm Cancun, automine, the ten funded devnet accounts unlocked) and its RPC server
run on an event loop in a background thread with a random port and a temporary data directory,
as the devnet runs them; tests reach it only through web3 over JSON-RPC, so the same tests can
point at anvil.
"""

from __future__ import annotations

from pathlib import Path

import requests
from prometheus_client import CollectorRegistry
from web3 import Web3

from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.metrics import NodeMetrics
from rollup_node.rpc.limits import RpcLimits
from rollup_node.rpc.server import build_app
from tests.unit.rpc.live_server import LiveServer

L1_CHAIN_ID = 900
#: The contract tests' estimateGas searches run many executions each; on a loaded CI core the
#: public RPC's 5 s bound (rpc_evm_timeout, tested in tests/integration/test_rpc_hostile.py)
#: answered -32005 for an honest call. This private test L1 bounds them far above need.
EVM_TIMEOUT_SECONDS = 60.0


class ServedL1:
    """An ``EmbeddedL1`` with block time 0 (automine) and its RPC server."""

    def __init__(self, data_dir: Path) -> None:
        self.l1 = EmbeddedL1(
            data_dir, L1_CHAIN_ID, block_time=0, metrics=NodeMetrics(CollectorRegistry(), "l1")
        )
        try:
            limits = RpcLimits(evm_timeout_seconds=EVM_TIMEOUT_SECONDS)
            app = build_app(self.l1.chain, dev=self.l1, limits=limits)
            self.server = LiveServer(app, (self.l1.run,))
        except BaseException:
            self.l1.close()
            raise
        self.url = self.server.url
        # The server is local: no proxy settings apply (looking them up costs on every call).
        self._session = session = requests.Session()
        session.trust_env = False
        # The chain id and the unlocked accounts never change: web3 asks for the chain id
        # before every transaction and the tests for the accounts all the time.
        provider = Web3.HTTPProvider(
            self.url,
            request_kwargs={"timeout": 60},
            session=session,
            cache_allowed_requests=True,
            cacheable_requests={"eth_chainId", "eth_accounts"},
        )
        self.w3 = Web3(provider)

    def close(self) -> None:
        """Stop the miner and the server, then close the database."""
        self._session.close()
        try:
            self.server.close()
        finally:
            self.l1.close()
