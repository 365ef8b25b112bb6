"""The interfaces the RPC server consumes, declared here by their consumer.

``ChainBackend`` is what every read and write of the ``eth_`` namespace needs; the chain
facade implements it. Its methods are synchronous; the RPC layer runs the heavy ones (calls,
gas estimates, proofs, log queries) in a worker thread so that the event loop stays live.
``Signer`` holds a dev chain's unlocked accounts (``eth_accounts``, ``eth_sendTransaction``,
``eth_sign``; devnet only), ``DevBackend`` is the embedded L1's clock and snapshot control
(``evm_`` methods, devnet only) and ``RollupBackend`` the node-level status served under
``rollup_`` (SPEC §12).

Block numbers passed in are already resolved from tags and checked against the head by the
RPC layer; a method may still raise ``rollup_node.chain.errors.UnknownBlock`` if the block
vanished meanwhile (a reorg), which the client sees as "header not found".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from rollup_node.chain.access_list import AccessListResult
from rollup_node.chain.queries import AccountOverride, AccountProof, CallRequest
from rollup_node.chain.records import BlockRecord, LogRecord, ReceiptRecord, TxRecord
from rollup_node.chain.tracing import TransactionTracer

NewBlockCallback = Callable[[BlockRecord, tuple[ReceiptRecord, ...]], None]


class ChainBackend(Protocol):
    """Reads of the chain and its state, transaction intake and the new-head feed."""

    chain_id: int

    def head_number(self) -> int:
        """The number of the latest (unsafe) head block."""
        ...

    def safe_number(self) -> int:
        """The number of the safe head (equal to the head on a chain without L1 below it)."""
        ...

    def finalized_number(self) -> int:
        """The number of the finalized head."""
        ...

    def block_by_number(self, number: int) -> BlockRecord | None:
        """The canonical block at ``number`` with its transactions, or ``None``."""
        ...

    def block_by_hash(self, block_hash: bytes) -> BlockRecord | None:
        """The block with this hash (canonical or not) with its transactions, or ``None``."""
        ...

    def transaction(self, tx_hash: bytes) -> TxRecord | None:
        """An included transaction, or a queued one (block fields ``None``), or ``None``."""
        ...

    def receipt(self, tx_hash: bytes) -> ReceiptRecord | None:
        """The receipt of an included transaction, or ``None``."""
        ...

    def block_receipts(self, block_hash: bytes) -> tuple[ReceiptRecord, ...]:
        """The receipts of a block in transaction order (empty if the block is unknown)."""
        ...

    def logs(
        self,
        from_block: int,
        to_block: int,
        addresses: Sequence[bytes],
        topics: Sequence[Sequence[bytes] | None],
    ) -> list[LogRecord]:
        """Logs of canonical blocks ``from_block..to_block`` (inclusive) that match.

        An empty ``addresses`` matches every address; ``topics[i]`` is ``None`` (any topic) or
        the set of topics accepted at position ``i``.
        """
        ...

    def balance(self, address: bytes, block_number: int) -> int:
        """The balance in wei of ``address`` after block ``block_number``."""
        ...

    def nonce(self, address: bytes, block_number: int) -> int:
        """The nonce of ``address`` after block ``block_number``."""
        ...

    def pending_nonce(self, address: bytes) -> int:
        """The next nonce ``address`` should use, counting its queued transactions."""
        ...

    def code(self, address: bytes, block_number: int) -> bytes:
        """The code of ``address`` after block ``block_number``."""
        ...

    def storage_at(self, address: bytes, slot: int, block_number: int) -> bytes:
        """The 32-byte value of a storage slot after block ``block_number``."""
        ...

    def call(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> bytes:
        """Execute a message call on the state after ``block_number``; return its output.

        ``pending`` (asked at the ``pending`` tag; ``block_number`` is then the head): run in
        the environment of the next block where the chain knows it (a dev chain's miner).
        Raises ``ExecutionReverted("execution reverted", data)`` on REVERT and
        ``ExecutionReverted(<vm error>)`` for other failures (out of gas, ...).
        """
        ...

    def estimate_gas(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> int:
        """The smallest gas limit with which ``request`` succeeds; arguments and errors as
        ``call``."""
        ...

    def create_access_list(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> AccessListResult:
        """The accounts and slots ``request`` touches, stable under re-execution with them
        (``chain/access_list.py``); arguments as ``call``."""
        ...

    def trace_transaction(self, tx_hash: bytes, tracer: TransactionTracer) -> dict[str, Any]:
        """Trace an included transaction by running its block again up to it (``tracer`` gives
        the result); ``UnknownTransaction`` if the chain has not included it."""
        ...

    def trace_block(
        self, block: BlockRecord, make_tracer: Callable[[int], TransactionTracer]
    ) -> list[dict[str, Any]]:
        """Trace every transaction of ``block``, the one at index ``i`` under
        ``make_tracer(i)``."""
        ...

    def trace_call(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        tracer: TransactionTracer,
        pending: bool = False,
    ) -> dict[str, Any]:
        """Trace ``request``; arguments and errors as ``call``."""
        ...

    def get_proof(self, address: bytes, slots: Sequence[int], block_number: int) -> AccountProof:
        """Merkle proofs of an account and some of its storage slots."""
        ...

    def send_raw_transaction(self, raw: bytes) -> bytes:
        """Validate and queue a signed transaction; return its hash.

        Raises ``TransactionRejected`` with the reason when it is not valid now.
        """
        ...

    def suggested_priority_fee(self) -> int:
        """The priority fee (wei per gas) the node suggests to senders."""
        ...

    def subscribe_blocks(self, callback: NewBlockCallback) -> Callable[[], None]:
        """Call ``callback(block, receipts)`` on the event loop thread for each new head.

        Returns a function that removes the subscription.
        """
        ...


class Signer(Protocol):
    """The unlocked accounts of a dev chain; each ``sign*`` raises ``KeyError`` when
    ``sender`` is not one of them."""

    def accounts(self) -> list[bytes]:
        """The unlocked accounts (``eth_accounts``)."""
        ...

    def sign(self, sender: bytes, tx: dict[str, Any]) -> bytes:
        """Sign an eth-account transaction dict; the raw transaction."""
        ...

    def sign_message(self, sender: bytes, message: bytes) -> bytes:
        """The 65-byte EIP-191 personal-message signature of ``message``."""
        ...

    def sign_typed_data(self, sender: bytes, typed_data: dict[str, Any]) -> bytes:
        """The 65-byte signature of EIP-712 typed data (``ValueError`` if it is malformed)."""
        ...


class DevBackend(Signer, Protocol):
    """Clock, snapshots, mining mode, state writes and unlocked accounts of a dev chain (the
    devnet's embedded L1).

    Methods may raise ``ValueError`` for a request they refuse (a timestamp in the past);
    the client sees its message as a -32000 error. A state write is visible at the head when
    the method returns.
    """

    def mine(self, timestamp: int | None) -> int:
        """Seal one block (at ``timestamp`` if given); return its number."""
        ...

    def mine_queued(self) -> None:
        """When the chain automines, mine the queued transactions now (else do nothing)."""
        ...

    def set_automine(self, enabled: bool) -> None:
        """Mine a block per transaction (``True``) or only when asked (``False``)."""
        ...

    def increase_time(self, seconds: int) -> int:
        """Move the clock forward by ``seconds``; return the total offset in seconds."""
        ...

    def set_next_block_timestamp(self, timestamp: int) -> None:
        """Fix the timestamp of the next block."""
        ...

    def snapshot(self) -> int:
        """Record the current state; return an id for ``revert``."""
        ...

    def revert(self, snapshot_id: int) -> bool:
        """Return to a snapshot (dropping it and later ones); ``False`` if it is unknown."""
        ...

    def set_code(self, address: bytes, code: bytes) -> None:
        """Replace the code of ``address``."""
        ...

    def set_storage_at(self, address: bytes, slot: int, value: bytes) -> None:
        """Write the 32-byte ``value`` into storage ``slot`` of ``address``."""
        ...

    def set_balance(self, address: bytes, balance_wei: int) -> None:
        """Set the balance of ``address``."""
        ...

    def set_nonce(self, address: bytes, nonce: int) -> None:
        """Set the nonce of ``address``."""
        ...


class RollupBackend(Protocol):
    """Node-level rollup status; every method returns JSON-ready values (SPEC §12)."""

    def sync_status(self) -> dict[str, Any]:
        """L1 head/safe/finalized, L2 unsafe/safe/finalized and the current L1 origin."""
        ...

    def node_status(self) -> dict[str, Any]:
        """The node's mode and its batcher's and proposer's state (``None`` where it runs
        none)."""
        ...

    async def settlement(self) -> dict[str, Any] | None:
        """What L1 says of settlement: SCC batches posted and final, the newest batch not yet
        final and its fraud-proof window left, the proposer's bond (``None``: no L1)."""
        ...

    def output_at_block(self, number: int) -> dict[str, Any]:
        """The output root of L2 block ``number`` and its preimage.

        Raises ``UnknownBlock`` for a block the node does not have ("header not found").
        """
        ...

    def rollup_config(self) -> dict[str, Any]:
        """The rollup config this node runs."""
        ...

    def disputes(self) -> list[dict[str, Any]]:
        """The dispute games this node sees."""
        ...
