"""The verifier's challenger: open a dispute game against the earliest wrong SCC root (SPEC §11).

Runs as a hook of the dispute agent (``faultproof/game/agent.py``), once per round. When the
output watcher holds a mismatch whose batch still stands, the challenger disputes the earliest
wrong element ``n`` only — element ``n − 1`` is then agreed, being the last one the watcher found
equal — and never twice for the same batch header:

1. **L1 head**: ``L1_HEAD_DEPTH`` blocks below the latest (a shallow reorg then rarely changes
   it), but not below the L1 block of the SCC batch holding ``n`` (the factory's rule) — so for
   a root just posted it is the batch's own block, even while that block is still the latest:
   ``create`` is mined in a later block, where ``blockhash`` of the head is readable (its gas is
   estimated at ``pending``), and waiting a block first would delay the game by one. The head's
   hash goes into ``create``, which reverts if L1 reorganised meanwhile (the next round starts
   again at a new head).
2. **Root claim**: the final state hash of a full MIPS run of the program with the game's local
   inputs (SPEC §9), by the agent's trace factory into a directory of its own, without
   checkpoints: the game waits on this run alone, and checkpoints make it about a third slower
   (1.2 s against 1.8–2.3 s for a 4.6 M-step trace on the loaded 2-core machine). Its status
   must not be 0 (valid): a run that accepts the posted root means the watcher and the program
   disagree — an alert, not a game.
3. ``create`` with the required bond (read before the run); then the agent plays the game like
   any other, from a trace with checkpoints it builds in ``disputes/<game>`` (the program runs
   a second time, off the critical path: the defender answers the root first, after its own
   run). The directory of the first run is deleted.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import structlog
from eth_hash.auto import keccak
from prometheus_client import CollectorRegistry, Counter

from rollup_node.config import RollupConfig
from rollup_node.faultproof.game.agent import DisputeAgent, GameTrace
from rollup_node.faultproof.program.host import LocalInputs
from rollup_node.l1.dispute_game_factory import CreatedGame, SccElement
from rollup_node.l1.transactor import L1TransactionReverted
from rollup_node.proposer.scc import StateBatch

log = structlog.get_logger("challenger")

#: How far below the latest L1 block the game's L1 head is taken.
L1_HEAD_DEPTH = 2


class WrongRoot(Protocol):
    """A posted root the watcher found wrong (``watcher.RootMismatch``)."""

    element: int
    posted_root: bytes
    batch: StateBatch


@dataclass(frozen=True)
class ForcedRoot:
    """A correct root a dishonest challenger disputes (fault injection, tests only)."""

    element: int
    posted_root: bytes
    batch: StateBatch


class WrongRoots(Protocol):
    """What the challenger reads from the output watcher."""

    batches: dict[int, StateBatch]
    checked: dict[int, bytes]

    def earliest_wrong(self) -> WrongRoot | None:
        """The earliest mismatch whose batch still stands."""
        ...


class Challenger:
    """Opens one game per wrong batch, against its earliest wrong element."""

    def __init__(
        self,
        config: RollupConfig,
        agent: DisputeAgent,
        watcher: WrongRoots,
        registry: CollectorRegistry,
        forced_element: int | None = None,
    ) -> None:
        self.config = config
        self.forced_element = forced_element  # fault injection: dispute this correct element
        self.agent = agent
        self.watcher = watcher
        self.opened: dict[bytes, str] = {}  # disputed header hash -> game address
        self.refused: set[bytes] = set()  # headers whose root the program accepts (alerted)
        self.created_total = Counter(
            "dispute_games_created_total", "Games this node opened", registry=registry
        )

    async def __call__(self) -> None:
        """One round: challenge the earliest wrong root if nobody has yet."""
        wrong = self.watcher.earliest_wrong()
        if wrong is None and self.forced_element is not None:
            wrong = self._forced(self.forced_element)
        if wrong is None or wrong.element == 0:
            return
        header_hash = wrong.batch.header_hash
        if header_hash in self.opened or header_hash in self.refused:
            return
        existing = self._our_game(wrong.element, header_hash)
        if existing is not None:  # after a restart: the game is on L1 already
            self.opened[header_hash] = existing
            return
        await self.challenge(wrong)

    def _our_game(self, element: int, header_hash: bytes) -> str | None:
        us = self.agent.us
        for game in self.agent.games.values():
            if game.element != element or us is None or game.challenger != us:
                continue
            params = game.params
            if params is None or keccak_header(params.header) == header_hash:
                return game.address
        return None

    def _forced(self, element: int) -> ForcedRoot | None:
        """The checked (correct) root of ``element``, to dispute dishonestly."""
        if element not in self.watcher.checked:
            return None
        for batch in self.watcher.batches.values():
            if batch.prev_total_elements <= element <= batch.last_element:
                root = batch.output_roots[element - batch.prev_total_elements]
                return ForcedRoot(element, root, batch)
        return None

    def _agreed(self, element: int) -> SccElement | None:
        """SCC element ``element`` (``n − 1``) from the watcher's current batches."""
        for batch in self.watcher.batches.values():
            if batch.prev_total_elements <= element <= batch.last_element:
                return SccElement.of(element, batch.header(), batch.output_roots)
        return None

    async def challenge(self, wrong: WrongRoot) -> str | None:
        """Create the game against ``wrong.element``; return its address (``None``: not now)."""
        n, batch = wrong.element, wrong.batch
        agreed = self._agreed(n - 1)
        if agreed is None:
            return None
        started = time.monotonic()
        w3 = self.agent.w3
        latest = await w3.eth.get_block("latest")
        head_number = max(latest["number"] - L1_HEAD_DEPTH, batch.l1_block_number)
        if head_number > latest["number"]:
            return None  # this L1 node is behind the one the watcher read: next round
        head = latest if head_number == latest["number"] else await w3.eth.get_block(head_number)
        head_hash = bytes(head["hash"])
        factory = await self.agent.factory.params()
        inputs = LocalInputs(
            head_hash,
            agreed.output_root,
            wrong.posted_root,
            n,
            factory.l2_chain_id,
            factory.consensus_config_hash,
        )
        bond = await self.agent.factory.required_bond()
        directory = self.agent.directory / f"challenge-{n}-{head_hash.hex()[:16]}"
        trace: GameTrace = await asyncio.to_thread(
            partial(self.agent.trace_factory, checkpoints=False),
            directory,
            inputs,
            factory.absolute_prestate,
            factory.max_game_depth,
        )
        root_claim = trace.state_hash(2**factory.max_game_depth - 1)  # the root's position
        traced = time.monotonic()
        if root_claim[0] == 0:
            log.error(
                "the fault-proof program accepts a root the watcher found wrong; not challenging",
                l2_block=n,
                posted="0x" + wrong.posted_root.hex(),
            )
            self.refused.add(batch.header_hash)
            return None
        disputed = SccElement.of(n, batch.header(), batch.output_roots)
        try:
            address, receipt = await self.agent.factory.create(
                n, agreed, disputed, head_number, head_hash, root_claim, bond
            )
        except L1TransactionReverted as exc:
            # L1HeadHashMismatch (a reorg), WindowClosed, GameExists...: look again next round.
            log.warning("game creation reverted", l2_block=n, error=str(exc))
            return None
        self.opened[batch.header_hash] = address
        self.created_total.inc()
        shutil.rmtree(directory, ignore_errors=True)  # not played from: no checkpoints
        self.agent.track(
            CreatedGame(address, n, root_claim, head_number, self.agent.us or "", 0, 0)
        )
        log.info(
            "dispute game created",
            game=address,
            l2_block=n,
            root_claim="0x" + root_claim.hex(),
            l1_head=head_number,
            l1=receipt.block_number,
            l1_blocks_after_root=receipt.block_number - batch.l1_block_number,
            trace_seconds=round(traced - started, 2),
            create_seconds=round(time.monotonic() - traced, 2),
            bond_wei=bond,
        )
        return address


def keccak_header(header: tuple) -> bytes:
    """The SCC's ``hashHeader`` of a header tuple."""
    from eth_abi import encode as abi_encode

    from rollup_node.proposer.scc import BATCH_HEADER_TYPE

    return keccak(abi_encode([BATCH_HEADER_TYPE], [header]))
