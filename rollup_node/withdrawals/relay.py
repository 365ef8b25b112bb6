"""Relaying withdrawals to L1 (SPEC §7): where a withdrawal stands, its proof, finalizing it.

A withdrawal initiated in L2 block ``b`` can be finalized against any *final* SCC element
``n ≥ b``: the message passer never forgets a message, so every later state proves it. The
relayer takes the earliest current SCC batch holding such an element (batches become final in
order, so no other choice is final sooner), reads block ``n`` and an ``eth_getProof`` of the
``sentMessages`` slot from an L2 node, and checks that they give the root the SCC holds — an L2
node on another chain is caught here with a clear message, not by an L1 revert. Batches become
final through the permissionless ``finalizeBatch()``, one per call in order; the relayer calls
it when the window has passed and nobody has yet.

``WithdrawalError`` is a verdict on the withdrawal (not found, not provable yet, would revert);
a transport failure or a bug is not turned into one: it propagates as itself, and
``l1.errors.classify`` says whether trying again can help.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from eth_utils import to_checksum_address
from web3 import AsyncWeb3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError

from rollup_node.config import RollupConfig
from rollup_node.contracts import describe_revert, load_artifact
from rollup_node.l1.errors import Action, classify
from rollup_node.l1.log_scan import block_chunks
from rollup_node.l1.transactor import L1Receipt, L1TransactionReverted, Transactor, revert_data
from rollup_node.proposer.finalizer import BatchFinalizer
from rollup_node.proposer.scc import StateBatch, read_state_batches
from rollup_node.protocol.batch_merkle import batch_proof
from rollup_node.protocol.output_root import OutputRootPreimage
from rollup_node.protocol.predeploys import L2_TO_L1_MESSAGE_PASSER
from rollup_node.protocol.withdrawal import Withdrawal, decode_message_passed

#: Most L1 blocks read in one ``eth_getLogs`` request.
MAX_BLOCK_RANGE = 2000


class WithdrawalError(RuntimeError):
    """The withdrawal cannot be found, proved or finalized; the message says why."""


class Stage(Enum):
    """Where a withdrawal stands on its way to L1."""

    WAITING_FOR_OUTPUT = "waiting for an output root"  # no SCC element covers its block yet
    IN_WINDOW = "in the fraud-proof window"  # covered, but the batch is not final yet
    READY = "ready to finalize"
    FINALIZED = "finalized"


@dataclass(frozen=True, slots=True)
class WithdrawalStatus:
    """A withdrawal, the L2 block that initiated it and where it stands."""

    withdrawal: Withdrawal
    l2_block: int
    stage: Stage
    batch: StateBatch | None = None
    #: L1 timestamp at which ``batch``'s window ends (``None`` without a batch).
    window_ends: int | None = None


@dataclass(frozen=True, slots=True)
class WithdrawalProof:
    """Everything ``L1CrossDomainMessenger.finalizeWithdrawal`` takes."""

    withdrawal: Withdrawal
    element: int
    batch: StateBatch
    siblings: tuple[bytes, ...]
    output: OutputRootPreimage
    storage_proof: tuple[bytes, ...]

    def arguments(self) -> list[Any]:
        """``(withdrawal, location, outputRootProof, storageProof)`` in ABI order."""
        output = self.output
        return [
            self.withdrawal.as_abi(),
            (self.element, self.batch.header(), list(self.siblings)),
            (output.state_root, output.message_passer_storage_root, output.block_hash),
            list(self.storage_proof),
        ]

    def to_json(self) -> dict[str, Any]:
        """The proof as JSON (hex strings), for a wallet or another tool to submit."""
        w, b, o = self.withdrawal, self.batch, self.output
        return {
            "withdrawal": {
                "nonce": w.nonce,
                "sender": to_checksum_address(w.sender),
                "target": to_checksum_address(w.target),
                "value": str(w.value),
                "gasLimit": w.gas_limit,
                "data": "0x" + w.data.hex(),
                "hash": "0x" + w.hash.hex(),
            },
            "location": {
                "element": self.element,
                "header": {
                    "batchIndex": b.batch_index,
                    "batchRoot": "0x" + b.batch_root.hex(),
                    "batchSize": len(b.output_roots),
                    "prevTotalElements": b.prev_total_elements,
                    "extraData": "0x" + b.extra_data.hex(),
                },
                "siblings": ["0x" + s.hex() for s in self.siblings],
            },
            "outputRootProof": {
                "stateRoot": "0x" + o.state_root.hex(),
                "messagePasserStorageRoot": "0x" + o.message_passer_storage_root.hex(),
                "blockHash": "0x" + o.block_hash.hex(),
            },
            "storageProof": ["0x" + node.hex() for node in self.storage_proof],
        }


class Relayer:
    """Reads withdrawals from an L2 node and the SCC from L1, and finalizes on L1."""

    def __init__(self, l1: AsyncWeb3, l2: AsyncWeb3, rollup: RollupConfig) -> None:
        self.l1 = l1
        self.l2 = l2
        self.rollup = rollup
        addresses = rollup.l1_addresses
        self.scc = l1.eth.contract(
            address=to_checksum_address(addresses.state_commitment_chain),
            abi=list(load_artifact("StateCommitmentChain").abi),
        )
        self.messenger = l1.eth.contract(
            address=to_checksum_address(addresses.l1_cross_domain_messenger),
            abi=list(load_artifact("L1CrossDomainMessenger").abi),
        )

    # ---------------------------------------------------------------- L2 side
    async def withdrawals_of(self, tx_hash: bytes) -> tuple[int, list[Withdrawal]]:
        """The L2 block of transaction ``tx_hash`` and the withdrawals it initiated."""
        try:
            receipt = await self.l2.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound as exc:
            raise WithdrawalError(f"no L2 receipt for 0x{tx_hash.hex()}: {exc}") from exc
        found = []
        for entry in receipt["logs"]:
            if bytes.fromhex(entry["address"][2:]) != L2_TO_L1_MESSAGE_PASSER:
                continue
            topics = [bytes(t) for t in entry["topics"]]
            try:
                found.append(decode_message_passed(topics, bytes(entry["data"])))
            except ValueError:
                continue  # another event of the message passer
        if not found:
            raise WithdrawalError(f"L2 transaction 0x{tx_hash.hex()} initiated no withdrawal")
        return receipt["blockNumber"], found

    async def output_at(
        self, number: int, withdrawal: Withdrawal
    ) -> tuple[OutputRootPreimage, list[bytes]]:
        """Block ``number``'s output root preimage and the storage proof of ``withdrawal``."""
        block = await self.l2.eth.get_block(number)
        # AsyncEth has no get_proof: the raw call, with its hex fields read here.
        response = await self.l2.provider.make_request(
            "eth_getProof",
            [
                to_checksum_address(L2_TO_L1_MESSAGE_PASSER),
                [hex(withdrawal.storage_slot)],
                hex(number),
            ],
        )
        if "error" in response:
            raise WithdrawalError(f"eth_getProof at L2 block {number}: {response['error']}")
        proof = response["result"]
        (slot,) = proof["storageProof"]
        if int(slot["value"], 16) != 1:
            raise WithdrawalError(
                f"the L2 node's state at block {number} does not hold withdrawal "
                f"0x{withdrawal.hash.hex()}"
            )
        output = OutputRootPreimage(
            bytes(block["stateRoot"]), _hex(proof["storageHash"]), bytes(block["hash"])
        )
        return output, [_hex(node) for node in slot["proof"]]

    # ---------------------------------------------------------------- L1 side
    async def current_batches(self) -> list[StateBatch]:
        """The SCC's current batches, in order (deleted ones left out)."""
        total = await self.scc.functions.totalBatches().call()
        latest: dict[int, StateBatch] = {}
        head = await self.l1.eth.block_number
        for start, end in block_chunks(self.rollup.genesis_l1.number, head, MAX_BLOCK_RANGE):
            for batch in await read_state_batches(self.l1, self.scc.address, start, end):
                latest[batch.batch_index] = batch  # a re-proposal replaces a deleted batch
        return [latest[i] for i in range(total) if i in latest]

    async def covering_batch(self, l2_block: int) -> StateBatch | None:
        """The earliest current batch with an element at or after ``l2_block``."""
        for batch in await self.current_batches():
            if batch.last_element >= l2_block:
                stored = await self.scc.functions.batchHeaderHashes(batch.batch_index).call()
                if bytes(stored) != batch.header_hash:
                    raise WithdrawalError(
                        f"SCC batch {batch.batch_index} changed while it was read; try again"
                    )
                return batch
        return None

    async def status(self, withdrawal: Withdrawal, l2_block: int) -> WithdrawalStatus:
        """Where ``withdrawal`` (initiated in ``l2_block``) stands."""
        done = await self.messenger.functions.finalizedWithdrawals(withdrawal.hash).call()
        if done:
            return WithdrawalStatus(withdrawal, l2_block, Stage.FINALIZED)
        batch = await self.covering_batch(l2_block)
        if batch is None:
            return WithdrawalStatus(withdrawal, l2_block, Stage.WAITING_FOR_OUTPUT)
        window = await self.scc.functions.fraudProofWindow().call()
        ends = batch.timestamp + window
        final = await self.scc.functions.isBatchFinal(batch.batch_index).call()
        stage = Stage.READY if final else Stage.IN_WINDOW
        return WithdrawalStatus(withdrawal, l2_block, stage, batch, ends)

    async def prove(self, withdrawal: Withdrawal, l2_block: int) -> WithdrawalProof:
        """The proof of ``withdrawal`` against the earliest SCC element that covers it."""
        batch = await self.covering_batch(l2_block)
        if batch is None:
            raise WithdrawalError(
                f"no output root at or after L2 block {l2_block} is on L1 yet; wait for the "
                "proposer"
            )
        element = max(l2_block, batch.prev_total_elements)
        output, storage_proof = await self.output_at(element, withdrawal)
        index = element - batch.prev_total_elements
        if output.root != batch.output_roots[index]:
            raise WithdrawalError(
                f"the L2 node's block {element} gives output root 0x{output.root.hex()}, the SCC "
                f"holds 0x{batch.output_roots[index].hex()}: the L2 node is not on the rollup's "
                "chain (or the root is wrong and will be disputed)"
            )
        siblings = tuple(batch_proof(batch.output_roots, index))
        return WithdrawalProof(withdrawal, element, batch, siblings, output, tuple(storage_proof))

    async def finalize_batches_through(self, batch_index: int, tx: Transactor) -> int:
        """Make batches final in order (``BatchFinalizer``) until ``batch_index`` is; return
        the calls made. Raises ``WithdrawalError`` saying what holds a batch on the way."""
        functions = self.scc.functions
        if await functions.isBatchFinal(batch_index).call():
            return 0
        missing = batch_index + 1 - await functions.finalizedBatches().call()
        finalizer = BatchFinalizer(self.rollup, tx, max_per_round=missing)
        calls = await finalizer.finalize_ready()
        if not await functions.isBatchFinal(batch_index).call():
            reason = await finalizer.blocker()
            raise WithdrawalError(f"SCC batch {batch_index} cannot be made final yet: {reason}")
        return calls

    async def delivered(self, withdrawal: Withdrawal) -> bool:
        """Whether the L1 messenger's call to the withdrawal's target succeeded."""
        return bool(await self.messenger.functions.successfulMessages(withdrawal.hash).call())

    async def finalize(self, proof: WithdrawalProof, tx: Transactor) -> L1Receipt:
        """Make the proof's batch final if it may be, then finalize the withdrawal."""
        if await self.messenger.functions.finalizedWithdrawals(proof.withdrawal.hash).call():
            raise WithdrawalError(
                f"withdrawal 0x{proof.withdrawal.hash.hex()} is already finalized"
            )
        await self.finalize_batches_through(proof.batch.batch_index, tx)
        data = bytes.fromhex(
            self.messenger.encode_abi("finalizeWithdrawal", args=proof.arguments())[2:]
        )
        # The relay gas rule wants 64/63 of the message's gas plus the relay constants free
        # at the call: estimate, and never send less than the rule needs.
        floor = proof.withdrawal.gas_limit * 64 // 63 + 250_000
        try:
            estimate = await self.l1.eth.estimate_gas(
                {"from": tx.address, "to": self.messenger.address, "data": data}
            )
        except (ContractLogicError, Web3RPCError) as exc:  # web3's types for a revert
            if classify(exc) is Action.RETRY:
                raise  # L1 busy: not a verdict on the withdrawal
            raise WithdrawalError(
                "finalizeWithdrawal would revert: "
                + describe_revert(
                    revert_data(exc), "L1CrossDomainMessenger", "StateCommitmentChain"
                )
            ) from exc
        gas = max(estimate * 5 // 4, floor)
        try:
            return await tx.send(self.messenger.address, data, "finalizeWithdrawal", gas=gas)
        except L1TransactionReverted as exc:
            raise WithdrawalError(
                "finalizeWithdrawal reverted: "
                + describe_revert(exc.data, "L1CrossDomainMessenger", "StateCommitmentChain")
            ) from exc


def _hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))
