"""The proposer loop: post the output roots of safe L2 blocks to the SCC, keeping its bond.

Element ``n`` of the SCC is the output root of L2 block ``n``. Each round reads
``totalElements`` (the source of truth after a restart or a deleted batch: after a challenger
won a game, SPEC §11, it has fallen back to the first deleted element, and the proposer posts
correct roots from there again) and posts the roots
of the next blocks that are safe — derived from batches already on L1, so the SCC's own bound
(no element past the CTC's blocks) always holds — at most ``max_roots`` per transaction. Before
proposing it tops its bond up to ``requiredBond`` through the BondManager.

A proposer posts only roots it could defend (SPEC §1): before a root is posted, the native
build of the fault-proof program runs on its block against the current L1 head and must exit
0 (valid). If it does not, the proposer stops proposing for good and logs the disagreement at
error level (``proposer_program_disagreements_total``): py-evm and the program differ, which is
a bug to fix before any root of that block goes on L1.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import structlog
from eth_hash.auto import keccak
from prometheus_client import CollectorRegistry, Counter
from web3 import AsyncWeb3
from web3.exceptions import Web3Exception

from rollup_node.chain.chain import Chain
from rollup_node.chain.outputs import output_at
from rollup_node.config import RollupConfig
from rollup_node.faultproof.oracle.host import HostError
from rollup_node.l1.transactor import (
    L1SendFailed,
    L1TransactionReverted,
    Transactor,
    failure_message,
)
from rollup_node.proposer.scc import (
    BOND_DEPOSIT,
    TOTAL_BLOCKS,
    TOTAL_ELEMENTS,
    append_state_batch_calldata,
    bonds_calldata,
    call_uint,
)

log = structlog.get_logger("proposer")


@dataclass(frozen=True, slots=True)
class ProposerSettings:
    """Operational limits (not consensus)."""

    max_roots: int = 256
    poll_seconds: float = 0.5
    #: Run the native fault-proof program on every block before posting its root.
    check_with_program: bool = True
    #: Fault injection (tests): propose a wrong output root for this L2 block, once per
    #: process (after a game deletes it, the re-proposal is correct).
    wrong_output_root_once: int | None = None


class Proposer:
    """Posts output roots of safe blocks to the SCC."""

    def __init__(
        self,
        config: RollupConfig,
        chain: Chain,
        transactor: Transactor,
        settings: ProposerSettings = ProposerSettings(),
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.config = config
        self.chain = chain
        self.tx = transactor
        self.settings = settings
        addresses = config.l1_addresses
        self.scc = AsyncWeb3.to_checksum_address(addresses.state_commitment_chain)
        self.ctc = AsyncWeb3.to_checksum_address(addresses.canonical_transaction_chain)
        self.bond_manager = AsyncWeb3.to_checksum_address(addresses.bond_manager)
        self.proposed = 0
        self.disagreements = Counter(
            "proposer_program_disagreements_total",
            "Blocks whose output root the fault-proof program did not reproduce",
            registry=registry or CollectorRegistry(),
        )
        self.halted: str | None = None  # why proposing stopped, if it did
        self.wrong_root_posted = False  # the one-shot fault injection has fired
        # Block -> the output root the program reproduced: a block's verdict holds at any
        # later L1 head, so roots re-proposed after a deletion are not run again.
        self._reproduced: dict[int, bytes] = {}
        self._program_l1: Any = None

    async def run(self) -> None:
        """Keep the bond and propose until cancelled."""
        log.info("proposer started", sender=self.tx.address)
        while True:
            try:
                await self.ensure_bond()
                proposed = await self.propose_once()
            except L1TransactionReverted as exc:
                log.warning("proposal reverted; retrying from the SCC's totals", error=str(exc))
                proposed = False
            except (L1SendFailed, TimeoutError, OSError, Web3Exception, HostError) as exc:
                # HostError: the program's host could not fetch L1 data, e.g. the L1 head it
                # proved against was reorganised away; the next round takes the new head.
                log.warning(failure_message(exc), error=str(exc))
                proposed = False
            if not proposed:
                await asyncio.sleep(self.settings.poll_seconds)

    async def ensure_bond(self) -> None:
        """Deposit what the bond lacks of ``required_bond``."""
        w3 = self.tx.w3
        have = await call_uint(w3, self.bond_manager, bonds_calldata(self.tx.address))
        if have < self.config.required_bond:
            missing = self.config.required_bond - have
            log.info("depositing bond", wei=missing)
            await self.tx.send(self.bond_manager, BOND_DEPOSIT, "bond deposit", value=missing)

    def _program_agrees(self, number: int, l1_head_hash: bytes) -> bool:
        """Run the native fault-proof program on block ``number`` (blocking; a thread)."""
        from web3 import Web3

        from rollup_node.chain.witness import StoreL2Reader
        from rollup_node.faultproof.program.host import Web3ProgramL1Source
        from rollup_node.faultproof.program.run import prove_block

        if self._program_l1 is None:
            provider = self.tx.w3.provider
            w3 = Web3(Web3.HTTPProvider(provider.endpoint_uri, request_kwargs={"timeout": 30}))
            ctc = self.config.l1_addresses.canonical_transaction_chain
            self._program_l1 = Web3ProgramL1Source(w3, ctc)
        l2 = StoreL2Reader(self.chain)
        run = prove_block(l2, self.config, self._program_l1, l1_head_hash, number)
        if run.verdict != "valid":
            log.error(
                "the fault-proof program does not reproduce this node's output root; "
                "proposing stops",
                block=number,
                verdict=run.verdict,
                report=run.report[-2000:],
            )
            return False
        return True

    def root_of(self, number: int) -> bytes:
        """The output root this proposer posts for block ``number``."""
        root = output_at(self.chain, number).root
        if number == self.settings.wrong_output_root_once and not self.wrong_root_posted:
            log.warning("fault injection: proposing a wrong output root", block=number)
            return keccak(b"wrong" + root)
        return root

    async def propose_once(self) -> bool:
        """Propose the next safe blocks' roots if there are any; return whether it did."""
        if self.halted:
            return False
        w3 = self.tx.w3
        start = await call_uint(w3, self.scc, TOTAL_ELEMENTS)
        l2_blocks = await call_uint(w3, self.ctc, TOTAL_BLOCKS)
        last = min(self.chain.safe_number(), l2_blocks, start + self.settings.max_roots - 1)
        if last < start:
            return False
        if self.settings.check_with_program:
            head = bytes((await w3.eth.get_block("latest"))["hash"])
            for number in range(max(start, 1), last + 1):
                root = output_at(self.chain, number).root
                if self._reproduced.get(number) == root:
                    continue  # re-proposed after a deletion (SPEC §11): checked already
                if not await asyncio.to_thread(self._program_agrees, number, head):
                    self.halted = f"the fault-proof program disagrees on block {number}"
                    self.disagreements.inc()
                    return False
                self._reproduced[number] = root
        roots = [self.root_of(n) for n in range(start, last + 1)]
        calldata = append_state_batch_calldata(roots, start)
        receipt = await self.tx.send(self.scc, calldata, "appendStateBatch")
        if start <= (self.settings.wrong_output_root_once or -1) <= last:
            self.wrong_root_posted = True  # only once it is on L1: a revert posts it again
        self.proposed += len(roots)
        log.info("output roots proposed", first=start, last=last, l1=receipt.block_number)
        return True
