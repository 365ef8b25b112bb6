"""The chain facade: what RPC, the sequencer, derivation and the embedded L1 use.

It owns the store and the chain's rules, builds blocks on the head (``new_block``), commits
sealed blocks (``commit``), answers every read of the ``eth_`` namespace at any retained block
(all trie nodes are kept, so historical state is always there), and runs calls and gas
estimates on throw-away state. Reads and block building are synchronous; services call the
heavy ones from worker threads. New heads are announced to subscribers on the event loop
(``publish``), after the block is durable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import rlp
from eth.abc import ComputationAPI
from eth.constants import BLANK_ROOT_HASH, CREATE_CONTRACT_ADDRESS, EMPTY_SHA3
from eth.db.account import AccountDB
from eth.exceptions import Revert
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth.vm.message import Message
from eth_hash.auto import keccak
from trie import HexaryTrie

from rollup_node.chain.access_list import (
    MAX_REFUND_QUOTIENT,
    AccessListResult,
    ExecutionObserver,
    create_access_list,
)
from rollup_node.chain.account_reads import AccountReads
from rollup_node.chain.block_replay import replay_block
from rollup_node.chain.builder import BlockBuilder, BlockEnv, ChainRules, SealedBlock
from rollup_node.chain.call_jobs import CallJob, CallMethod, ReaderSpec
from rollup_node.chain.call_shortcuts import call_without_code
from rollup_node.chain.errors import (
    ExecutionReverted,
    StoreCorrupted,
    UnknownBlock,
    UnknownTransaction,
    vm_error_message,
)
from rollup_node.chain.queries import (
    AccountOverride,
    AccountProof,
    CallRequest,
    StorageProof,
    log_matches,
)
from rollup_node.chain.records import BlockRecord, LogRecord, ReceiptRecord, TxRecord
from rollup_node.chain.store import ChainStore
from rollup_node.chain.tracing import TransactionTracer, attach
from rollup_node.chain.vm import L1State, RollupState
from rollup_node.protocol.addresses import create_address
from rollup_node.protocol.errors import RejectReason, TransactionRejected
from rollup_node.protocol.transaction_validity import TX_BASE_GAS, intrinsic_gas_of

NewBlockCallback = Callable[[BlockRecord, tuple[ReceiptRecord, ...]], None]

#: Suggested tip, as op-geth's minimum suggested priority fee (0.001 gwei).
SUGGESTED_PRIORITY_FEE = 1_000_000
#: Most gas a call or estimate may use when the request names none (geth's RPC gas cap).
CALL_GAS_CAP = 50_000_000
PREV_HASHES = 256
#: Environments of recent blocks kept for calls at them (``Chain._block_env``).
BLOCK_ENV_CACHE = 64


class TransactionIntake(Protocol):
    """Where ``eth_sendRawTransaction`` goes: the sequencer's intake."""

    def submit(self, raw: bytes) -> bytes:
        """Validate and queue; return the hash or raise ``TransactionRejected``."""
        ...

    def queued(self, tx_hash: bytes) -> TxRecord | None:
        """A queued (not yet included) transaction."""
        ...

    def pending_nonce(self, address: bytes) -> int | None:
        """The next nonce of ``address`` counting queued transactions, if it has any queued."""
        ...


def next_base_fee(parent: BlockRecord) -> int:
    """The base fee of the block after ``parent``: py-evm's EIP-1559 update rule (SPEC §3.5),
    the one the builder checks, so the RPC's fee figures can never drift from it."""
    # The rule reads only base_fee_per_gas, gas_limit and gas_used, which records carry.
    return calculate_expected_base_fee_per_gas(parent)  # type: ignore[arg-type]


class Chain:
    """One chain (the L2, or the embedded L1) over its store."""

    def __init__(self, store: ChainStore, rules: ChainRules) -> None:
        if store.head_number() is None:
            raise UnknownBlock("the store has no genesis; call Chain.initialize first")
        self.store = store
        self.rules = rules
        self.chain_id = rules.chain_id
        self.intake: TransactionIntake | None = None
        # The environment of the block the producer seals next, where calls and estimates at
        # ``pending`` run (set by a dev chain's miner; without it ``pending`` is the head's).
        self.pending_env: Callable[[], BlockEnv] | None = None
        self._listeners: list[NewBlockCallback] = []
        self._listeners_lock = threading.Lock()
        head = self.head_number()
        recent = store.canonical_hashes(range(max(0, head - PREV_HASHES + 1), head + 1))
        self._recent_hashes: deque[bytes] = deque(reversed(recent), maxlen=PREV_HASHES)
        self._account_reads = AccountReads(store)
        self._block_envs: OrderedDict[bytes, BlockEnv] = OrderedDict()
        self._block_envs_lock = threading.Lock()

    @classmethod
    def initialize(
        cls, store: ChainStore, rules: ChainRules, make_genesis: Callable[[], SealedBlock]
    ) -> Chain:
        """Open the chain, writing genesis first if the store is empty."""
        if store.head_number() is None:
            genesis = make_genesis()
            store.commit_block(genesis.block, genesis.receipts, genesis.state_items)
        return cls(store, rules)

    # --- heads -----------------------------------------------------------------------
    def head_number(self) -> int:
        """The latest block."""
        head = self.store.head_number()
        if head is None:  # Chain.initialize writes genesis before a Chain exists
            raise StoreCorrupted("the store has no head block")
        return head

    def head(self) -> BlockRecord:
        """The latest block record."""
        block = self.store.block_by_number(self.head_number())
        if block is None:
            raise StoreCorrupted(f"the head block {self.head_number()} is missing")
        return block

    def safe_number(self) -> int:
        """The safe head (L2: derived from L1; plain chain: the head)."""
        safe = self.store.safe_head()
        return self.head_number() if safe is None else safe

    def finalized_number(self) -> int:
        """The finalized head (L2: derived from finalized L1; plain chain: the head)."""
        finalized = self.store.finalized_head()
        return self.head_number() if finalized is None else finalized

    # --- building and committing -----------------------------------------------------------
    def next_env(self, timestamp: int, coinbase: bytes, mix_hash: bytes) -> BlockEnv:
        """The environment of the block after the head."""
        parent = self.head()
        return BlockEnv(
            number=parent.number + 1,
            timestamp=timestamp,
            parent_hash=parent.hash,
            coinbase=coinbase,
            gas_limit=parent.gas_limit,
            base_fee=next_base_fee(parent),
            mix_hash=mix_hash,
            prev_hashes=tuple(self._recent_hashes),
        )

    def new_block(self, env: BlockEnv) -> BlockBuilder:
        """A builder for the block after the head (``env`` from ``next_env``)."""
        head = self.head()
        if env.number != head.number + 1 or env.parent_hash != head.hash:
            raise ValueError("the environment is not for the block after the current head")
        return BlockBuilder(self.rules, self.store.state_db(), head.state_root, env)

    def commit(self, sealed: SealedBlock, extras: dict[bytes, bytes | None] | None = None) -> None:
        """Write a sealed block as the new head, durably and atomically."""
        if sealed.block.parent_hash != self.head().hash:
            raise ValueError("sealed block does not extend the head")
        self.store.commit_block(sealed.block, sealed.receipts, sealed.state_items, extras)
        self._recent_hashes.appendleft(sealed.block.hash)

    def rewind_to(
        self, number: int, extras: dict[bytes, bytes | None] | None = None
    ) -> list[BlockRecord]:
        """Drop blocks above ``number`` (L1 reorg or dev revert); return the dropped blocks."""
        dropped = self.store.rewind_to(number, extras)
        with self._block_envs_lock:
            self._block_envs.clear()
        head = self.head_number()
        recent = self.store.canonical_hashes(range(max(0, head - PREV_HASHES + 1), head + 1))
        self._recent_hashes = deque(reversed(recent), maxlen=PREV_HASHES)
        return dropped

    def subscribe_blocks(self, callback: NewBlockCallback) -> Callable[[], None]:
        """Call ``callback(block, receipts)`` for each new head (on the event loop thread)."""
        with self._listeners_lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    def publish(self, block: BlockRecord, receipts: tuple[ReceiptRecord, ...]) -> None:
        """Announce a committed head to subscribers; call on the event loop thread."""
        with self._listeners_lock:
            listeners = list(self._listeners)
        for callback in listeners:
            callback(block, receipts)

    # --- blocks, transactions, receipts, logs -------------------------------------------
    def block_by_number(self, number: int) -> BlockRecord | None:
        """The canonical block ``number``."""
        return self.store.block_by_number(number)

    def block_by_hash(self, block_hash: bytes) -> BlockRecord | None:
        """A block by hash."""
        return self.store.block_by_hash(block_hash)

    def transaction(self, tx_hash: bytes) -> TxRecord | None:
        """An included or queued transaction."""
        location = self.store.transaction_location(tx_hash)
        if location is not None:
            block = self.store.block_by_number(location[0])
            if block is not None:
                return block.transactions[location[1]]
        return self.intake.queued(tx_hash) if self.intake else None

    def receipt(self, tx_hash: bytes) -> ReceiptRecord | None:
        """The receipt of an included transaction."""
        location = self.store.transaction_location(tx_hash)
        if location is None:
            return None
        block_hash = self.store.canonical_hash(location[0])
        if block_hash is None:
            return None
        receipts = self.store.receipts(block_hash)
        return receipts[location[1]] if location[1] < len(receipts) else None

    def block_receipts(self, block_hash: bytes) -> tuple[ReceiptRecord, ...]:
        """The receipts of a block."""
        return self.store.receipts(block_hash)

    def logs(
        self,
        from_block: int,
        to_block: int,
        addresses: Sequence[bytes],
        topics: Sequence[Sequence[bytes] | None],
    ) -> list[LogRecord]:
        """Matching logs of canonical blocks ``from_block..to_block``.

        The store's log index (``chain/log_index.py``) names the blocks that may match, so the
        cost follows the matches, not the range; ``log_matches`` decides each log.
        """
        wanted_addresses = set(addresses)
        wanted_topics = [None if t is None else set(t) for t in topics]
        out: list[LogRecord] = []
        candidates = self.store.log_block_numbers(
            from_block, to_block, wanted_addresses, wanted_topics
        )
        for number in candidates:
            block_logs = self.store.block_logs(number)
            if block_logs is None:
                break
            out.extend(
                log for log in block_logs if log_matches(log, wanted_addresses, wanted_topics)
            )
        return out

    # --- state ------------------------------------------------------------------------
    def _state_root(self, block_number: int) -> bytes:
        block = self.store.block_by_number(block_number)
        if block is None:
            raise UnknownBlock(f"block {block_number} not found")
        return block.state_root

    def _read_at(self, block_number: int) -> tuple[bytes, bool]:
        """The state root of ``block_number`` and whether it is the head's (the hot cache's)."""
        return self._state_root(block_number), block_number == self.store.head_number()

    def balance(self, address: bytes, block_number: int) -> int:
        """Balance after ``block_number`` (read from the trie: ``chain/account_reads.py``)."""
        root, at_head = self._read_at(block_number)
        return self._account_reads.account(root, address, at_head).balance

    def nonce(self, address: bytes, block_number: int) -> int:
        """Nonce after ``block_number``."""
        root, at_head = self._read_at(block_number)
        return self._account_reads.account(root, address, at_head).nonce

    def pending_nonce(self, address: bytes) -> int:
        """The next nonce, counting queued transactions."""
        queued = self.intake.pending_nonce(address) if self.intake else None
        return queued if queued is not None else self.nonce(address, self.head_number())

    def code(self, address: bytes, block_number: int) -> bytes:
        """Code after ``block_number``."""
        root, at_head = self._read_at(block_number)
        return self._account_reads.code(root, address, at_head)

    def storage_at(self, address: bytes, slot: int, block_number: int) -> bytes:
        """A storage word after ``block_number``."""
        root, at_head = self._read_at(block_number)
        return self._account_reads.storage(root, address, slot, at_head).to_bytes(32, "big")

    def get_proof(self, address: bytes, slots: Sequence[int], block_number: int) -> AccountProof:
        """Merkle proofs of an account and some of its slots (``eth_getProof``)."""
        db = self.store.state_db()
        state_root = self._state_root(block_number)
        accounts = AccountDB(db, state_root)
        account_trie = HexaryTrie(db, state_root)
        account_proof = tuple(rlp.encode(node) for node in account_trie.get_proof(keccak(address)))
        storage_root = (
            accounts._get_storage_root(address)
            if accounts.account_exists(address)
            else BLANK_ROOT_HASH
        )
        storage_trie = HexaryTrie(db, storage_root)
        proofs = []
        for slot in slots:
            key = keccak(slot.to_bytes(32, "big"))
            nodes = storage_trie.get_proof(key) if storage_root != BLANK_ROOT_HASH else ()
            proofs.append(
                StorageProof(
                    slot, accounts.get_storage(address, slot), tuple(rlp.encode(n) for n in nodes)
                )
            )
        return AccountProof(
            address=address,
            balance=accounts.get_balance(address),
            nonce=accounts.get_nonce(address),
            code_hash=accounts.get_code_hash(address)
            if accounts.account_exists(address)
            else EMPTY_SHA3,
            storage_hash=storage_root,
            account_proof=account_proof,
            storage_proofs=tuple(proofs),
        )

    # --- calls ------------------------------------------------------------------------
    def call(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> bytes:
        """Run ``request`` on the state after ``block_number`` and return its output.

        With ``pending`` (``block_number`` is then the head) it runs in the environment of
        the next block (number, timestamp, base fee) when the producer tells it, as anvil does.
        """
        return self._call(request, block_number, overrides, self._pending_env(pending))

    def _call(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        env: BlockEnv | None,
    ) -> bytes:
        gas = request.gas if request.gas is not None else self._gas_cap(block_number)
        ok, output, _, error = self._execute(request, block_number, overrides, gas, env)
        if not ok:
            raise ExecutionReverted(error, output)
        return output

    def estimate_gas(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> int:
        """The smallest gas limit with which ``request`` succeeds (binary search, as geth);
        ``pending`` as for ``call``."""
        return self._estimate_gas(request, block_number, overrides, self._pending_env(pending))

    def _estimate_gas(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        env: BlockEnv | None,
    ) -> int:
        high = request.gas if request.gas is not None else self._gas_cap(block_number)
        ok, output, used, error = self._execute(request, block_number, overrides, high, env)
        if not ok:
            raise ExecutionReverted(error, output)
        low = used - 1
        # Most calls need exactly what they used (no CALL keeping 1/64 back, no gas-dependent
        # path): one run settles them, with the answer the search would find.
        if used < high and self._execute(request, block_number, overrides, used, env)[0]:
            return used
        # Else try the optimistic guess: most calls need just a little over what they used
        # (the 63/64 rule of CALL), which saves most of the search.
        guess = min(high, used * 64 // 63 + 2_300)
        if self._execute(request, block_number, overrides, guess, env)[0]:
            high = guess
        while low + 1 < high:
            mid = (low + high) // 2
            if self._execute(request, block_number, overrides, mid, env)[0]:
                high = mid
            else:
                low = mid
        return high

    def create_access_list(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> AccessListResult:
        """``eth_createAccessList``: the accounts and slots ``request`` touches, by geth's rule
        (``chain/access_list.py``); ``pending`` as for ``call``."""
        return self._create_access_list(
            request, block_number, overrides, self._pending_env(pending)
        )

    def _create_access_list(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        env: BlockEnv | None,
    ) -> AccessListResult:
        gas = request.gas if request.gas is not None else self._gas_cap(block_number)
        sender = request.sender or b"\x00" * 20
        recipient = request.to
        if recipient is None:
            override = (overrides or {}).get(sender)
            nonce = override.nonce if override is not None else None
            nonce = self.nonce(sender, block_number) if nonce is None else nonce
            recipient = create_address(sender, nonce)
        state_class = RollupState if self.rules.is_rollup else L1State
        precompiles = state_class.computation_class.get_precompiles()

        def execute(
            attempt: CallRequest, observer: ExecutionObserver
        ) -> tuple[bool, bytes, int, str]:
            return self._execute(attempt, block_number, overrides, gas, env, observer)

        return create_access_list(execute, request, (sender, recipient, *precompiles))

    # --- traces -----------------------------------------------------------------------
    def trace_transaction(self, tx_hash: bytes, tracer: TransactionTracer) -> dict[str, Any]:
        """Trace an included transaction: its block runs again on the parent state up to it
        (``chain/block_replay.py``), the transaction itself under ``tracer``."""
        location = self.store.transaction_location(tx_hash)
        block = self.store.block_by_number(location[0]) if location is not None else None
        if location is None or block is None or location[1] >= len(block.transactions):
            raise UnknownTransaction(f"transaction 0x{tx_hash.hex()} not found")
        index = location[1]
        return self._replay(block, range(index, index + 1), lambda _: tracer)[0]

    def trace_block(
        self, block: BlockRecord, make_tracer: Callable[[int], TransactionTracer]
    ) -> list[dict[str, Any]]:
        """Trace every transaction of ``block``, each under ``make_tracer(index)``."""
        return self._replay(block, range(len(block.transactions)), make_tracer)

    def _replay(
        self,
        block: BlockRecord,
        traced: range,
        make_tracer: Callable[[int], TransactionTracer],
    ) -> list[dict[str, Any]]:
        parent = self.store.block_by_hash(block.parent_hash)
        if parent is None:
            raise UnknownBlock(f"the parent of block {block.number} is not stored")
        return replay_block(
            self.rules,
            self.store.state_db(),
            parent.state_root,
            self._block_env(block),
            block.transactions,
            traced,
            make_tracer,
        )

    def trace_call(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        tracer: TransactionTracer,
        pending: bool = False,
    ) -> dict[str, Any]:
        """Trace ``request`` run as ``call`` runs it (``debug_traceCall``). Failures before
        execution (intrinsic gas, funds) raise ``ExecutionReverted`` as for ``call``."""
        env = self._pending_env(pending)
        gas = request.gas if request.gas is not None else self._gas_cap(block_number)
        observer = _Tracing(tracer)
        ok, output, used, error = self._execute(
            request, block_number, overrides, gas, env, observer
        )
        if not observer.ran:
            raise ExecutionReverted(error, output)
        refund = min(observer.refund, used // MAX_REFUND_QUOTIENT)
        return tracer.result(used - refund)

    def _pending_env(self, pending: bool) -> BlockEnv | None:
        return self.pending_env() if pending and self.pending_env is not None else None

    # --- calls in worker processes (chain/call_jobs.py) -------------------------------------
    def reader_spec(self) -> ReaderSpec:
        """How a worker process opens this chain (read-only, beside this one)."""
        return ReaderSpec(str(self.store.path), self.rules)

    def call_job(
        self,
        method: CallMethod,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> CallJob:
        """``method(request, block_number, overrides, pending)`` as a job for a worker
        process: the ``pending`` environment is resolved here, where the miner is."""
        return CallJob(method, request, block_number, overrides, self._pending_env(pending))

    def run_job(self, job: CallJob) -> bytes | int | AccessListResult:
        """Run a job made by ``call_job`` (in a worker, over a read-only store): the answer
        ``call``, ``estimate_gas`` or ``create_access_list`` gives, or the error it raises."""
        run = {
            "call": self._call,
            "estimate_gas": self._estimate_gas,
            "create_access_list": self._create_access_list,
        }[job.method]
        return run(job.request, job.block_number, job.overrides, job.env)

    def _block_env(self, block: BlockRecord) -> BlockEnv:
        """The environment of a canonical block, for calls at it.

        Cached per block hash (calls at ``latest`` come in bursts): a block's BLOCKHASH window
        follows from its hash. Only a complete window is kept — one read while a rewind deleted
        canonical keys is not — and a rewind empties the cache.
        """
        env = self._block_envs.get(block.hash)
        if env is not None:
            return env
        env = BlockEnv(
            number=block.number,
            timestamp=block.timestamp,
            parent_hash=block.parent_hash,
            coinbase=block.coinbase,
            gas_limit=block.gas_limit,
            base_fee=block.base_fee_per_gas,
            mix_hash=block.mix_hash,
            prev_hashes=tuple(
                self.store.canonical_hashes(
                    range(block.number - 1, max(-1, block.number - PREV_HASHES - 1), -1)
                )
            ),
        )
        if len(env.prev_hashes) == min(block.number, PREV_HASHES):
            with self._block_envs_lock:
                self._block_envs[block.hash] = env
                while len(self._block_envs) > BLOCK_ENV_CACHE:
                    self._block_envs.popitem(last=False)
        return env

    def _gas_cap(self, block_number: int) -> int:
        block = self.store.block_by_number(block_number)
        if block is None:
            raise UnknownBlock(f"block {block_number} not found")
        return min(CALL_GAS_CAP, max(block.gas_limit, TX_BASE_GAS))

    def _execute(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        gas: int,
        env: BlockEnv | None = None,
        observer: ExecutionObserver | None = None,
    ) -> tuple[bool, bytes, int, str]:
        """Execute on throw-away state: (success, output, gas used, error message).

        The state is ``block_number``'s; the environment is ``env`` if given, else the block's.
        ``observer`` sees the prepared state before the message runs and the computation after.
        """
        block = self.store.block_by_number(block_number)
        if block is None:
            raise UnknownBlock(f"block {block_number} not found")
        state_class = RollupState if self.rules.is_rollup else L1State
        if observer is None and not overrides:
            # A call to an account without code needs no interpreter (chain/call_shortcuts.py).
            at_head = block.number == self.store.head_number()
            precompiles = state_class.computation_class.get_precompiles()
            quick = call_without_code(
                self._account_reads, block.state_root, request, gas, precompiles, at_head
            )
            if quick is not None:
                return quick
        if env is None:
            env = self._block_env(block)
        context = env.execution_context(self.chain_id, gas_limit=max(env.gas_limit, gas))
        state = state_class(self.store.state_db(), context, block.state_root)
        if overrides:
            _apply_overrides(state, overrides)
            # As geth (StateOverride.Apply ends in Finalise) and anvil: the overridden values
            # are the state the call starts from, so SSTORE prices and refunds take them as
            # the slots' original values, not as writes of this call.
            state.lock_changes()
        sender = request.sender or b"\x00" * 20
        data = request.data or b""
        value = request.value or 0
        intrinsic = intrinsic_gas_of(data, request.to is None, request.access_list or ())
        if gas < intrinsic:
            return False, b"", gas, f"intrinsic gas too low: have {gas}, want {intrinsic}"
        gas_price = request.gas_price or request.max_fee_per_gas or 0
        if gas_price and state.get_balance(sender) < gas * gas_price + value:
            return False, b"", gas, "insufficient funds for gas * price + value"
        if value and state.get_balance(sender) < value:
            return False, b"", gas, "insufficient funds for transfer"
        state.mark_address_warm(sender)
        for address, slots in request.access_list or ():
            state.mark_address_warm(address)
            for slot in slots:
                state.mark_storage_warm(address, slot)
        state.mark_address_warm(env.coinbase)
        if request.to is None:
            created = create_address(sender, state.get_nonce(sender))
            state.increment_nonce(sender)
            message = Message(
                gas=gas - intrinsic,
                to=CREATE_CONTRACT_ADDRESS,
                sender=sender,
                value=value,
                data=b"",
                code=data,
                create_address=created,
            )
        else:
            state.mark_address_warm(request.to)
            state.increment_nonce(sender)
            message = Message(
                gas=gas - intrinsic,
                to=request.to,
                sender=sender,
                value=value,
                data=data,
                code=state.get_code(request.to),
            )
        tx_context = state.get_transaction_context_class()(gas_price=gas_price, origin=sender)
        if observer is not None:
            observer.before(state)
        if message.is_create:
            computation = state.computation_class.apply_create_message(state, message, tx_context)
        else:
            computation = state.computation_class.apply_message(state, message, tx_context)
        if observer is not None:
            observer.after(computation)
        used = gas - computation.get_gas_remaining()
        if computation.is_error:
            if isinstance(computation.error, Revert):
                return False, computation.output, used, "execution reverted"
            return False, b"", used, vm_error_message(computation.error)
        return True, computation.output, used, ""

    def send_raw_transaction(self, raw: bytes) -> bytes:
        """Hand a signed transaction to the sequencer's intake."""
        if self.intake is None:
            raise TransactionRejected(RejectReason.NOT_SEQUENCER)
        return self.intake.submit(raw)

    def suggested_priority_fee(self) -> int:
        """The tip the node suggests."""
        return SUGGESTED_PRIORITY_FEE


class _Tracing:
    """Attaches a tracer to the state of one ``Chain._execute`` run (an ``ExecutionObserver``)."""

    def __init__(self, tracer: TransactionTracer) -> None:
        self._tracer = tracer
        self.ran = False
        self.refund = 0

    def before(self, state: RollupState | L1State) -> None:
        attach(state, self._tracer)
        self.ran = True

    def after(self, computation: ComputationAPI) -> None:
        self.refund = computation.get_gas_refund()


def _apply_overrides(
    state: RollupState | L1State, overrides: Mapping[bytes, AccountOverride]
) -> None:
    for address, override in overrides.items():
        if override.balance is not None:
            state.set_balance(address, override.balance)
        if override.nonce is not None:
            state.set_nonce(address, override.nonce)
        if override.code is not None:
            state.set_code(address, override.code)
        if override.state is not None:
            state.delete_storage(address)
            for slot, value in override.state.items():
                state.set_storage(address, slot, value)
        for slot, value in (override.state_diff or {}).items():
            state.set_storage(address, slot, value)
