"""The embedded L1: a plain Cancun dev chain on py-evm, served by the node's own RPC code.

It is the devnet's L1 and the chain contract tests run against. Like anvil it accepts signed
transactions, mines a block every ``block_time`` seconds (or one per transaction when the block
time is 0: automine, which ``evm_setAutomine`` can switch off), signs ``eth_sendTransaction``
for the devnet accounts, and offers the dev methods tests need: ``evm_mine``,
``evm_increaseTime``, ``evm_setNextBlockTimestamp``, ``evm_snapshot``/``evm_revert`` (which
rewind the chain to the snapshot's block), and anvil's state writes ``anvil_setCode``,
``anvil_setStorageAt``, ``anvil_setBalance`` and ``anvil_setNonce``.

A state write is sealed into a block of its own, without transactions, so that it is visible at
``latest`` at once and every block still commits to the state its header names (snapshots and
reverts treat it as any block). That block does not take a timestamp fixed by
``evm_setNextBlockTimestamp``: it is one second after the head, and the fixed timestamp stays
for the next block that carries transactions (unless the two collide, when it moves one later).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

import structlog
from eth.abc import StateAPI
from eth_hash.auto import keccak

from rollup_node.chain.assembly import build_block
from rollup_node.chain.builder import BlockEnv
from rollup_node.chain.chain import Chain
from rollup_node.chain.genesis import build_genesis, l1_genesis_alloc, l1_rules
from rollup_node.chain.records import BlockRecord
from rollup_node.chain.store import ChainStore
from rollup_node.devnet.accounts import DevAccounts
from rollup_node.metrics import NodeMetrics
from rollup_node.sequencer.intake import Intake

log = structlog.get_logger("l1")

L1_GAS_LIMIT = 30_000_000
L1_COINBASE = b"\x00" * 20


class EmbeddedL1:
    """The embedded L1 chain with its miner and dev controls (implements the RPC DevBackend)."""

    def __init__(
        self,
        data_dir: Path,
        chain_id: int,
        block_time: float,
        metrics: NodeMetrics,
        executor: Executor | None = None,
        genesis_timestamp: int | None = None,
    ) -> None:
        self._executor = executor
        self.store = ChainStore(data_dir)
        rules = l1_rules(chain_id)
        timestamp = int(time.time()) if genesis_timestamp is None else genesis_timestamp
        self.chain = Chain.initialize(
            self.store,
            rules,
            lambda: build_genesis(
                rules,
                self.store.state_db(),
                l1_genesis_alloc(),
                timestamp=timestamp,
                gas_limit=L1_GAS_LIMIT,
                coinbase=L1_COINBASE,
                mix_hash=keccak(b"genesis"),
            ),
        )
        self.intake = Intake(self.chain, self._next_base_fee)
        self.chain.intake = self  # route eth_sendRawTransaction through automine
        self.chain.pending_env = self._pending_env  # calls and estimates at ``pending``
        self.block_time = block_time
        self.automine = block_time == 0
        self.metrics = metrics
        self._time_offset = 0
        self._next_timestamp: int | None = None
        self._snapshots: dict[int, tuple[int, int]] = {}
        self._mine_lock = threading.Lock()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wallet = DevAccounts()

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    # --- intake with automine -------------------------------------------------------------
    def submit(self, raw: bytes) -> bytes:
        """Queue a transaction; when automining, wake the miner at once."""
        tx_hash = self.intake.submit(raw)
        if self.automine:
            self._wake_miner()
        return tx_hash

    def _wake_miner(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def queued(self, tx_hash: bytes):  # noqa: ANN201 - the intake's record type
        return self.intake.queued(tx_hash)

    def pending_nonce(self, address: bytes) -> int | None:
        return self.intake.pending_nonce(address)

    # The devnet accounts, unlocked (the RPC Signer): see devnet/accounts.py.
    def accounts(self) -> list[bytes]:
        """The devnet accounts (``eth_accounts``)."""
        return self._wallet.accounts()

    def sign(self, sender: bytes, tx: dict) -> bytes:
        """Sign ``tx`` (eth-account fields) for an unlocked devnet account."""
        return self._wallet.sign(sender, tx)

    def sign_message(self, sender: bytes, message: bytes) -> bytes:
        """EIP-191 personal-message signature."""
        return self._wallet.sign_message(sender, message)

    def sign_typed_data(self, sender: bytes, typed_data: dict) -> bytes:
        """EIP-712 typed-data signature."""
        return self._wallet.sign_typed_data(sender, typed_data)

    # --- mining ---------------------------------------------------------------------------
    def _next_base_fee(self) -> int:
        return self.chain.next_env(0, L1_COINBASE, b"").base_fee

    def _next_block_timestamp(self) -> int:
        parent = self.chain.head()
        if self._next_timestamp is not None:
            return max(self._next_timestamp, parent.timestamp + 1)
        return max(int(time.time()) + self._time_offset, parent.timestamp + 1)

    def _pending_env(self) -> BlockEnv:
        """The environment of the block the miner seals next."""
        parent = self.chain.head()
        return self.chain.next_env(self._next_block_timestamp(), L1_COINBASE, keccak(parent.hash))

    def mine(self, timestamp: int | None = None) -> int:
        """Seal one block with the queued transactions; return its number."""
        with self._mine_lock:
            return self._mine_locked(timestamp)

    def mine_queued(self) -> None:
        """When automining, mine the queued transactions now (nothing otherwise).

        ``eth_sendTransaction`` calls it so that, as on Hardhat, its answer comes when the
        transaction is in a block; the miner task would mine them a moment later anyway.
        """
        with self._mine_lock:
            while self.automine and len(self.intake):
                self._mine_locked(None)

    def _mine_locked(self, timestamp: int | None) -> int:
        if timestamp is not None and timestamp <= self.chain.head().timestamp:
            raise ValueError("timestamp must be after the head block's")
        ts = timestamp if timestamp is not None else self._next_block_timestamp()
        self._next_timestamp = None
        parent = self.chain.head()
        # The same assembly as L2's blocks; the embedded L1 has no deposits.
        sealed, fill = build_block(
            self.chain,
            parent.number + 1,
            ts,
            L1_COINBASE,
            keccak(parent.hash),
            deposits=(),
            fill=self.intake.fill,
        )
        self.chain.commit(sealed, fill.journal)
        self.intake.settle(fill)
        self._sealed(sealed.block, sealed.receipts)
        return sealed.block.number

    def _sealed(self, block: BlockRecord, receipts: tuple) -> None:
        self.metrics.blocks.inc()
        self.metrics.transactions.inc(len(block.transactions))
        self.metrics.head.set(block.number)
        self._announce(block, receipts)

    def _announce(self, block: BlockRecord, receipts: tuple) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.chain.publish(block, receipts)
        else:
            loop.call_soon_threadsafe(self.chain.publish, block, receipts)

    async def run(self) -> None:
        """Mine on the block time (or on every transaction) until cancelled."""
        self._loop = asyncio.get_running_loop()
        log.info("embedded L1 started", chain_id=self.chain.chain_id, head=self.chain.head_number())
        while True:
            if self.block_time == 0:
                await self._wake.wait()
                self._wake.clear()
                await self._loop.run_in_executor(self._executor, self.mine_queued)
            else:
                await asyncio.sleep(self.block_time)
                await self._loop.run_in_executor(self._executor, self.mine)

    # --- dev controls (DevBackend) ------------------------------------------------------
    def set_automine(self, enabled: bool) -> None:
        """Mine one block per transaction (on), or only on ``evm_mine`` (off).

        Only a chain started with block time 0 automines; one with a block time refuses.
        """
        if self.block_time != 0:
            raise ValueError(f"the chain mines every {self.block_time} s; automine needs 0")
        self.automine = enabled
        if enabled:
            self._wake_miner()  # what was queued meanwhile is mined now

    def increase_time(self, seconds: int) -> int:
        """Move the clock forward; return the total offset."""
        self._time_offset += seconds
        return self._time_offset

    def set_next_block_timestamp(self, timestamp: int) -> None:
        """Fix the next block's timestamp."""
        if timestamp <= self.chain.head().timestamp:
            raise ValueError("timestamp must be after the head block's")
        self._next_timestamp = timestamp

    def snapshot(self) -> int:
        """Remember the head; return a snapshot id."""
        snapshot_id = len(self._snapshots) + 1
        self._snapshots[snapshot_id] = (self.chain.head_number(), self._time_offset)
        return snapshot_id

    def revert(self, snapshot_id: int) -> bool:
        """Rewind the chain to the snapshot's head (later snapshots are forgotten)."""
        snap = self._snapshots.get(snapshot_id)
        if snap is None:
            return False
        number, offset = snap
        with self._mine_lock:
            self.chain.rewind_to(number)
            self._time_offset = offset
        for later in [i for i in self._snapshots if i >= snapshot_id]:
            del self._snapshots[later]
        log.info("L1 reverted", head=number)
        return True

    # --- state writes (anvil_setCode and friends) --------------------------------------
    def set_code(self, address: bytes, code: bytes) -> None:
        """Replace the code of ``address`` (no constructor runs)."""
        self._write_state(lambda state: state.set_code(address, code))

    def set_storage_at(self, address: bytes, slot: int, value: bytes) -> None:
        """Write one 32-byte storage slot of ``address``."""
        if len(value) != 32:
            raise ValueError(f"a storage value is 32 bytes, not {len(value)}")
        word = int.from_bytes(value, "big")
        self._write_state(lambda state: state.set_storage(address, slot, word))

    def set_balance(self, address: bytes, balance_wei: int) -> None:
        """Set the balance of ``address``."""
        if not 0 <= balance_wei < 2**256:
            raise ValueError("a balance is a 256-bit unsigned number")
        self._write_state(lambda state: state.set_balance(address, balance_wei))

    def set_nonce(self, address: bytes, nonce: int) -> None:
        """Set the nonce of ``address`` (queued transactions are checked again when mined)."""
        if not 0 <= nonce < 2**64:
            raise ValueError("a nonce is a 64-bit unsigned number")
        self._write_state(lambda state: state.set_nonce(address, nonce))

    def _write_state(self, write: Callable[[StateAPI], None]) -> None:
        """Seal ``write`` into a block of its own (see the module docstring)."""
        with self._mine_lock:
            parent = self.chain.head()
            if self._next_timestamp is None:
                timestamp = self._next_block_timestamp()
            else:
                timestamp = parent.timestamp + 1
                if self._next_timestamp <= timestamp:
                    self._next_timestamp = timestamp + 1
            env = self.chain.next_env(timestamp, L1_COINBASE, keccak(parent.hash))
            builder = self.chain.new_block(env)
            write(builder.state)
            sealed = builder.seal()
            self.chain.commit(sealed)
            self._sealed(sealed.block, sealed.receipts)
