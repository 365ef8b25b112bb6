"""The async L1 clients of the dispute contracts (rollup_node/l1: factory, game, PreimageOracle)
against the real contracts on the embedded L1 (SPEC §11)."""

from __future__ import annotations

import asyncio

import pytest
from eth_utils import keccak
from web3 import Web3

from rollup_node.faultproof.oracle.keys import LocalIdent, keccak_key, precompile_key
from rollup_node.l1.contract_io import revert_error
from rollup_node.l1.dispute_game_factory import DisputeGameFactoryClient, SccElement
from rollup_node.l1.fault_dispute_game import FaultDisputeGameClient, GameStatus
from rollup_node.l1.preimage_oracle import PreimageOracleClient, localized_key
from rollup_node.l1.transactor import L1TransactionReverted, Transactor, connect
from rollup_node.protocol.dispute import Move
from tests.contracts.chain_helpers import mine_blocks
from tests.contracts.deployments import BOND
from tests.contracts.dispute.game_setup import (
    BOGUS,
    CHAIN_ID,
    CLOCK,
    CONFIG_HASH,
    DEPTH,
    EXTENSION,
    H0,
    MOVE_BOND,
    Dispute,
    make_dispute,
    private_key,
    state_hash,
)
from tests.l1_harness import L1_CHAIN_ID


@pytest.fixture
def dispute(evm_w3: Web3) -> Dispute:
    return make_dispute(evm_w3, H0)


def _transactor(d: Dispute, address: str) -> Transactor:
    return Transactor(connect(d.w3.provider.endpoint_uri), private_key(address), L1_CHAIN_ID)


def _elements(d: Dispute) -> tuple[SccElement, SccElement]:
    return SccElement.of(1, d.header, d.roots), SccElement.of(2, d.header, d.roots)


def test_factory_creates_and_finds_games(dispute: Dispute) -> None:
    d = dispute
    first_block = d.w3.eth.block_number
    mine_blocks(d.w3, 5)  # the event scan crosses several chunks

    async def scenario() -> None:
        tx = _transactor(d, d.challenger)
        factory = DisputeGameFactoryClient(tx.w3, d.factory.address, tx)
        params = await factory.params()
        assert params.absolute_prestate == H0 == await factory.absolute_prestate()
        assert (params.max_game_depth, params.max_clock_duration_seconds) == (DEPTH, CLOCK)
        assert (params.clock_extension_seconds, params.base_move_bond_wei) == (EXTENSION, MOVE_BOND)
        assert (params.l2_chain_id, params.consensus_config_hash) == (CHAIN_ID, CONFIG_HASH)
        assert (params.scc, params.oracle) == (d.scc.address, d.oracle.address)
        assert await factory.required_bond() == BOND
        agreed, disputed = _elements(d)
        head = await tx.w3.eth.block_number
        head_hash = bytes((await tx.w3.eth.get_block(head))["hash"])
        # A hash the head does not have (an L1 reorg since the claim was computed): refused.
        with pytest.raises(L1TransactionReverted) as refused:
            await factory.create(2, agreed, disputed, head, keccak(b"other"), BOGUS, BOND)
        assert revert_error(refused.value.data, "DisputeGameFactory") == "L1HeadHashMismatch"
        with pytest.raises(L1TransactionReverted) as genesis:
            await factory.create(0, agreed, disputed, head, head_hash, BOGUS, BOND)
        assert revert_error(genesis.value.data, "DisputeGameFactory") == "GenesisNotDisputable"
        game_address, receipt = await factory.create(
            2, agreed, disputed, head, head_hash, BOGUS, BOND
        )
        other_root = state_hash(b"other", 2)
        other_address, _ = await factory.create(
            2, agreed, disputed, head, head_hash, other_root, BOND
        )
        assert await factory.game_count() == 2
        assert [await factory.game_at(i) for i in (0, 1)] == [game_address, other_address]
        created = await factory.games_created(first_block, chunk_blocks=2)
        assert [g.game for g in created] == [game_address, other_address]
        assert created[0].l2_block_number == 2 and created[0].root_claim == BOGUS
        assert created[0].l1_head_number == head and created[0].challenger == d.challenger
        assert created[0].l1_block_number == receipt.block_number
        assert created[1].root_claim == other_root
        assert await factory.games_created(receipt.block_number + 1) == created[1:]

        game = FaultDisputeGameClient(tx.w3, game_address)
        gp = await game.params()
        assert (gp.l2_block_number, gp.l1_head_number, gp.l1_head_hash) == (2, head, head_hash)
        assert (gp.starting_output_root, gp.disputed_output_root) == tuple(d.roots)
        assert gp.absolute_prestate == H0 and gp.max_game_depth == DEPTH
        assert gp.header == d.header and gp.oracle == d.oracle.address
        await tx.w3.provider.disconnect()

    asyncio.run(scenario())


def test_game_client_reads_claims_after_moves(dispute: Dispute) -> None:
    d = dispute
    address = d.create().address

    async def scenario() -> None:
        defender, challenger = _transactor(d, d.defender), _transactor(d, d.challenger)
        as_defender = FaultDisputeGameClient(defender.w3, address, defender)
        as_challenger = FaultDisputeGameClient(challenger.w3, address, challenger)
        (root,) = await as_defender.claims()
        assert (root.index, root.parent_index, root.position) == (0, None, 1)
        assert (root.value, root.claimant, root.bond_wei) == (BOGUS, d.challenger, BOND)
        assert root.countered_by is None
        assert await as_defender.move_bond(1) == MOVE_BOND * 2
        await as_defender.move(Move(0, BOGUS, H0, True), MOVE_BOND * 2)
        wrong = state_hash(b"wrong leaf", 1)
        await as_challenger.move(Move(1, H0, wrong, False), MOVE_BOND * 3)
        claims = await as_defender.claims()
        assert [(c.index, c.parent_index, c.position) for c in claims] == [
            (0, None, 1),
            (1, 0, 2),
            (2, 1, 6),
        ]
        assert [c.value for c in claims] == [BOGUS, H0, wrong]
        assert [c.claimant for c in claims] == [d.challenger, d.defender, d.challenger]
        assert [c.bond_wei for c in claims] == [BOND, MOVE_BOND * 2, MOVE_BOND * 3]
        assert claims[2].clock_timestamp >= claims[1].clock_timestamp >= claims[0].clock_timestamp
        assert await as_defender.claims(start=2) == claims[2:]
        assert await as_defender.children(1) == [2]
        assert await as_defender.status() is GameStatus.IN_PROGRESS
        assert 0 < await as_defender.seconds_left(2) <= CLOCK
        assert await as_defender.credit(d.defender) == 0
        assert not await as_defender.resolved(2)
        # A move naming a value the claim does not hold is refused with the contract's reason.
        with pytest.raises(L1TransactionReverted) as refused:
            await as_challenger.move(Move(1, BOGUS, wrong, True), MOVE_BOND * 3)
        assert revert_error(refused.value.data, "FaultDisputeGame") == "ParentClaimMismatch"
        for tx in (defender, challenger):
            await tx.w3.provider.disconnect()

    asyncio.run(scenario())


def test_oracle_client_loads_and_reads_parts(dispute: Dispute) -> None:
    d = dispute
    address = d.create().address
    preimage = b"a keccak preimage longer than one part of thirty-two bytes" * 2

    async def scenario() -> None:
        tx = _transactor(d, d.defender)
        oracle = PreimageOracleClient(tx.w3, d.oracle.address, tx)
        key = keccak_key(preimage)
        assert not await oracle.part_loaded(key, 40)
        await oracle.load_keccak_part(40, preimage)
        assert await oracle.part_loaded(key, 40) and not await oracle.part_loaded(key, 0)
        full = len(preimage).to_bytes(8, "big") + preimage
        assert await oracle.read_part(key, 40) == (full[40:72], 32)
        # A local input is loaded by the game under a key localized to it, which
        # ``localized_key`` predicts.
        game = FaultDisputeGameClient(tx.w3, address, tx)
        stored = localized_key(LocalIdent.DISPUTED_OUTPUT_ROOT, address)
        assert not await oracle.part_loaded(stored, 8)
        await game.add_local_data(LocalIdent.DISPUTED_OUTPUT_ROOT, 8)
        assert await oracle.read_part(stored, 8) == (d.roots[1], 32)
        # ecrecover through the oracle: status byte 1 and the recovered address.
        signer = d.w3.eth.account.create()
        digest = keccak(b"message")
        signature = signer.unsafe_sign_hash(digest)
        call_input = (
            digest
            + signature.v.to_bytes(32, "big")
            + signature.r.to_bytes(32, "big")
            + signature.s.to_bytes(32, "big")
        )
        precompile = "0x0000000000000000000000000000000000000001"
        pkey = precompile_key(bytes.fromhex(precompile[2:]), 3_000, call_input)
        await oracle.load_precompile_part(8, precompile, 3_000, call_input)
        part, length = await oracle.read_part(pkey, 8)
        # The value is status ‖ output (1 + 32 bytes); offset 8 skips the length prefix.
        assert length == 32 and part[0] == 1 and part[1:13] == bytes(12)
        assert part[13:32] == bytes.fromhex(signer.address[2:])[:19]
        await tx.w3.provider.disconnect()

    asyncio.run(scenario())
