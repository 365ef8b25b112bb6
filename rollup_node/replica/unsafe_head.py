"""A replica following the sequencer's unsafe head over its WebSocket (as op-node's unsafe
payloads do), so its ``latest`` is seconds behind the sequencer instead of a batch behind.

The sequencer announces each block on ``eth_subscribe("newHeads")``; the replica fetches it with
``debug_getRawBlock`` over HTTP on the same endpoint and **executes it itself** — the block's
transactions on the replica's own head, in the block's own environment (timestamp, fee recipient,
mix hash) — and keeps it only if it re-executes to the announced hash. Nothing the sequencer says
is trusted beyond what execution confirms. Derivation stays the authority: when L1 derives a
block, derivation confirms the followed one (same inputs: no second execution) or replaces it.
A sequencer that goes away or answers garbage only leaves the replica on L1 alone until it is
back; a block that does not re-execute to its hash stops the following for good (error log).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import aiohttp
import rlp
import structlog
from eth.vm.forks.cancun.blocks import CancunBlockHeader

from rollup_node.chain.assembly import build_block
from rollup_node.chain.builder import BlockBuilder, SealedBlock
from rollup_node.chain.chain import Chain
from rollup_node.derivation.engine import Engine
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE, decode_deposit
from rollup_node.protocol.errors import TransactionRejected

log = structlog.get_logger("unsafe-head")

#: Most blocks fetched per catch-up round (the rest follow on the next round).
MAX_BLOCKS_PER_ROUND = 64


class SequencerBlockInvalid(ValueError):
    """A block from the sequencer that is malformed or does not re-execute to its hash."""


@dataclass(frozen=True, slots=True)
class SequencerBlock:
    """A block as the sequencer encoded it: its header and its transactions' encodings."""

    header: CancunBlockHeader
    transactions: tuple[bytes, ...]

    @property
    def number(self) -> int:
        """The block number."""
        return self.header.block_number


def decode_raw_block(raw: bytes) -> SequencerBlock:
    """``rlp([header, transactions, ommers, withdrawals])`` (``debug_getRawBlock``)."""
    try:
        items = rlp.decode(raw)
        if not isinstance(items, list) or len(items) != 4:
            raise SequencerBlockInvalid("a block is a list of four items")
        header = rlp.decode(rlp.encode(items[0]), CancunBlockHeader)
        txs = tuple(tx if isinstance(tx, bytes) else rlp.encode(tx) for tx in items[1])
    except (rlp.exceptions.DecodingError, rlp.exceptions.DeserializationError) as exc:
        raise SequencerBlockInvalid(f"undecodable block: {exc}") from exc
    if items[2] or items[3]:
        raise SequencerBlockInvalid("an L2 block has no ommers and no withdrawals")
    return SequencerBlock(header, txs)


def execute(chain: Chain, block: SequencerBlock) -> SealedBlock:
    """Execute ``block``'s transactions on the chain's head in its environment; the sealed
    block, which must have the sequencer's hash."""
    header = block.header
    if chain.head().hash != header.parent_hash:
        raise SequencerBlockInvalid(f"block {header.block_number} is not on this head")
    # Deposits lead the block (SPEC §3.3); a deposit encoding after a user transaction is not
    # a user transaction, so the block is refused at it.
    leading = 0
    while leading < len(block.transactions) and _is_deposit(block.transactions[leading]):
        leading += 1

    def apply_user_transactions(builder: BlockBuilder) -> None:
        for raw in block.transactions[leading:]:
            builder.apply_transaction(raw)

    try:
        deposits = [decode_deposit(raw) for raw in block.transactions[:leading]]
        sealed, _ = build_block(
            chain,
            header.block_number,
            header.timestamp,
            header.coinbase,
            header.mix_hash,
            deposits,
            apply_user_transactions,
        )
    except (TransactionRejected, ValueError) as exc:  # NotOnHead is a ValueError too
        raise SequencerBlockInvalid(f"block {header.block_number}: {exc}") from exc
    if sealed.block.hash != header.hash:
        raise SequencerBlockInvalid(
            f"block {header.block_number} re-executes to 0x{sealed.block.hash.hex()}, "
            f"the sequencer announced 0x{header.hash.hex()}"
        )
    return sealed


def _is_deposit(raw: bytes) -> bool:
    return bool(raw) and raw[0] == DEPOSIT_TX_TYPE


def http_url(ws_url: str) -> str:
    """The HTTP URL of the same endpoint (the node serves both on one port)."""
    for ws, http in (("ws://", "http://"), ("wss://", "https://")):
        if ws_url.startswith(ws):
            return http + ws_url[len(ws) :]
    raise ValueError(f"not a WebSocket URL: {ws_url}")


class UnsafeHeadFollower:
    """Follows the sequencer's blocks ahead of derivation (see the module docstring)."""

    def __init__(
        self, chain: Chain, engine: Engine, ws_url: str, retry_seconds: float = 2.0
    ) -> None:
        self.chain = chain
        self.engine = engine
        self.ws_url = ws_url
        self.http_url = http_url(ws_url)
        self.retry_seconds = retry_seconds
        self.followed = 0  # sequencer blocks executed and kept
        self.halted: str | None = None
        self._session: aiohttp.ClientSession | None = None

    async def run(self) -> None:
        """Subscribe, catch up on each announcement, reconnect on failures; until cancelled."""
        log.info("following the sequencer's unsafe head", ws=self.ws_url)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            self._session = session
            while self.halted is None:
                try:
                    await self._follow(session)
                except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
                    log.warning(
                        "sequencer unreachable; following L1 alone until it is back",
                        error=str(exc),
                    )
                await asyncio.sleep(self.retry_seconds)

    async def _follow(self, session: aiohttp.ClientSession) -> None:
        async with session.ws_connect(self.ws_url, heartbeat=30) as ws:
            await ws.send_json(
                {"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]}
            )
            await self.catch_up()
            async for message in ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    break
                if json.loads(message.data).get("method") == "eth_subscription":
                    await self.catch_up()
                if self.halted:
                    return

    async def _rpc(self, method: str, params: list) -> object:
        if self._session is None:  # only run() opens it
            raise RuntimeError("the follower's HTTP session is not open (call run())")
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        async with self._session.post(self.http_url, json=body) as response:
            answer = await response.json(content_type=None)
        if "error" in answer:
            raise ValueError(f"{method}: {answer['error']}")
        return answer["result"]

    async def catch_up(self) -> int:
        """Execute the sequencer's blocks after this node's head; return how many were kept."""
        remote_head = int(str(await self._rpc("eth_blockNumber", [])), 16)
        kept = 0
        while self.halted is None and kept < MAX_BLOCKS_PER_ROUND:
            number = self.chain.head_number() + 1
            if number > remote_head:
                break
            raw = str(await self._rpc("debug_getRawBlock", [hex(number)]))
            block = decode_raw_block(bytes.fromhex(raw.removeprefix("0x")))
            if block.header.parent_hash != self.chain.head().hash:
                await self._diverged(number)
                break
            if not await self._apply(block):
                break
            kept += 1
        return kept

    async def _diverged(self, number: int) -> None:
        """The sequencer's block ``number`` is not on this head: drop the unsafe blocks (the
        sequencer's chain changed, e.g. after an L1 reorg); safe ones are L1's to change."""
        safe = self.chain.safe_number()
        if self.chain.head_number() > safe:
            log.info("the sequencer's chain changed; dropping unsafe blocks", above=safe)
            await self.engine.rewind(safe, {})
        else:
            log.debug("the sequencer's block does not extend the safe head", number=number)

    async def _apply(self, block: SequencerBlock) -> bool:
        """Execute and commit ``block`` under the chain lock; whether it was kept."""
        loop = asyncio.get_running_loop()
        async with self.engine.lock:
            head = self.chain.head()
            if head.number + 1 != block.number or head.hash != block.header.parent_hash:
                return False  # derivation moved the head meanwhile; look again
            try:
                sealed = await loop.run_in_executor(
                    self.engine.executor, execute, self.chain, block
                )
            except SequencerBlockInvalid as exc:
                self.halted = str(exc)
                log.error(
                    "the sequencer's block is invalid; no longer following it", error=str(exc)
                )
                return False
            await loop.run_in_executor(self.engine.executor, self.chain.commit, sealed)
        self.chain.publish(sealed.block, sealed.receipts)
        self.followed += 1
        return True
