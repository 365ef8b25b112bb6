"""The L1 client of one FaultDisputeGame (SPEC §11; docs/protocol.md "DisputeGameFactory and
FaultDisputeGame").

Reads: the game's immutables (``GameParams``, read once: they never change), every claim as a
``types.Claim`` with its index and parent, the status, credits, move bonds and clocks. Writes:
``move``, ``step``, ``addLocalData``, ``resolveClaim``, ``resolve``, ``claimCredit``, each sent
through the owner's ``Transactor`` (gas estimated at pending, the block it lands in).

Errors keep the transactor's classes: ``L1SendFailed`` (retry later) and
``L1TransactionReverted`` (a contract rule refused it; ``contract_io.revert_error`` names the
game's custom error from its data, also when the transaction was mined reverted). Reads raise
web3's and aiohttp's own errors, which all mean "retry".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import IntEnum

from eth_utils import to_checksum_address
from web3 import AsyncWeb3

from rollup_node.contracts import load_artifact
from rollup_node.l1.contract_io import read_views, send_call
from rollup_node.l1.transactor import L1Receipt, Transactor
from rollup_node.protocol.dispute import Claim, Move

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
#: ``parentIndex`` of the root claim in ``claimData`` (``type(uint256).max``).
NO_PARENT = 2**256 - 1
#: How many ``claimData`` reads are in flight at once.
CLAIM_READ_CONCURRENCY = 16


class GameStatus(IntEnum):
    """``FaultDisputeGame.Status``."""

    IN_PROGRESS = 0
    CHALLENGER_WINS = 1
    DEFENDER_WINS = 2


@dataclass(frozen=True)
class GameParams:
    """Everything the factory fixed at the game's creation (its immutables and header)."""

    address: str
    scc: str
    vm: str
    oracle: str
    absolute_prestate: bytes
    max_game_depth: int
    max_clock_duration_seconds: int
    clock_extension_seconds: int
    base_move_bond_wei: int
    l2_chain_id: int
    consensus_config_hash: bytes
    l2_block_number: int  # n, the disputed SCC element
    starting_output_root: bytes  # element n - 1
    disputed_output_root: bytes  # element n
    l1_head_number: int
    l1_head_hash: bytes
    created_at: int  # L1 timestamp
    header: tuple  # the SCC BatchHeader (batchIndex, batchRoot, batchSize, prevTotal, extraData)


def _claim(index: int, raw: list) -> Claim:
    parent, countered_by, claimant, bond, value, position, duration, timestamp = raw
    return Claim(
        index=index,
        parent_index=None if parent == NO_PARENT else parent,
        position=position,
        value=bytes(value),
        claimant=to_checksum_address(claimant),
        bond_wei=bond,
        countered_by=None if countered_by == ZERO_ADDRESS else to_checksum_address(countered_by),
        clock_duration_seconds=duration,
        clock_timestamp=timestamp,
    )


class FaultDisputeGameClient:
    """Reads and plays one game at ``address``. ``transactor`` is needed only for writes."""

    def __init__(self, w3: AsyncWeb3, address: str, transactor: Transactor | None = None) -> None:
        self.w3 = w3
        self.address = to_checksum_address(address)
        self.transactor = transactor
        self.contract = w3.eth.contract(
            address=self.address, abi=list(load_artifact("FaultDisputeGame").abi)
        )
        self._params: GameParams | None = None

    # ---------------------------------------------------------------- reads

    async def params(self) -> GameParams:
        """The game's immutables (read once, then cached: they cannot change)."""
        if self._params is None:
            names = (
                "scc", "vm", "oracle", "absolutePrestate", "maxGameDepth", "maxClockDuration",
                "clockExtension", "baseMoveBond", "l2ChainId", "consensusConfigHash",
                "l2BlockNumber", "startingOutputRoot", "disputedOutputRoot", "l1HeadNumber",
                "l1HeadHash", "createdAt", "header",
            )  # fmt: skip
            v = await read_views(self.contract, names)
            self._params = GameParams(
                address=self.address,
                scc=to_checksum_address(v["scc"]),
                vm=to_checksum_address(v["vm"]),
                oracle=to_checksum_address(v["oracle"]),
                absolute_prestate=bytes(v["absolutePrestate"]),
                max_game_depth=v["maxGameDepth"],
                max_clock_duration_seconds=v["maxClockDuration"],
                clock_extension_seconds=v["clockExtension"],
                base_move_bond_wei=v["baseMoveBond"],
                l2_chain_id=v["l2ChainId"],
                consensus_config_hash=bytes(v["consensusConfigHash"]),
                l2_block_number=v["l2BlockNumber"],
                starting_output_root=bytes(v["startingOutputRoot"]),
                disputed_output_root=bytes(v["disputedOutputRoot"]),
                l1_head_number=v["l1HeadNumber"],
                l1_head_hash=bytes(v["l1HeadHash"]),
                created_at=v["createdAt"],
                header=tuple(v["header"]),
            )
        return self._params

    async def claim_count(self) -> int:
        """Number of claims (``claimDataLen``)."""
        return await self.contract.functions.claimDataLen().call()

    async def claim(self, index: int) -> Claim:
        """Claim ``index`` of ``claimData``."""
        return _claim(index, await self.contract.functions.claimData(index).call())

    async def claims(self, start: int = 0) -> list[Claim]:
        """Every claim from index ``start`` on, in index order (a reader that already holds the
        first ``start`` claims reads only the new ones: claims are append-only, and only a
        claim's ``countered_by`` changes later, by a step or by resolution)."""
        count = await self.claim_count()
        limit = asyncio.Semaphore(CLAIM_READ_CONCURRENCY)

        async def read(index: int) -> Claim:
            async with limit:
                return await self.claim(index)

        return list(await asyncio.gather(*(read(i) for i in range(start, count))))

    async def status(self) -> GameStatus:
        """The game's status."""
        return GameStatus(await self.contract.functions.status().call())

    async def credit(self, address: str) -> int:
        """Wei ``address`` can withdraw with ``claimCredit`` (after resolution)."""
        return await self.contract.functions.credit(to_checksum_address(address)).call()

    async def move_bond(self, depth: int) -> int:
        """The exact bond a move to ``depth`` carries: ``baseMoveBond · (1 + depth)``."""
        return await self.contract.functions.moveBond(depth).call()

    async def challenger_duration(self, index: int) -> int:
        """Seconds the side that would counter claim ``index`` has used on its path (capped at
        ``maxClockDuration``), at the latest block."""
        return await self.contract.functions.challengerDuration(index).call()

    async def seconds_left(self, index: int) -> int:
        """Seconds left to counter claim ``index`` (0: its clock ran out; it can be resolved)."""
        params = await self.params()
        return params.max_clock_duration_seconds - await self.challenger_duration(index)

    async def resolved(self, index: int) -> bool:
        """Whether claim ``index``'s subgame is resolved."""
        return await self.contract.functions.resolvedSubgames(index).call()

    async def children(self, index: int) -> list[int]:
        """Indices of the claims that counter claim ``index``, in move order."""
        return list(await self.contract.functions.children(index).call())

    async def batch_deleted(self) -> bool:
        """Whether the SCC deleted the disputed batch when this game resolved."""
        return await self.contract.functions.batchDeleted().call()

    # ---------------------------------------------------------------- writes

    def _calldata(self, function: str, *args: object) -> bytes:
        return bytes.fromhex(self.contract.encode_abi(function, args=list(args))[2:])

    async def _send(self, what: str, data: bytes, value: int = 0) -> L1Receipt:
        if self.transactor is None:
            raise RuntimeError(f"{what}: this game client was built without a transactor")
        return await send_call(self.transactor, self.address, data, what, value)

    async def move(self, move: Move, bond_wei: int) -> L1Receipt:
        """``move(parentIndex, parentClaim, claim, isAttack)`` carrying ``bond_wei``."""
        data = self._calldata(
            "move", move.parent_index, move.parent_value, move.value, move.is_attack
        )
        return await self._send(f"move on claim {move.parent_index}", data, bond_wei)

    async def step(
        self, parent_index: int, is_attack: bool, state_data: bytes, proof: bytes
    ) -> L1Receipt:
        """``step(parentIndex, isAttack, stateData, proof)`` against a max-depth claim."""
        data = self._calldata("step", parent_index, is_attack, state_data, proof)
        return await self._send(f"step on claim {parent_index}", data)

    async def add_local_data(self, ident: int, offset: int) -> L1Receipt:
        """``addLocalData(ident, partOffset)``: the game loads its local input ``ident``
        (SPEC §9) into the oracle, localized to this game."""
        data = self._calldata("addLocalData", ident, offset)
        return await self._send(f"addLocalData({ident}, {offset})", data)

    async def resolve_claim(self, index: int, max_children: int = 0) -> L1Receipt:
        """``resolveClaim(index, maxChildren)`` (0: all remaining children in one call)."""
        data = self._calldata("resolveClaim", index, max_children)
        return await self._send(f"resolveClaim({index})", data)

    async def resolve(self) -> L1Receipt:
        """``resolve()``: end the game once the root's subgame is resolved."""
        return await self._send("resolve", self._calldata("resolve"))

    async def claim_credit(self, recipient: str) -> L1Receipt:
        """``claimCredit(recipient)``: pay out ``recipient``'s credit (anyone may send it)."""
        data = self._calldata("claimCredit", to_checksum_address(recipient))
        return await self._send(f"claimCredit({recipient})", data)
