"""The L1 client of the DisputeGameFactory (SPEC §11; docs/protocol.md "DisputeGameFactory and
FaultDisputeGame").

``create`` opens a game against SCC element ``n`` with the challenger's bond, the two elements'
inclusion proofs, the L1 head the claim was computed at (number and hash: the factory refuses
the game if L1 reorganized since) and the root claim. ``games_created`` finds the games of a
range of L1 blocks from the ``GameCreated`` events, scanned in chunks so no single ``eth_getLogs``
spans more blocks than providers allow. ``params`` reads the factory's immutables, among them the
absolute prestate a node compares with its own program build before it plays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_utils import to_checksum_address
from web3 import AsyncWeb3

from rollup_node.contracts import load_artifact
from rollup_node.l1.contract_io import read_views, send_call
from rollup_node.l1.log_scan import LOG_CHUNK_BLOCKS, block_chunks
from rollup_node.l1.transactor import L1Receipt, Transactor
from rollup_node.protocol.batch_merkle import batch_proof

#: Blocks per ``eth_getLogs`` request when scanning for ``GameCreated`` (geth and most hosted
#: providers refuse far larger ranges).


@dataclass(frozen=True)
class SccElement:
    """Where an SCC element sits: its output root, the header of the batch holding it and the
    batch Merkle proof (the factory's ``Element`` struct)."""

    output_root: bytes
    header: tuple  # (batchIndex, batchRoot, batchSize, prevTotalElements, extraData)
    siblings: tuple[bytes, ...]

    @classmethod
    def of(cls, n: int, header: tuple, output_roots: Sequence[bytes]) -> SccElement:
        """Element ``n`` of the batch with ``header`` whose roots are ``output_roots``."""
        prev_total = header[3]
        if not prev_total <= n < prev_total + len(output_roots):
            raise ValueError(f"element {n} is not in the batch starting at {prev_total}")
        index = n - prev_total
        return cls(output_roots[index], header, tuple(batch_proof(output_roots, index)))

    def as_struct(self) -> tuple:
        """The ABI tuple ``(outputRoot, header, siblings)``."""
        return (self.output_root, self.header, list(self.siblings))


@dataclass(frozen=True)
class FactoryParams:
    """The factory's immutables: what every game it creates is played with."""

    address: str
    scc: str
    bond_manager: str
    vm: str
    oracle: str
    absolute_prestate: bytes
    max_game_depth: int
    max_clock_duration_seconds: int
    clock_extension_seconds: int
    base_move_bond_wei: int
    l2_chain_id: int
    consensus_config_hash: bytes


@dataclass(frozen=True)
class CreatedGame:
    """One ``GameCreated`` event."""

    game: str
    l2_block_number: int  # n, the disputed SCC element
    root_claim: bytes
    l1_head_number: int
    challenger: str
    l1_block_number: int  # where the event was emitted
    log_index: int


class DisputeGameFactoryClient:
    """Reads the factory at ``address`` and, with a ``transactor``, creates games."""

    def __init__(self, w3: AsyncWeb3, address: str, transactor: Transactor | None = None) -> None:
        self.w3 = w3
        self.address = to_checksum_address(address)
        self.transactor = transactor
        self.contract = w3.eth.contract(
            address=self.address, abi=list(load_artifact("DisputeGameFactory").abi)
        )
        self._bond_manager = w3.eth.contract(abi=list(load_artifact("BondManager").abi))
        self._params: FactoryParams | None = None

    async def params(self) -> FactoryParams:
        """The factory's immutables (read once, then cached)."""
        if self._params is None:
            names = (
                "scc", "bondManager", "vm", "oracle", "absolutePrestate", "maxGameDepth",
                "maxClockDuration", "clockExtension", "baseMoveBond", "l2ChainId",
                "consensusConfigHash",
            )  # fmt: skip
            v = await read_views(self.contract, names)
            self._params = FactoryParams(
                address=self.address,
                scc=to_checksum_address(v["scc"]),
                bond_manager=to_checksum_address(v["bondManager"]),
                vm=to_checksum_address(v["vm"]),
                oracle=to_checksum_address(v["oracle"]),
                absolute_prestate=bytes(v["absolutePrestate"]),
                max_game_depth=v["maxGameDepth"],
                max_clock_duration_seconds=v["maxClockDuration"],
                clock_extension_seconds=v["clockExtension"],
                base_move_bond_wei=v["baseMoveBond"],
                l2_chain_id=v["l2ChainId"],
                consensus_config_hash=bytes(v["consensusConfigHash"]),
            )
        return self._params

    async def absolute_prestate(self) -> bytes:
        """The state hash every game's trace starts from (SPEC §10)."""
        return (await self.params()).absolute_prestate

    async def required_bond(self) -> int:
        """The challenger's minimum creation bond (the BondManager's ``requiredBond``), wei."""
        manager = self.w3.eth.contract(
            address=(await self.params()).bond_manager, abi=self._bond_manager.abi
        )
        return await manager.functions.requiredBond().call()

    async def game_count(self) -> int:
        """Number of games created."""
        return await self.contract.functions.gameCount().call()

    async def game_at(self, index: int) -> str:
        """The address of the ``index``-th game created."""
        return to_checksum_address(await self.contract.functions.games(index).call())

    async def games_created(
        self, from_block: int, to_block: int | None = None, chunk_blocks: int = LOG_CHUNK_BLOCKS
    ) -> list[CreatedGame]:
        """The games created in L1 blocks ``from_block..to_block`` (default: the latest), in
        creation order, from ``GameCreated`` logs read ``chunk_blocks`` blocks at a time."""
        if to_block is None:
            to_block = await self.w3.eth.block_number
        event = self.contract.events.GameCreated()
        topic = event.topic
        found: list[CreatedGame] = []
        for start, end in block_chunks(from_block, to_block, chunk_blocks):
            logs = await self.w3.eth.get_logs(
                {"address": self.address, "fromBlock": start, "toBlock": end, "topics": [topic]}
            )
            for log in logs:
                args = event.process_log(log).args
                found.append(
                    CreatedGame(
                        game=to_checksum_address(args.game),
                        l2_block_number=args.l2BlockNumber,
                        root_claim=bytes(args.rootClaim),
                        l1_head_number=args.l1HeadNumber,
                        challenger=to_checksum_address(args.challenger),
                        l1_block_number=log["blockNumber"],
                        log_index=log["logIndex"],
                    )
                )
        return found

    async def create(
        self,
        n: int,
        agreed: SccElement,
        disputed: SccElement,
        l1_head_number: int,
        l1_head_hash: bytes,
        root_claim: bytes,
        bond_wei: int,
    ) -> tuple[str, L1Receipt]:
        """Open a game against element ``n`` (``agreed`` is element ``n − 1``) carrying
        ``bond_wei``; returns the game's address and the receipt. Reverts (raised as
        ``L1TransactionReverted``) name the factory's errors, e.g. ``L1HeadHashMismatch`` after
        an L1 reorg (recompute the claim at a new head) or ``GameExists``."""
        if self.transactor is None:
            raise RuntimeError("create: this factory client was built without a transactor")
        data = bytes.fromhex(
            self.contract.encode_abi(
                "create",
                args=[
                    n,
                    agreed.as_struct(),
                    disputed.as_struct(),
                    l1_head_number,
                    l1_head_hash,
                    root_claim,
                ],
            )[2:]
        )
        what = f"create game against element {n}"
        receipt = await send_call(self.transactor, self.address, data, what, bond_wei)
        event = self.contract.events.GameCreated()
        for log in receipt.logs:
            if to_checksum_address(log["address"]) == self.address:
                return to_checksum_address(event.process_log(log).args.game), receipt
        raise RuntimeError(f"create: no GameCreated in 0x{receipt.transaction_hash.hex()}")
