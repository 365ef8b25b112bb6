"""Wiring: build the services of a mode, run them, stop them in reverse order.

A service is anything with ``async run()`` that runs until cancelled. The node supervises
them: if one fails, the node logs it loudly and stops everything (never half alive).

Modes (SPEC §1): ``devnet`` = embedded L1 (contracts deployed at first start) + L2 sequencer
with RPC on both; ``sequencer`` = L2 sequencer against an external L1 (``--l1-rpc``);
``verifier``/``replica`` = derivation from L1 with read-only RPC. Every mode derives; a
sequencer also takes deposits from the CTC queue and runs the batcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import structlog
from prometheus_client import CollectorRegistry

from rollup_node.batcher.driver import Batcher, BatcherSettings
from rollup_node.chain.chain import Chain
from rollup_node.chain.genesis import check_store_identity, devnet_accounts, open_l2_chain
from rollup_node.chain.store import ChainStore
from rollup_node.config import (
    ZERO_ADDRESS,
    Config,
    ConfigError,
    RollupConfig,
    load_config,
    write_rollup_config,
)
from rollup_node.deploy import deploy_rollup
from rollup_node.derivation.ctc_source import Web3CtcSource
from rollup_node.derivation.driver import Derivation, Web3L1Heads, derivation_service
from rollup_node.derivation.l1_traversal import L1Traversal
from rollup_node.devnet.accounts import wallet_accounts_for
from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.faultproof.game.agent import DisputeAgent, lying_traces, program_traces
from rollup_node.faults import Faults
from rollup_node.health import HealthThresholds, NodeHealth
from rollup_node.l1.health import L1Health
from rollup_node.l1.reader import ChainL1Reader, L1Reader, Web3L1Reader
from rollup_node.l1.transactor import Transactor, connect
from rollup_node.metrics import NodeMetrics
from rollup_node.proposer.driver import Proposer, ProposerSettings
from rollup_node.proposer.finalizer import BatchFinalizer
from rollup_node.protocol.predeploys import SEQUENCER_FEE_VAULT
from rollup_node.replica.unsafe_head import UnsafeHeadFollower
from rollup_node.rollup_status import RollupStatus
from rollup_node.rpc.limits import RpcLimits
from rollup_node.rpc.metrics import RpcMetrics
from rollup_node.rpc.server import RpcServer, build_app
from rollup_node.sequencer.ctc_deposits import CtcDeposits
from rollup_node.sequencer.deposits import InjectedDeposits
from rollup_node.sequencer.intake import Intake
from rollup_node.sequencer.producer import BlockProducer
from rollup_node.verifier.challenger import Challenger
from rollup_node.verifier.program_check import ProgramChecker, web3_prover
from rollup_node.verifier.watcher import OutputWatcher

#: User calls on the devnet's embedded L1 (``_serve``): bounded, far above an honest call's need.
EMBEDDED_L1_EVM_TIMEOUT_SECONDS = 60.0

log = structlog.get_logger("node")

ROLLUP_CONFIG_FILE = "rollup.toml"


class Node:
    """One rollup node process: its chains, services and RPC servers."""

    def __init__(
        self, config: Config, *, rollup_services: bool = True, faults: Faults | None = None
    ) -> None:
        self.config = config
        # False: the node-core devnet (no derivation, batcher or CTC deposits; tests inject
        # deposits directly). ``faults``: fault injection for tests (rollup_node/faults.py).
        self.rollup_services = rollup_services
        self.faults = faults or Faults()
        self.derivation: Derivation | None = None
        self.batcher: Batcher | None = None
        self.proposer: Proposer | None = None
        self.finalizer: BatchFinalizer | None = None
        self.unsafe_follower: UnsafeHeadFollower | None = None
        self.watcher: OutputWatcher | None = None
        self.program_checker: ProgramChecker | None = None
        self.agent: DisputeAgent | None = None
        self.rollup_status: RollupStatus | None = None
        self.health: NodeHealth | None = None
        self._l1_clients: list[Any] = []  # AsyncWeb3 clients of the rollup services
        self.data_dir = Path(config.node.data_dir)
        self.registry = CollectorRegistry()
        # Whether L1 answers, as derivation's polls see it: /readyz fails while it does not.
        self.l1_health = L1Health(self.registry)
        self.l1: EmbeddedL1 | None = None
        self.l2: Chain | None = None
        self.intake: Intake | None = None
        self.producer: BlockProducer | None = None
        self.deposits = InjectedDeposits()
        self.rpc: RpcServer | None = None
        self.l1_rpc: RpcServer | None = None
        self._services: list[tuple[str, Callable[[], Awaitable[None]]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._stores: list[ChainStore] = []
        self._started = False
        # Block building and commits run here, one at a time; stop() drains it before the
        # databases close, so no worker thread ever touches a closed store.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="blocks")
        # The embedded L1 mines on its own worker: it stands in for an independent chain, and a
        # backlog of L2 work must not hold up L1 blocks (the batcher's transactions would wait).
        self.l1_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="l1-blocks")
        # ``--check-with-program`` runs the fault-proof program here, apart from block building,
        # so a slow check never holds derivation up; drained before the stores close too.
        self.check_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="program")

    @property
    def rollup(self) -> RollupConfig:
        """The rollup config in force (devnet: as written at first start)."""
        return self.config.rollup

    # --- construction ------------------------------------------------------------------
    async def start(self) -> None:
        """Open storage, build the mode's services and start serving."""
        mode = self.config.node.mode
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if mode == "devnet":
            await self._start_embedded_l1()
            await self._adopt_devnet_rollup_config()
        elif not self.config.node.l1_rpc:
            raise ConfigError(f"invalid config: node.l1_rpc: the {mode} needs an L1 RPC URL")
        l1_reader: L1Reader = (
            ChainL1Reader(self.l1.chain)
            if self.l1 is not None
            else Web3L1Reader(self.config.node.l1_rpc or "")
        )
        self._open_l2()
        if mode in ("devnet", "sequencer"):
            self._start_sequencer(l1_reader)
        if self.rollup_services:
            self._start_rollup_services(l1_reader)
            await self._check_prestate()
        self.health = NodeHealth(
            self.l2,
            HealthThresholds.of(self.config.node),
            self.registry,
            lambda: self._started,
            derivation=self.derivation,
            watcher=self.watcher,
            program_checker=self.program_checker,
            l1=self.l1_health,
        )
        if self.rollup_status is not None:
            health = self.health
            self.rollup_status.probes = lambda: [
                health.health().as_json(),
                health.readiness().as_json(),
            ]
        # The dev accounts sign on the devnet's L2 only (devnet/accounts.py), never elsewhere.
        self.rpc = await self._serve(
            self.l2,
            None,
            self.config.node.rpc_port,
            "l2",
            signer=wallet_accounts_for(mode),
            pool=self.intake,
        )
        for name, run in self._services:
            self._tasks.append(asyncio.create_task(self._supervise(name, run), name=name))
        self._started = True
        log.info(
            "node started",
            mode=mode,
            l2_rpc=self.rpc.port,
            l1_rpc=self.l1_rpc.port if self.l1_rpc else None,
        )

    async def _start_embedded_l1(self) -> None:
        node = self.config.node
        metrics = NodeMetrics(self.registry, chain="l1")
        self.l1 = EmbeddedL1(
            self.data_dir / "l1",
            self.rollup.l1_chain_id,
            node.l1_block_time,
            metrics,
            self.l1_executor,
        )
        self._stores.append(self.l1.store)
        self.l1_rpc = await self._serve(
            self.l1.chain, self.l1, node.l1_rpc_port, "l1", pool=self.l1.intake
        )
        self._services.append(("l1-miner", self.l1.run))

    async def _adopt_devnet_rollup_config(self) -> None:
        """Use DATA_DIR/rollup.toml, or deploy the L1 contracts on the embedded L1 and write it."""
        path = self.data_dir / ROLLUP_CONFIG_FILE
        if path.exists():
            written = load_config(path, environ={})
            self.config = self.config.model_copy(update={"rollup": written.rollup})
            return
        assert self.l1 is not None
        miner = asyncio.create_task(self.l1.run())  # mines the deployment transactions
        try:
            w3 = connect(self.l1_url)
            rollup = await deploy_rollup(w3, self.sequencer_key, self.rollup)
            await w3.provider.disconnect()
        finally:
            miner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await miner
        self.config = self.config.model_copy(update={"rollup": rollup})
        write_rollup_config(self.config, path)

    @property
    def l1_url(self) -> str:
        """The L1 JSON-RPC endpoint (devnet: the embedded L1's server)."""
        if self.l1_rpc is None:
            return self.config.node.l1_rpc or ""
        host = self.config.node.rpc_host
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{self.l1_rpc.port}"

    def _start_rollup_services(self, l1_reader: L1Reader) -> None:
        """Derivation in every mode, the output-root watcher on a verifier (and the devnet), and
        on a sequencer the CTC-queue deposits, the batcher and the proposer (one L1 key)."""
        assert self.l2 is not None
        if self.rollup.l1_addresses.canonical_transaction_chain == ZERO_ADDRESS:
            raise ConfigError(
                "invalid config: rollup.l1_addresses: no CTC (run rollup-node deploy)"
            )
        if self.faults.any:
            log.warning("fault injection is on", faults=str(self.faults))
        w3 = connect(self.l1_url)
        self._l1_clients.append(w3)
        producer = self.producer
        self.derivation = derivation_service(
            self.rollup,
            self.l2,
            l1_reader,
            w3,
            self.executor,
            lock=producer.lock if producer else None,
            rewind_unsafe=producer is None,
            confirmations=self.rollup.confirmations,
            intake=self.intake,
            health=self.l1_health,
        )
        self._services.append(("derivation", self.derivation.run))
        mode = self.config.node.mode
        if mode in ("verifier", "devnet"):
            self.watcher = OutputWatcher(self.rollup, self.l2, w3, self.registry)
            self._services.append(("output-watcher", self.watcher.run))
        if mode in ("verifier", "replica") and self.config.node.check_with_program:
            self.program_checker = ProgramChecker(
                self.rollup,
                self.l2,
                web3_prover(self.rollup, self.l2, self.l1_url),
                self.check_executor,
                self.registry,
                wrong_root_at=self.faults.program_check_wrong_root_at,
            )
            self._services.append(("program-check", self.program_checker.run))
        self.rollup_status = RollupStatus(
            self.rollup,
            self.l2,
            self.derivation.status,
            self.watcher,
            self.program_checker,
            mode=mode,
            l1_health=self.l1_health,
        )
        self.rollup_status.l1_w3 = w3
        sequencer_ws = self.config.node.sequencer_ws
        if mode == "replica" and sequencer_ws:
            self.unsafe_follower = UnsafeHeadFollower(self.l2, self.derivation.engine, sequencer_ws)
            self._services.append(("unsafe-head", self.unsafe_follower.run))
        if producer is None:
            key = self.config.node.challenger_key
            chain_id = self.rollup.l1_chain_id
            self._start_disputes(w3, Transactor(w3, key, chain_id) if key else None)
            return
        anchor = self.derivation.anchor
        source = Web3CtcSource(w3, self.rollup.l1_addresses.canonical_transaction_chain)
        deposits = CtcDeposits(
            self.rollup,
            self.l2,
            L1Traversal(source, l1_reader, anchor),
            Web3L1Heads(w3),
            censor=self.faults.censor_deposits,
        )
        producer.deposits = deposits
        self._services.append(("deposits", deposits.run))
        transactor = Transactor(w3, self.sequencer_key, self.rollup.l1_chain_id)
        if transactor.address.lower() != self.rollup.sequencer_address:
            raise ConfigError(
                "invalid config: node.sequencer_key: its address "
                f"{transactor.address} is not rollup.sequencer_address"
            )
        settings = BatcherSettings(malformed_batch_at=self.faults.malformed_batch_at)
        self.batcher = Batcher(self.rollup, self.l2, transactor, settings)
        self._services.append(("batcher", self.batcher.run))
        wrong_root = ProposerSettings(wrong_output_root_once=self.faults.wrong_output_root_once)
        self.proposer = Proposer(self.rollup, self.l2, transactor, wrong_root, self.registry)
        self._services.append(("proposer", self.proposer.run))
        self.rollup_status.batcher = self.batcher
        self.rollup_status.proposer = self.proposer
        self.finalizer = BatchFinalizer(self.rollup, transactor)
        self._services.append(("batch-finalizer", self.finalizer.run))
        self._start_disputes(w3, transactor)

    def _start_disputes(self, w3: Any, transactor: Transactor | None) -> None:  # noqa: ANN401
        """The dispute agent (SPEC §1, §11): every sequencer and verifier defends with its key
        (a verifier without ``challenger_key`` only follows games); a verifier with one also
        challenges the earliest wrong root its watcher finds. A replica, and a node with
        ``play_disputes`` off, plays no part."""
        mode = self.config.node.mode
        if mode == "replica" or self.rollup.l1_addresses.dispute_game_factory == ZERO_ADDRESS:
            return
        if not self.config.node.play_disputes:
            log.info("dispute agent off (node.play_disputes): this node plays no dispute game")
            return
        traces = program_traces(self.rollup, self.l2, self.l1_url)
        lie_from = self.faults.lying_trace_from_step
        if lie_from is not None:  # a dishonest challenger claims "invalid", a defender "valid"
            dishonest_challenger = self.faults.challenge_correct_root_at is not None
            traces = lying_traces(traces, lie_from, 1 if dishonest_challenger else 0)
        self.agent = DisputeAgent(self.rollup, w3, transactor, self.data_dir, traces, self.registry)
        if mode == "verifier" and transactor is not None and self.watcher is not None:
            challenger = Challenger(
                self.rollup,
                self.agent,
                self.watcher,
                self.registry,
                forced_element=self.faults.challenge_correct_root_at,
            )
            self.agent.hooks.append(challenger)
            self.watcher.on_mismatch.append(self.agent.wake)
        self._services.append(("disputes", self.agent.run))
        if self.rollup_status is not None:
            self.rollup_status.agent = self.agent

    async def _check_prestate(self) -> None:
        """Refuse to play when the factory's absolute prestate is not this program build's
        (SPEC §11): every trace this node computed would start elsewhere than the game's."""
        if self.agent is None:
            return
        from rollup_node.faultproof.game.trace import recorded_absolute_prestate

        ours = recorded_absolute_prestate()
        theirs = await self.agent.factory.absolute_prestate()
        if theirs != ours:
            raise ConfigError(
                "refusing to play dispute games: the dispute game factory's absolute prestate "
                f"0x{theirs.hex()} is not this program build's 0x{ours.hex()} "
                "(rollup_node/faultproof/program/prestate.json)"
            )

    @property
    def sequencer_key(self) -> str:
        """The sequencer's L1 key (devnet: the first devnet account unless configured)."""
        key = self.config.node.sequencer_key
        if key is None and self.config.node.mode == "devnet":
            key = devnet_accounts()[0][1]
        if key is None:
            raise ConfigError("invalid config: node.sequencer_key: the sequencer needs an L1 key")
        return key

    def _open_l2(self) -> None:
        store = ChainStore(self.data_dir / "l2")
        self._stores.append(store)
        self.l2 = open_l2_chain(store, self.rollup)
        check_store_identity(store, self.rollup)  # a data dir of another chain is refused

    def _start_sequencer(self, l1_reader: L1Reader) -> None:
        assert self.l2 is not None
        chain = self.l2
        metrics = NodeMetrics(self.registry, chain="l2")
        self.intake = Intake(
            chain,
            lambda: chain.next_env(0, SEQUENCER_FEE_VAULT, b"").base_fee,
            self.rollup.max_batch_bytes,
        )
        chain.intake = self.intake
        self.producer = BlockProducer(
            chain, self.intake, l1_reader, self.deposits, self.rollup, metrics, self.executor
        )
        self._services.append(("sequencer", self.producer.run))

    async def _serve(
        self,
        chain: Chain,
        dev: Any,  # noqa: ANN401 - the embedded L1 (rpc DevBackend) or None
        port: int,
        name: str,
        signer: Any = None,  # noqa: ANN401 - rpc Signer: unlocked accounts (devnet only)
        pool: Any = None,  # noqa: ANN401 - rpc TxPool: the intake txpool_ reports
    ) -> RpcServer:
        node = self.config.node
        evm_timeout, niceness = node.rpc_evm_timeout, node.rpc_call_niceness
        if name == "l1":
            # The devnet's embedded L1 is the chain the node's own batcher, proposer and
            # dispute agent estimate their transactions on (a MIPS step's proof is a heavy
            # call): starving those behind a 5 s bound at low priority on a busy machine
            # stalls the rollup, not a stranger's loop. anvil bounds nothing; this stays bounded.
            evm_timeout, niceness = max(evm_timeout, EMBEDDED_L1_EVM_TIMEOUT_SECONDS), 0
        limits = RpcLimits(
            max_body_bytes=node.rpc_max_body_bytes,
            max_batch_size=node.rpc_max_batch,
            max_logs_block_range=node.rpc_max_log_range,
            max_logs_results=node.rpc_max_log_results,
            max_batch_cost=node.rpc_max_batch_cost,
            gas_cap=node.rpc_gas_cap,
            max_proof_keys=node.rpc_max_proof_keys,
            max_fee_history_blocks=node.rpc_max_fee_history_blocks,
            evm_timeout_seconds=evm_timeout,
            max_concurrent_calls=node.rpc_max_concurrent_calls,
            call_niceness=niceness,
            max_trace_steps=node.rpc_max_trace_steps,
        )
        registry = self.registry if name == "l2" else CollectorRegistry()
        health = self.health if name == "l2" else None
        app = build_app(
            chain,
            dev=dev,
            signer=signer,
            pool=pool,
            rollup=self.rollup_status if name == "l2" else None,
            limits=limits,
            metrics=RpcMetrics(registry),
            health=(lambda: health.health().as_json()) if health else _serving,
            ready=(lambda: health.readiness().as_json()) if health else self._started_probe,
            call_source=chain,
        )
        server = RpcServer(app)
        await server.start(node.rpc_host, port)
        return server

    def _started_probe(self) -> dict[str, Any]:
        """The embedded L1's ``/readyz``: ready once the node has started."""
        return {"ok": self._started, "reasons": [] if self._started else ["starting"]}

    # --- supervision -------------------------------------------------------------------
    async def _supervise(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        try:
            await run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("service failed; stopping the node", service=name)
            raise

    async def wait(self) -> None:
        """Return when a service stops (a failure is re-raised)."""
        if not self._tasks:
            return
        done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    async def stop(self) -> None:
        """Stop services, then RPC servers, then close the databases (reverse of start)."""
        for task in reversed(self._tasks):
            task.cancel()
        for task in reversed(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):  # failures already logged
                await task
        self._tasks.clear()
        for w3 in self._l1_clients:
            with contextlib.suppress(Exception):
                await w3.provider.disconnect()
        self._l1_clients.clear()
        for server in (self.rpc, self.l1_rpc):
            if server is not None:
                await server.stop()
        loop = asyncio.get_running_loop()
        for executor in (self.executor, self.l1_executor, self.check_executor):
            await loop.run_in_executor(None, executor.shutdown)
        for store in reversed(self._stores):
            store.close()
        self._stores.clear()
        if self._started:  # a start that failed is reported by its error, in one line
            log.info("node stopped")


def _serving() -> dict[str, Any]:
    """The embedded L1's ``/healthz``: it answers, so it serves."""
    return {"ok": True, "reasons": []}


async def run_node(config: Config, faults: Faults | None = None) -> None:
    """Start a node, run until a service fails or the task is cancelled, then stop it
    (``faults``: test-only fault injection from the command line)."""
    node = Node(config, faults=faults)
    started = time.monotonic()
    try:
        await node.start()
        log.info("ready", seconds=round(time.monotonic() - started, 2))
        await node.wait()
    finally:
        await node.stop()
