"""Making SCC batches final as their fraud-proof windows pass (SPEC §4).

``finalizeBatch()`` is permissionless and makes one batch final per call, in order. Nobody is
obliged to call it, yet withdrawals need final roots and the proposer's bond stays locked
until its last batch is final; left to withdrawal relayers, the first relay after a long quiet
spell would pay for every batch since. So the proposer's node calls it itself, for each batch
whose window has passed with no open game against it, a few per round.
"""

from __future__ import annotations

import asyncio

import structlog
from eth_utils import to_checksum_address
from web3.exceptions import Web3Exception

from rollup_node.config import RollupConfig
from rollup_node.contracts import load_artifact
from rollup_node.l1.transactor import (
    L1SendFailed,
    L1TransactionReverted,
    Transactor,
    failure_message,
)

log = structlog.get_logger("finalizer")

#: Gas for one ``finalizeBatch()`` (a few storage reads, one write, one event).
FINALIZE_BATCH_GAS = 100_000


class BatchFinalizer:
    """Calls ``finalizeBatch()`` for every batch that may be made final."""

    def __init__(
        self,
        config: RollupConfig,
        transactor: Transactor,
        poll_seconds: float = 2.0,
        max_per_round: int = 16,
    ) -> None:
        self.tx = transactor
        self.poll_seconds = poll_seconds
        self.max_per_round = max_per_round
        self.scc = transactor.w3.eth.contract(
            address=to_checksum_address(config.l1_addresses.state_commitment_chain),
            abi=list(load_artifact("StateCommitmentChain").abi),
        )
        self._call = bytes.fromhex(self.scc.encode_abi("finalizeBatch", args=[])[2:])
        self.finalized = 0  # batches this service made final
        self._window: int | None = None  # the SCC's fraudProofWindow (immutable)

    async def run(self) -> None:
        """Finalize what may be finalized, every ``poll_seconds``, until cancelled."""
        log.info("batch finalizer started")
        while True:
            try:
                await self.finalize_ready()
            except (L1SendFailed, TimeoutError, OSError, Web3Exception) as exc:
                log.warning(failure_message(exc), error=str(exc))
            await asyncio.sleep(self.poll_seconds)

    async def blocker(self) -> str | None:
        """Why the oldest non-final batch cannot be made final now (``None``: it can)."""
        functions = self.scc.functions
        index = await functions.finalizedBatches().call()
        if index >= await functions.totalBatches().call():
            return "every batch is final"
        if self._window is None:
            self._window = await functions.fraudProofWindow().call()
        ends = await functions.batchTimestamps(index).call() + self._window
        now = (await self.tx.w3.eth.get_block("latest"))["timestamp"]
        if now < ends:  # the next block is later than the latest: ready once latest ≥ ends
            return f"batch {index}'s fraud-proof window ends at L1 time {ends} (in ~{ends - now} s)"
        games = await functions.openGames(await functions.batchHeaderHashes(index).call()).call()
        if games:
            return f"batch {index} is held by {games} open dispute game(s)"
        return None

    async def finalize_ready(self) -> int:
        """Finalize up to ``max_per_round`` ready batches; return how many."""
        done = 0
        while done < self.max_per_round and await self.blocker() is None:
            try:
                receipt = await self.tx.send(
                    self.scc.address, self._call, "finalizeBatch", gas=FINALIZE_BATCH_GAS
                )
            except L1TransactionReverted as exc:
                # Someone else finalized it first, or a game opened meanwhile: look again later.
                log.info("finalizeBatch reverted; will look again", error=str(exc))
                break
            done += 1
            log.debug("state batch finalized", l1=receipt.block_number)
        self.finalized += done
        return done
