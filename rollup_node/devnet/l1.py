"""The embedded L1: a plain Cancun dev chain on py-evm, served by the node's own RPC code.

It is the devnet's L1 and the chain contract tests run against. Like anvil it accepts signed
transactions, mines a block every ``block_time`` seconds (or one per transaction when the block
time is 0), signs ``eth_sendTransaction`` for the devnet accounts, and offers the dev methods
tests need: ``evm_mine``, ``evm_increaseTime``, ``evm_setNextBlockTimestamp``,
``evm_snapshot``/``evm_revert`` (which rewind the chain to the snapshot's block).
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Executor
from pathlib import Path

import structlog
from eth_account import Account
from eth_hash.auto import keccak

from rollup_node.chain.chain import Chain
from rollup_node.chain.genesis import build_genesis, devnet_accounts, l1_genesis_alloc, l1_rules
from rollup_node.chain.records import BlockRecord
from rollup_node.chain.store import ChainStore
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
        self.block_time = block_time
        self.metrics = metrics
        self._time_offset = 0
        self._next_timestamp: int | None = None
        self._snapshots: dict[int, tuple[int, int]] = {}
        self._mine_lock = threading.Lock()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._keys = {address: key for address, key in devnet_accounts()}

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    # --- intake with automine -------------------------------------------------------------
    def submit(self, raw: bytes) -> bytes:
        """Queue a transaction; with block time 0, wake the miner at once."""
        tx_hash = self.intake.submit(raw)
        if self.block_time == 0 and self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)
        return tx_hash

    def queued(self, tx_hash: bytes):  # noqa: ANN201 - the intake's record type
        return self.intake.queued(tx_hash)

    def pending_nonce(self, address: bytes) -> int | None:
        return self.intake.pending_nonce(address)

    def accounts(self) -> list[bytes]:
        """The devnet accounts, unlocked for ``eth_sendTransaction``."""
        return list(self._keys)

    def sign(self, sender: bytes, tx: dict) -> bytes:
        """Sign ``tx`` (eth-account fields) for an unlocked devnet account."""
        key = self._keys.get(sender)
        if key is None:
            raise KeyError(f"account 0x{sender.hex()} is not unlocked")
        return bytes(Account.sign_transaction(tx, key).raw_transaction)

    # --- mining ---------------------------------------------------------------------------
    def _next_base_fee(self) -> int:
        return self.chain.next_env(0, L1_COINBASE, b"").base_fee

    def _next_block_timestamp(self) -> int:
        parent = self.chain.head()
        if self._next_timestamp is not None:
            return max(self._next_timestamp, parent.timestamp + 1)
        return max(int(time.time()) + self._time_offset, parent.timestamp + 1)

    def mine(self, timestamp: int | None = None) -> int:
        """Seal one block with the queued transactions; return its number."""
        with self._mine_lock:
            ts = timestamp if timestamp is not None else self._next_block_timestamp()
            self._next_timestamp = None
            parent = self.chain.head()
            env = self.chain.next_env(ts, L1_COINBASE, keccak(parent.hash))
            builder = self.chain.new_block(env)
            fill = self.intake.fill(builder)
            sealed = builder.seal()
            self.chain.commit(sealed, fill.journal)
            self.intake.settle(fill)
        self.metrics.blocks.inc()
        self.metrics.transactions.inc(len(sealed.block.transactions))
        self.metrics.head.set(sealed.block.number)
        self._announce(sealed.block, sealed.receipts)
        return sealed.block.number

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
                while len(self.intake):
                    await self._loop.run_in_executor(self._executor, self.mine)
            else:
                await asyncio.sleep(self.block_time)
                await self._loop.run_in_executor(self._executor, self.mine)

    # --- dev controls (DevBackend) ------------------------------------------------------
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
