"""The dispute agent: one service that plays every dispute game this node sees (SPEC §1, §11).

Every role runs it. The sequencer and every verifier *defend*: they counter each claim of any
game that disagrees with their own trace of the program, whoever made it. A verifier with a
``challenger_key`` also *challenges*: when its output watcher finds a wrong SCC root, it opens a
game against the earliest wrong element only (SPEC §11 takes element ``n − 1`` as agreed).

Each round (every ``poll_seconds``, or at once when ``wake`` is called: the output watcher
does on a mismatch, so a challenge starts without waiting for the poll):

1. **Discover** games from the factory's ``GameCreated`` events (read from the rollup's L1
   anchor at start, so a restarted node finds its games again).
2. **Trace**: for each game, the program's trace with the game's local inputs (SPEC §9) is built
   once in ``data_dir/disputes/<game address>`` (``trace.open_trace``: a full MIPS run with
   checkpoints and every preimage stored) — seconds of CPU, so in a worker thread; the game is
   played from the next round on. A complete directory is reopened without running anything.
3. **Play**: the claims are read from L1, the solver names the honest actions for our trace, and
   the responder sends them, the most urgent clock first (the claim whose counter-side clock has
   the fewest seconds left). At maximum depth the solver's ``Step`` is backed by the trace's
   step proof (its preimage loaded into the oracle first, by the responder).
4. **Resolve** when nothing is left to play and clocks have run out: claims bottom-up (children
   before parents), then the game, then ``claimCredit`` for this node's account. The game's
   challenger resolves; another player waits unless the resolution stalls
   (``RESOLVE_GRACE_BLOCKS``), so two players do not race each other's ``resolveClaim``.

Restart-safe by construction: everything the agent decides from is on L1 (claims, resolution,
credit) or in the game's directory (the trace), so ``kill -9`` mid-game and a restart resume
the game where L1 has it. Transactions go through the node's ``Transactor`` (its nonce is read
from L1 after a restart or a failure).

Metrics: ``dispute_games{status}``, ``dispute_moves_total{kind}``, ``dispute_bonds_at_stake_wei``,
``dispute_credit_claimed_wei_total``, ``dispute_clock_seconds_left`` (the least time this node
has to answer a claim it must counter), ``dispute_move_compute_seconds_max`` (the longest
compute behind one answer: it must fit well inside ``clock_extension``).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import structlog
from eth_utils import to_checksum_address
from prometheus_client import CollectorRegistry, Counter, Gauge
from web3 import AsyncWeb3
from web3.exceptions import Web3Exception

from rollup_node.config import RollupConfig
from rollup_node.faultproof.game import solver
from rollup_node.faultproof.game.liar import LiarHasNoWitness
from rollup_node.faultproof.game.responder import Outcome, Responder, RespondHalt, RespondRetry
from rollup_node.faultproof.game.trace import (
    DEFAULT_CHECKPOINT_INTERVAL,
    TraceStoreError,
    open_trace,
)
from rollup_node.faultproof.mips.fast import FastPathUnavailable, calibrate
from rollup_node.faultproof.program.host import LocalInputs
from rollup_node.l1.dispute_game_factory import CreatedGame, DisputeGameFactoryClient
from rollup_node.l1.fault_dispute_game import FaultDisputeGameClient, GameParams, GameStatus
from rollup_node.l1.preimage_oracle import PreimageOracleClient
from rollup_node.l1.transactor import L1SendFailed, Transactor, failure_message
from rollup_node.protocol.dispute import Action, Claim, Step, StepProof, TraceAccessor

log = structlog.get_logger("disputes")

#: Directory of the games' traces under the node's data dir.
DISPUTES_DIR = "disputes"
#: L1 blocks without a claim resolved after which a player other than the challenger resolves
#: the game itself. The challenger resolves a claim every block or two (each ``resolveClaim``
#: waits for its receipt), but on a loaded machine its first one came 4–5 blocks after the
#: clocks ran out (a round of its solver first): 4 was raced in the e2e suite. A gone
#: challenger costs the others this many blocks, nothing next to the game's clocks.
RESOLVE_GRACE_BLOCKS = 12


class GameTrace(TraceAccessor, Protocol):
    """What the agent reads of a trace: state hashes (the solver's; the root claim is the one
    at the last index) and step proofs (``trace.ProgramTrace``; a test liar)."""

    def step_proof(self, pre_state_steps: int) -> StepProof:
        """The proof of the step from the state after ``pre_state_steps`` steps."""
        ...


class TraceFactory(Protocol):
    """Builds (or reopens) the trace of one run of the program; blocking (seconds of CPU on the
    first run), so the agent calls it in a worker thread."""

    def __call__(
        self,
        directory: Path,
        inputs: LocalInputs,
        absolute_prestate: bytes,
        max_depth: int,
        *,
        checkpoints: bool = True,
    ) -> GameTrace:
        """The trace of the run with ``inputs``, kept in ``directory``. ``checkpoints`` off:
        the run keeps only its first and final states — about a third faster, for a
        challenger that needs the root claim before anything else; every other answer of
        such a trace replays from step 0, so a game is never played from it."""
        ...


def game_inputs(params: GameParams) -> LocalInputs:
    """A game's six local inputs (SPEC §9), as the game's ``addLocalData`` serves them."""
    return LocalInputs(
        params.l1_head_hash,
        params.starting_output_root,
        params.disputed_output_root,
        params.l2_block_number,
        params.l2_chain_id,
        params.consensus_config_hash,
    )


def program_traces(config: RollupConfig, chain: Any, l1_url: str) -> TraceFactory:  # noqa: ANN401
    """The node's trace factory: ``trace.open_trace`` with the program host's oracle over this
    node's L2 store (``chain``) and L1 at ``l1_url`` as the preimage source of the first run.
    The trace is padded past ``2**max_depth`` steps (a run that does not exit by then ends
    there, status 3)."""
    from web3 import Web3

    from rollup_node.chain.witness import StoreL2Reader
    from rollup_node.faultproof.program.host import Dispute, ProgramHost, Web3ProgramL1Source

    l1 = Web3ProgramL1Source(
        Web3(Web3.HTTPProvider(l1_url, request_kwargs={"timeout": 30})),
        config.l1_addresses.canonical_transaction_chain,
    )

    def build(
        directory: Path,
        inputs: LocalInputs,
        absolute_prestate: bytes,
        max_depth: int,
        *,
        checkpoints: bool = True,
    ) -> GameTrace:
        dispute = Dispute(
            inputs.l1_head_hash,
            inputs.pre_output_root,
            inputs.disputed_output_root,
            inputs.l2_block_number,
            config,
        )
        source = ProgramHost(dispute, l1, StoreL2Reader(chain)).oracle()
        return open_trace(
            directory,
            inputs,
            source,
            expected_prestate=absolute_prestate,
            checkpoint_interval=DEFAULT_CHECKPOINT_INTERVAL if checkpoints else 2**max_depth,
            max_steps=2**max_depth,
        )

    return build


def lying_traces(inner: TraceFactory, depart_after_steps: int, final_status: int) -> TraceFactory:
    """Fault injection (tests only, ``Faults.lying_trace_from_step``): ``inner``'s traces,
    departing from the real one after ``depart_after_steps`` steps, with an invented final
    state of ``final_status`` (``liar.LyingTrace``)."""
    from rollup_node.faultproof.game.liar import LyingTrace

    def build(
        directory: Path,
        inputs: LocalInputs,
        absolute_prestate: bytes,
        max_depth: int,
        *,
        checkpoints: bool = True,
    ) -> GameTrace:
        real = inner(directory, inputs, absolute_prestate, max_depth, checkpoints=checkpoints)
        return LyingTrace(real, depart_after_steps, final_status)  # type: ignore[arg-type]

    return build


class TimedProofs:
    """The trace as the responder sees it, timing the step proofs it builds (compute that
    must fit in ``clock_extension``, SPEC §11)."""

    def __init__(self, trace: GameTrace) -> None:
        self.trace = trace
        self._seconds = 0.0

    def step_proof(self, pre_state_steps: int) -> StepProof:
        """The trace's proof, timed."""
        started = time.perf_counter()
        try:
            return self.trace.step_proof(pre_state_steps)
        finally:
            self._seconds += time.perf_counter() - started

    def take(self) -> float:
        """Seconds spent in proofs since the last call."""
        seconds, self._seconds = self._seconds, 0.0
        return seconds


@dataclass
class TrackedGame:
    """One game as the agent follows it (rebuilt from L1 and the trace directory on restart)."""

    address: str
    element: int
    root_claim: bytes
    l1_head_number: int
    challenger: str
    client: FaultDisputeGameClient
    params: GameParams | None = None
    status: GameStatus = GameStatus.IN_PROGRESS
    claims: list[Claim] = field(default_factory=list)
    trace: GameTrace | None = None  # once built (``ProgramTrace``, or a test liar)
    trace_task: asyncio.Task[Any] | None = None
    trace_error: str | None = None
    resolved: set[int] = field(default_factory=set)
    seconds_left: dict[int, int] = field(default_factory=dict)  # claim index -> to counter it
    now: int = 0  # L1 time of the last read
    l1_block: int = 0  # L1 block number of the last read
    #: (claims resolved, L1 block when that count was first seen): how a player who leaves the
    #: resolution to the challenger sees that it has stalled
    resolve_progress: tuple[int, int] | None = None
    next_action: str = "building the trace"
    credit_claimed_wei: int = 0
    responder: Responder | None = None
    proofs: TimedProofs | None = None
    # for operators and bench/dispute_game.py: our L1 gas, our worst compute per answer, the
    # wall time of our last move and of the resolution calls
    gas_used: int = 0
    worst_compute_seconds: float = 0.0
    last_action_at: float | None = None
    resolve_seconds: float = 0.0
    halted: str | None = None  # why the agent stopped playing it (RespondHalt)
    done: bool = False  # resolved and our credit claimed: nothing more to do

    def our_role(self, us: str | None) -> str:
        """``challenger`` if this node opened the game, else ``defender`` (it counters the
        claims it disagrees with either way)."""
        if us is not None and self.challenger.lower() == us.lower():
            return "challenger"
        return "defender" if us is not None else "observer"

    def as_json(self, us: str | None) -> dict[str, Any]:
        """The entry ``rollup_disputes`` serves for this game."""
        return {
            "address": self.address,
            "l2BlockNumber": hex(self.element),
            "rootClaim": "0x" + self.root_claim.hex(),
            "l1HeadNumber": hex(self.l1_head_number),
            "challenger": self.challenger,
            "status": self.status.name.lower(),
            "ourRole": self.our_role(us),
            "claims": [
                {
                    "index": c.index,
                    "parentIndex": c.parent_index,
                    "position": hex(c.position),
                    "claim": "0x" + c.value.hex(),
                    "claimant": c.claimant,
                    "bond": hex(c.bond_wei),
                    "counteredBy": c.countered_by,
                    "resolved": c.index in self.resolved,
                    "secondsLeft": self.seconds_left.get(c.index),
                }
                for c in self.claims
            ],
            "nextAction": self.next_action,
            "creditClaimed": hex(self.credit_claimed_wei),
            "traceError": self.trace_error,
            "halted": self.halted,
        }


class DisputeAgent:
    """Discovers, traces, plays, resolves and collects every dispute game (SPEC §11)."""

    def __init__(
        self,
        config: RollupConfig,
        w3: AsyncWeb3,
        transactor: Transactor | None,
        data_dir: Path,
        trace_factory: TraceFactory,
        registry: CollectorRegistry,
        poll_seconds: float = 0.5,
    ) -> None:
        self.config = config
        self.w3 = w3
        self.tx = transactor
        self.us = transactor.address if transactor is not None else None
        self.directory = Path(data_dir) / DISPUTES_DIR
        self.trace_factory = trace_factory
        self.poll_seconds = poll_seconds
        self.factory = DisputeGameFactoryClient(
            w3, to_checksum_address(config.l1_addresses.dispute_game_factory), transactor
        )
        self.games: dict[str, TrackedGame] = {}
        self.cursor = config.genesis_l1.number  # last L1 block whose GameCreated logs were read
        self.hooks: list[Callable[[], Awaitable[None]]] = []  # per-round work (the challenger)
        self._woken = asyncio.Event()  # set by ``wake``: start the next round now
        self.games_gauge = Gauge(
            "dispute_games", "Dispute games this node follows, by status", ["status"],
            registry=registry,
        )  # fmt: skip
        self.moves_total = Counter(
            "dispute_moves_total", "Moves and steps this node made", ["kind"], registry=registry
        )
        self.bonds_at_stake = Gauge(
            "dispute_bonds_at_stake_wei",
            "Bonds of this node's claims in games not yet resolved",
            registry=registry,
        )
        self.credit_claimed = Counter(
            "dispute_credit_claimed_wei_total", "Credit this node withdrew", registry=registry
        )
        self.worst_compute_seconds = 0.0
        self.compute_worst = Gauge(
            "dispute_move_compute_seconds_max",
            "Longest compute (solver pass, step proof) behind one of this node's answers",
            registry=registry,
        )
        self.clock_left = Gauge(
            "dispute_clock_seconds_left",
            "Least time this node has to counter a claim it disagrees with",
            registry=registry,
        )

    # ---------------------------------------------------------------- the loop

    async def run(self) -> None:
        """Play until cancelled; L1 trouble is retried next round."""
        log.info("dispute agent started", account=self.us, factory=self.factory.address)
        # Calibrate the MIPS fast path now, not in the first trace a challenge waits on.
        with contextlib.suppress(FastPathUnavailable):  # the traces use the reference VM then
            await asyncio.to_thread(calibrate)
        try:
            while True:
                try:
                    await self.round()
                except (L1SendFailed, TimeoutError, OSError, Web3Exception) as exc:
                    log.warning(failure_message(exc), error=str(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), self.poll_seconds)
                self._woken.clear()
        finally:
            for game in self.games.values():
                if game.trace_task is not None:
                    game.trace_task.cancel()

    def wake(self) -> None:
        """Start the next round without waiting for the poll (the output watcher calls it on a
        mismatch, so the challenger begins its trace at once). Call on the agent's loop."""
        self._woken.set()

    async def round(self) -> None:
        """Discover new games, run the hooks, then play every open game once."""
        await self.discover()
        for hook in self.hooks:
            await hook()
        # Most urgent game first: the least time left on a clock we must answer.
        order = sorted(
            (g for g in self.games.values() if not g.done), key=lambda g: self._urgency(g)
        )
        for game in order:
            try:
                await self.play(game)
            except RespondRetry as exc:
                log.info(
                    "dispute action not possible yet; next round", game=game.address, error=str(exc)
                )
            except RespondHalt as exc:
                # Our view of the game or our trace is wrong: stop playing it, loudly.
                game.halted = str(exc)
                game.next_action = f"halted: {exc}"
                game.done = True
                log.error("stopped playing a dispute game", game=game.address, error=str(exc))
        self._update_metrics()

    async def discover(self) -> None:
        """Read ``GameCreated`` events since the cursor."""
        head = await self.w3.eth.block_number
        if head <= self.cursor:
            return
        for created in await self.factory.games_created(self.cursor + 1, head):
            self.track(created)
        self.cursor = head

    def track(self, created: CreatedGame) -> TrackedGame:
        """Follow the game of a ``GameCreated`` event (idempotent)."""
        known = self.games.get(created.game)
        if known is not None:
            return known
        client = FaultDisputeGameClient(self.w3, created.game, self.tx)
        game = TrackedGame(
            created.game,
            created.l2_block_number,
            created.root_claim,
            created.l1_head_number,
            created.challenger,
            client,
        )
        self.games[created.game] = game
        log.info(
            "dispute game found",
            game=created.game,
            l2_block=created.l2_block_number,
            root_claim="0x" + created.root_claim.hex(),
            challenger=created.challenger,
        )
        return game

    # ---------------------------------------------------------------- one game

    async def play(self, game: TrackedGame) -> None:
        """One round of one game: trace, act, resolve, collect."""
        if game.params is None:
            game.params = await game.client.params()
        if game.trace is None and not await self._trace_ready(game):
            return
        game.status = await game.client.status()
        await self._read_claims(game)
        if game.status is GameStatus.IN_PROGRESS:
            await self._read_clocks(game)
            if await self._act(game):
                return
            await self._resolve(game)
            return
        await self._collect(game)

    async def _read_claims(self, game: TrackedGame) -> None:
        """The game's claims: only the new ones, plus the max-depth ones again (a step sets
        their ``countered_by``; nothing else changes a claim before resolution). A round stays
        a handful of L1 reads however long the game gets."""
        assert game.params is not None
        known = list(game.claims)
        new = await game.client.claims(len(known))
        max_depth = game.params.max_game_depth
        leaves = [c.index for c in known if c.position.bit_length() - 1 == max_depth]
        fresh = await asyncio.gather(*(game.client.claim(i) for i in leaves))
        for claim in fresh:
            known[claim.index] = claim
        game.claims = known + new

    async def _trace_ready(self, game: TrackedGame) -> bool:
        """Start building the trace in a worker thread; ``True`` once it is there."""
        assert game.params is not None
        task = game.trace_task
        if task is None:
            params = game.params
            game.trace_task = asyncio.create_task(
                asyncio.to_thread(
                    self.trace_factory,
                    self.directory / game.address,
                    game_inputs(params),
                    params.absolute_prestate,
                    params.max_game_depth,
                )
            )
            game.next_action = "building the trace"
            return False
        if not task.done():
            return False
        game.trace_task = None
        error = task.exception()
        if error is not None:
            # Retry from scratch next round (the trace module leaves an incomplete directory
            # to be rebuilt; a corrupt one is deleted so the rebuild can start clean).
            game.trace_error = f"{type(error).__name__}: {error}"
            log.warning("trace not built; retrying", game=game.address, error=game.trace_error)
            if isinstance(error, TraceStoreError):
                shutil.rmtree(self.directory / game.address, ignore_errors=True)
            return False
        game.trace = task.result()
        game.trace_error = None
        log.info("trace ready", game=game.address, steps=getattr(game.trace, "steps", None))
        return True

    async def _read_clocks(self, game: TrackedGame) -> None:
        """Seconds left to counter each claim at the latest L1 block's time."""
        assert game.params is not None
        latest = await self.w3.eth.get_block("latest")
        now = latest["timestamp"]
        clock = game.params.max_clock_duration_seconds
        game.now, game.l1_block = now, latest["number"]
        game.seconds_left = {
            c.index: solver.seconds_left(game.claims, c.index, now, clock) for c in game.claims
        }

    async def _act(self, game: TrackedGame) -> bool:
        """Send the honest actions, most urgent first; ``True`` if any was due."""
        assert game.params is not None
        solving = time.perf_counter()
        actions = [
            a for a in self._honest_actions(game) if game.seconds_left.get(a.parent_index, 0) > 0
        ]
        solve_seconds = time.perf_counter() - solving
        if not actions:
            return False
        responder = self._responder(game)
        if responder is None:
            game.next_action = f"{describe(actions[0])} (no key: watching)"
            return False
        clock = game.params.max_clock_duration_seconds
        for action in solver.by_urgency(actions, game.claims, game.now, clock):
            game.next_action = describe(action)
            started = time.monotonic()
            try:
                responses = await responder.act(action)
            except LiarHasNoWitness as exc:  # a test liar cannot prove its own inventions
                log.warning("no witness for a step; skipped", game=game.address, error=str(exc))
                continue
            kind = "step" if isinstance(action, Step) else "move"
            if responses[-1].outcome is Outcome.DONE:
                self.moves_total.labels(kind).inc()
            # Our compute for this answer (the solver's pass, and a step's proof), not L1 time:
            # what must fit in clock_extension.
            compute = solve_seconds + (game.proofs.take() if game.proofs is not None else 0.0)
            game.worst_compute_seconds = max(game.worst_compute_seconds, compute)
            self.worst_compute_seconds = max(self.worst_compute_seconds, compute)
            self.compute_worst.set(self.worst_compute_seconds)
            game.gas_used += sum(r.gas_used for r in responses)
            game.last_action_at = time.time()
            log.info(
                "dispute action",
                game=game.address,
                action=describe(action),
                outcome=responses[-1].outcome.value,
                seconds=round(time.monotonic() - started, 2),
            )
        return True

    def _responder(self, game: TrackedGame) -> Responder | None:
        """The game's responder (``None`` without a key: the node only watches)."""
        if self.tx is None:
            return None
        if game.responder is None:
            assert game.params is not None
            oracle = PreimageOracleClient(self.w3, game.params.oracle, self.tx)
            assert game.trace is not None  # responders exist only once the trace does
            game.proofs = TimedProofs(game.trace)
            game.responder = Responder(game.client, oracle, game.proofs)
        return game.responder

    async def _resolve(self, game: TrackedGame) -> None:
        """Once every claim can be resolved (clocks run out), resolve them bottom-up and then
        the game.

        The game's challenger resolves at once; any other player only once the resolution has
        made no progress for ``RESOLVE_GRACE_BLOCKS`` L1 blocks (a challenger gone or stalled).
        Two players resolving the same claims collide on every one of them — children before
        parents is one order for all: in a depth-41 game 42 ``resolveClaim`` went through and 39
        more were refused as already resolved."""
        assert game.params is not None
        clock = game.params.max_clock_duration_seconds
        if max(game.seconds_left.values(), default=0) == 0:  # every clock out: read progress
            flags = await asyncio.gather(*(game.client.resolved(c.index) for c in game.claims))
            game.resolved = {c.index for c, done in zip(game.claims, flags, strict=True) if done}
        ready = solver.resolvable_claims(game.claims, game.resolved, game.now, clock)
        if 0 not in ready:
            waiting = max(game.seconds_left.values(), default=0)
            game.next_action = f"wait for clocks (up to {waiting} s)"
            return
        responder = self._responder(game)
        if responder is None:
            game.next_action = "resolve (no key: watching)"
            return
        if game.our_role(self.us) != "challenger" and not self._resolution_stalled(game):
            game.next_action = "wait for the challenger to resolve"
            return
        game.next_action = "resolve"
        started = time.time()
        responses = await responder.resolve_all(ready)
        game.gas_used += sum(r.gas_used for r in responses)
        game.resolve_seconds += time.time() - started
        game.status = await game.client.status()
        if game.status is GameStatus.IN_PROGRESS:
            # Another player's resolve can be queued ahead of ours: the estimate at pending
            # then reverts (GameNotInProgress) while the latest block still shows the game
            # open. Read again next round instead of collecting from an open game.
            game.next_action = "wait for the resolution to be mined"
            return
        log.info("dispute game resolved", game=game.address, status=game.status.name)
        await self._collect(game)

    def _resolution_stalled(self, game: TrackedGame) -> bool:
        """Whether no claim of ``game`` got resolved in the last ``RESOLVE_GRACE_BLOCKS`` L1
        blocks (counted from the first round that found every clock out)."""
        count = len(game.resolved)
        if game.resolve_progress is None or game.resolve_progress[0] != count:
            game.resolve_progress = (count, game.l1_block)
        return game.l1_block - game.resolve_progress[1] >= RESOLVE_GRACE_BLOCKS

    async def _collect(self, game: TrackedGame) -> None:
        """Withdraw this node's credit from a resolved game."""
        responder = self._responder(game)
        if responder is None or self.us is None:
            game.next_action, game.done = "done", True
            return
        credit = await game.client.credit(self.us)
        if credit:
            game.next_action = "claim credit"
            response = await responder.claim_credit(self.us)
            game.gas_used += response.gas_used
            if response.outcome is Outcome.DONE:
                game.credit_claimed_wei += credit
                self.credit_claimed.inc(credit)
                log.info("dispute credit claimed", game=game.address, wei=credit)
        game.next_action, game.done = "done", True

    # ---------------------------------------------------------------- reporting

    def _urgency(self, game: TrackedGame) -> int:
        mine = self._our_deadlines(game)
        return min(mine, default=2**62)

    def _our_deadlines(self, game: TrackedGame) -> list[int]:
        """Seconds left on the clocks of the claims we must counter."""
        if game.trace is None or game.params is None or game.status is not GameStatus.IN_PROGRESS:
            return []
        return [game.seconds_left.get(a.parent_index, 0) for a in self._honest_actions(game)]

    def _honest_actions(self, game: TrackedGame) -> list[Action]:
        """The solver's honest actions for the game's claims against our trace (SPEC §11)."""
        assert game.params is not None
        params = game.params
        assert game.trace is not None
        return solver.honest_actions(
            game.claims, game.trace, params.max_game_depth, params.absolute_prestate
        )

    def _update_metrics(self) -> None:
        counts = {status.name.lower(): 0 for status in GameStatus}
        stake, deadlines = 0, []
        for game in self.games.values():
            counts[game.status.name.lower()] += 1
            if game.status is GameStatus.IN_PROGRESS and self.us is not None:
                stake += sum(c.bond_wei for c in game.claims if c.claimant == self.us)
                deadlines += self._our_deadlines(game)
        for status, count in counts.items():
            self.games_gauge.labels(status).set(count)
        self.bonds_at_stake.set(stake)
        self.clock_left.set(min(deadlines, default=0))

    def disputes(self) -> list[dict[str, Any]]:
        """Every game this node follows, as ``rollup_disputes`` serves them."""
        return [game.as_json(self.us) for game in list(self.games.values())]


def describe(action: Action) -> str:
    """A short human description of an action."""
    if isinstance(action, Step):
        kind = "attack" if action.is_attack else "defend"
        return f"step ({kind}) on claim {action.parent_index} from step {action.pre_state_steps}"
    kind = "attack" if action.is_attack else "defend"
    return f"move ({kind}) on claim {action.parent_index}"
