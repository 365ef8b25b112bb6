"""The ``rollup_`` namespace's backend (SPEC §12): sync status, output roots, config, disputes,
and the node's own status (mode, batcher, proposer) that the status page shows.

Implements ``rollup_node.rpc.backend.RollupBackend`` over the node's L2 chain, its derivation
status and, in verifier mode, the output-root watcher; with ``check_with_program`` (verifier,
replica) the sync status also reports the program check (``programCheck``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rollup_node.batcher.driver import Batcher
from rollup_node.chain.chain import Chain
from rollup_node.chain.errors import UnknownBlock
from rollup_node.chain.outputs import output_at
from rollup_node.config import RollupConfig
from rollup_node.derivation.driver import DerivationStatus
from rollup_node.faultproof.game.agent import DisputeAgent
from rollup_node.l1.errors import Action, classify
from rollup_node.l1.health import L1Health
from rollup_node.proposer.driver import Proposer
from rollup_node.proposer.settlement import read_settlement
from rollup_node.protocol.l1_info import parent_l1_info
from rollup_node.verifier.program_check import ProgramChecker
from rollup_node.verifier.watcher import OutputWatcher

#: Seconds a settlement answer is reused (each status page reads it every second).
SETTLEMENT_MAX_AGE = 1.0


def _block_ref(chain: Chain, number: int) -> dict[str, Any]:
    block = chain.block_by_number(number)
    if block is None:
        return {"number": hex(number), "hash": None, "timestamp": None}
    return {"number": hex(number), "hash": "0x" + block.hash.hex(), "timestamp": block.timestamp}


class RollupStatus:
    """What the node reports under ``rollup_``."""

    def __init__(
        self,
        config: RollupConfig,
        chain: Chain,
        derivation: DerivationStatus | None = None,
        watcher: OutputWatcher | None = None,
        program_checker: ProgramChecker | None = None,
        mode: str = "",
        l1_health: L1Health | None = None,
    ) -> None:
        self.config = config
        self.chain = chain
        self.derivation = derivation
        self.watcher = watcher
        self.program_checker = program_checker
        self.mode = mode
        self.l1_health = l1_health or L1Health()
        self.agent: DisputeAgent | None = None  # set by the node when it plays games
        self.batcher: Batcher | None = None  # set by the node on a sequencer
        self.proposer: Proposer | None = None  # set by the node on a sequencer
        #: set by the node: its probes' answers (``health.NodeHealth``), for ``alerts``
        self.probes: Callable[[], list[dict[str, Any]]] | None = None
        self.l1_w3: Any = None  # set by the node: its AsyncWeb3 on L1, for ``settlement``
        self._settlement: tuple[float, dict[str, Any]] | None = None  # (read at, answer)

    def sync_status(self) -> dict[str, Any]:
        """L1 head/safe/finalized, L2 unsafe/safe/finalized, the current L1 origin and
        whether L1 answers (``l1/health.py``); with the program check on, ``programCheck``:
        the last block checked, how many safe blocks wait, and the blocks whose root the
        program did not accept."""
        chain = self.chain
        head = chain.head_number()
        origin, sequence = parent_l1_info(chain, head)
        status = self.derivation or DerivationStatus()
        checked: dict[str, Any] = {}
        if self.program_checker is not None:
            checked["programCheck"] = self.program_checker.status()
        return {
            "headL1": hex(status.l1_head),
            "safeL1": hex(status.l1_safe),
            "finalizedL1": hex(status.l1_finalized),
            "unsafeL2": _block_ref(chain, head),
            "safeL2": _block_ref(chain, chain.safe_number()),
            "finalizedL2": _block_ref(chain, chain.finalized_number()),
            "currentL1Origin": {"number": hex(origin), "sequenceNumber": hex(sequence)},
            "batchesDerived": status.batches,
            "malformedBatches": status.malformed_batches,
            **checked,
            **self.l1_health.status(),
        }

    def node_status(self) -> dict[str, Any]:
        """The node's mode; ``alerts``: why ``/healthz`` or ``/readyz`` fails now (output root
        and program mismatches, L1 stale or unreachable, a stalled head, sync behind); on a
        sequencer, its batcher and proposer: their L1 sender, what they posted since the node
        started, and why proposing halted, if it did."""
        batcher, proposer = self.batcher, self.proposer
        alerts = [r for answer in (self.probes() if self.probes else []) for r in answer["reasons"]]
        if proposer is not None and proposer.halted:
            alerts.append(f"proposer halted: {proposer.halted}")
        return {
            "mode": self.mode,
            "alerts": alerts,
            "batcher": None
            if batcher is None
            else {"sender": batcher.tx.address, "batchesPosted": batcher.posted},
            "proposer": None
            if proposer is None
            else {
                "sender": proposer.tx.address,
                "outputsProposed": proposer.proposed,
                "halted": proposer.halted,
            },
        }

    async def settlement(self) -> dict[str, Any] | None:
        """What L1 says of settlement (``proposer/settlement.py``) for the rollup's proposer,
        read at most once a second; ``None`` without L1 (the node-core devnet), and
        ``{"l1Error": ...}`` while L1 does not answer."""
        if self.l1_w3 is None:
            return None
        now = time.monotonic()
        if self._settlement is not None and now - self._settlement[0] < SETTLEMENT_MAX_AGE:
            return self._settlement[1]
        try:
            answer = await read_settlement(self.l1_w3, self.config, self.config.sequencer_address)
        except Exception as exc:
            if classify(exc) is Action.HALT:
                raise  # a bug, or a contract that is not the SCC: -32603 with a traceback
            return {"l1Error": f"L1 unavailable: {type(exc).__name__}: {exc}"}
        self._settlement = (now, answer)
        return answer

    def output_at_block(self, number: int) -> dict[str, Any]:
        """The output root of L2 block ``number`` and its preimage."""
        try:
            preimage = output_at(self.chain, number)
        except KeyError as exc:
            raise UnknownBlock(str(exc)) from exc
        return {
            "version": "0x" + "00" * 32,
            "outputRoot": "0x" + preimage.root.hex(),
            "blockNumber": hex(number),
            "blockHash": "0x" + preimage.block_hash.hex(),
            "stateRoot": "0x" + preimage.state_root.hex(),
            "messagePasserStorageRoot": "0x" + preimage.message_passer_storage_root.hex(),
        }

    def rollup_config(self) -> dict[str, Any]:
        """The rollup config in force, with its consensus hash."""
        return {
            **self.config.model_dump(mode="json"),
            "consensus_config_hash": "0x" + self.config.consensus_config_hash().hex(),
        }

    def disputes(self) -> list[dict[str, Any]]:
        """The dispute games this node follows (``kind: "game"``), then the output-root
        mismatches its watcher found (``kind: "mismatch"``, verifier mode)."""
        games = self.agent.disputes() if self.agent is not None else []
        found = self.watcher.disputes() if self.watcher is not None else []
        return [{"kind": "game", **g} for g in games] + [{"kind": "mismatch", **m} for m in found]
