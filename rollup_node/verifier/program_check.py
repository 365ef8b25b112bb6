"""Checking every derived block with the fault-proof program (``--check-with-program``).

A verifier or replica trusts py-evm for the blocks it derives; a dispute game trusts the C
fault-proof program. Any difference between the two loses a game for an honest party (SPEC §1,
§10), so this service runs the program's native build on each block derivation has made safe —
the check the proposer makes before posting, available to anyone who follows the chain — and
alerts when the program does not accept the node's own output root.

It never holds derivation up: derivation does not know it exists. The work to do is the range
of safe blocks past the last one checked, kept as a cursor (so it takes no memory however far
behind the checker falls) and walked one block at a time on a worker thread of its own (the
program is a subprocess; its host serves preimages from the node's store and L1). How far
behind it is, is the ``verifier_program_check_lag_blocks`` gauge. When a block it checked is
replaced (an L1 reorg re-derived it), the cursor steps back and the new block is checked.

A disagreement — the program exits 1 (it computes another root) or panics — is raised as the
output-root watcher raises one: logged at error level, counted in
``verifier_program_mismatches_total`` and listed under ``programCheck`` in ``rollup_syncStatus``.
The L1 data the host fetches being unavailable (L1 down, its head reorganised away) is not a
disagreement: the block is checked again after a pause (``l1_unavailable``); any other error
of a run is a bug and stops the node, as every service's does.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import requests
import structlog
from eth_hash.auto import keccak
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from web3 import Web3
from web3.exceptions import BlockNotFound

from rollup_node.chain.chain import Chain
from rollup_node.chain.outputs import output_at
from rollup_node.chain.witness import StoreL2Reader
from rollup_node.config import RollupConfig
from rollup_node.faultproof.oracle.host import HostError
from rollup_node.faultproof.oracle.source import PreimageNotFound
from rollup_node.faultproof.program.host import Web3ProgramL1Source
from rollup_node.faultproof.program.run import ProgramRun, prove_block
from rollup_node.l1.errors import Action, Backoff, classify

log = structlog.get_logger("program-check")

#: Checked blocks remembered to notice a reorg that replaced one (deeper than any L1 reorg the
#: node follows; older ones are final for this purpose).
REMEMBERED = 1_024


@dataclass(frozen=True, slots=True)
class ProgramMismatch:
    """A block whose output root the program did not accept."""

    number: int
    block_hash: bytes
    local_root: bytes
    verdict: str  # "invalid", "panic" or "unfinished" (ProgramRun.verdict)
    exit_code: int | None
    report: str  # the program's report, its last lines
    detected_at: float

    def as_json(self) -> dict[str, object]:
        """The entry ``rollup_syncStatus`` serves under ``programCheck.mismatches``."""
        return {
            "l2BlockNumber": hex(self.number),
            "blockHash": "0x" + self.block_hash.hex(),
            "localOutputRoot": "0x" + self.local_root.hex(),
            "verdict": self.verdict,
            "exitCode": self.exit_code,
            "detectedAt": int(self.detected_at),
        }


#: Runs the program on block ``number`` with ``disputed`` as the root to judge (blocking; the
#: checker calls it on its worker thread). ``web3_prover`` is the node's.
Prover = Callable[[int, bytes], ProgramRun]


def web3_prover(config: RollupConfig, chain: Chain, l1_url: str) -> Prover:
    """The native program against L1 at ``l1_url`` (its latest block as the L1 head: it holds
    every batch behind a safe block) and the node's store, as the proposer runs it."""
    w3 = Web3(Web3.HTTPProvider(l1_url, request_kwargs={"timeout": 30}))
    l1 = Web3ProgramL1Source(w3, config.l1_addresses.canonical_transaction_chain)

    def prove(number: int, disputed: bytes) -> ProgramRun:
        head = bytes(w3.eth.get_block("latest")["hash"])
        try:
            return prove_block(StoreL2Reader(chain), config, l1, head, number, disputed)
        except subprocess.TimeoutExpired as exc:  # prove_block allows 600 s: an alert, not a retry
            return ProgramRun(-1, f"no verdict within {exc.timeout} s", finished=False)

    return prove


def l1_unavailable(exc: BaseException) -> bool:
    """Whether a run failed for want of L1 — retried, not a verdict: what ``l1.errors.classify``
    retries or resets, the sync web3 client's transport errors (``requests``), and the L1 head
    the run read at gone (a reorg). The host's ``HostError`` is judged by its cause."""
    if isinstance(exc, HostError) and exc.__cause__ is not None:
        exc = exc.__cause__
    if isinstance(exc, BlockNotFound | requests.ConnectionError | requests.Timeout):
        return True
    if isinstance(exc, PreimageNotFound):
        # L1 data the host fetched did not hold a node the program asked for: seen on anvil
        # under load, at the same moment in the proposer's run (which retries it too), and
        # gone on the next try. A miss that persists is logged on every retry with its block.
        return True
    return classify(exc) is not Action.HALT


class ProgramChecker:
    """Runs the native fault-proof program on every safe block and alerts on a disagreement.

    ``prover`` runs the program on one block (``web3_prover``: L1 headers, proofs, batches
    and queue elements from an endpoint, L2 from the node's store); ``executor`` runs it (one
    worker; the node drains it before closing the store). ``wrong_root_at`` is fault injection
    (tests only): the program is given a wrong root for that block, so it must disagree.
    """

    def __init__(
        self,
        config: RollupConfig,
        chain: Chain,
        prover: Prover,
        executor: Executor,
        registry: CollectorRegistry,
        poll_seconds: float = 0.5,
        wrong_root_at: int | None = None,
    ) -> None:
        self.config = config
        self.chain = chain
        self.prover = prover
        self.executor = executor
        self.poll_seconds = poll_seconds
        self.wrong_root_at = wrong_root_at
        self.next = 1  # the next block to check (block 0 is genesis: nothing to execute)
        self.checked: deque[tuple[int, bytes]] = deque(maxlen=REMEMBERED)  # (number, hash)
        self.mismatches: list[ProgramMismatch] = []
        self._lock = threading.Lock()
        self.checked_total = Counter(
            "verifier_program_checked_blocks_total",
            "Safe blocks the fault-proof program was run on",
            registry=registry,
        )
        self.checked_block = Gauge(
            "verifier_program_checked_block",
            "The highest block the fault-proof program has checked",
            registry=registry,
        )
        self.lag = Gauge(
            "verifier_program_check_lag_blocks",
            "Safe blocks not yet checked by the fault-proof program",
            registry=registry,
        )
        self.mismatch_total = Counter(
            "verifier_program_mismatches_total",
            "Safe blocks whose output root the fault-proof program did not accept",
            registry=registry,
        )
        self.seconds = Histogram(
            "verifier_program_check_seconds",
            "Wall time of one native program run on one block",
            buckets=(0.25, 0.5, 1, 2, 4, 8, 16, 32, 64),
            registry=registry,
        )

    @property
    def last_checked(self) -> int:
        """The highest block checked so far (0: none)."""
        return self.checked[-1][0] if self.checked else 0

    def behind(self) -> int:
        """Safe blocks not yet checked."""
        return max(0, self.chain.safe_number() - (self.next - 1))

    def status(self) -> dict[str, object]:
        """What ``rollup_syncStatus`` serves under ``programCheck``."""
        with self._lock:
            mismatches = [m.as_json() for m in self.mismatches]
        return {
            "checkedL2": hex(self.last_checked),
            "behind": self.behind(),
            "mismatches": mismatches,
        }

    async def run(self) -> None:
        """Check safe blocks until cancelled."""
        log.info("checking every safe block with the fault-proof program")
        loop = asyncio.get_running_loop()
        backoff = Backoff(self.poll_seconds)  # runs the host could not serve are retried
        while True:
            self._follow_reorgs()
            self.lag.set(self.behind())
            number = self.next
            block = self.chain.block_by_number(number)
            if number > self.chain.safe_number() or block is None:
                await asyncio.sleep(self.poll_seconds)
                continue
            started = time.monotonic()
            try:
                root, run = await loop.run_in_executor(self.executor, self._prove, number)
            except Exception as exc:
                if not l1_unavailable(exc):
                    raise  # a bug of the check (or of the host): the node stops with it
                log.warning("L1 unavailable to the program's host; retrying", block=number,
                            error=str(exc))  # fmt: skip
                await asyncio.sleep(backoff.pause())
                continue
            backoff.succeeded()
            spent = time.monotonic() - started
            if self._replaced(number, block.hash):
                continue  # re-derived while it ran: check the new block
            self.seconds.observe(spent)
            self.checked_total.inc()
            if run.verdict != "valid":
                self._alert(number, block.hash, root, run)
            self.checked.append((number, block.hash))
            self.checked_block.set(number)
            self.next = number + 1

    def _prove(self, number: int) -> tuple[bytes, ProgramRun]:
        """The node's output root of block ``number`` and the program's run judging it (on the
        worker thread: the root reads the store, the run takes seconds)."""
        root = output_at(self.chain, number).root
        disputed = root
        if number == self.wrong_root_at:
            log.warning("fault injection: giving the program a wrong root", block=number)
            disputed = keccak(b"wrong" + root)
        return root, self.prover(number, disputed)

    def _replaced(self, number: int, block_hash: bytes) -> bool:
        """Whether block ``number`` changed (reorg) since its run started (the hash commits
        to the state, hence to the output root)."""
        block = self.chain.block_by_number(number)
        return block is None or block.hash != block_hash

    def _follow_reorgs(self) -> None:
        """Step the cursor back past checked blocks the chain no longer has."""
        while self.checked:
            number, block_hash = self.checked[-1]
            block = self.chain.block_by_number(number)
            if block is not None and block.hash == block_hash:
                return
            self.checked.pop()
            self.next = number
            log.info("a checked block was replaced; checking it again", block=number)

    def _alert(self, number: int, block_hash: bytes, root: bytes, run: ProgramRun) -> None:
        mismatch = ProgramMismatch(
            number, block_hash, root, run.verdict, run.exit_code if run.finished else None,
            run.report[-2000:], time.time(),
        )  # fmt: skip
        with self._lock:
            self.mismatches.append(mismatch)
        self.mismatch_total.inc()
        log.error(
            "the fault-proof program does not accept this node's output root",
            l2_block=number,
            local="0x" + root.hex(),
            verdict=run.verdict,
            report=run.report[-2000:],
        )
