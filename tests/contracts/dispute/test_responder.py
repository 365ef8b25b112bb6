"""The responder on the embedded L1 (SPEC §11): it plays a move with the right bond, steps at
maximum depth with a real MIPS step witness whose preimage part (a keccak preimage, or a local
input loaded through the game) it loads first, resolves bottom-up in chunks, claims its credit,
and tells "already done" from "not yet" from "wrong"."""

from __future__ import annotations

import asyncio

import pytest
from eth_utils import keccak
from web3 import Web3

from rollup_node.faultproof.game.responder import (
    Outcome,
    Responder,
    RespondHalt,
    RespondRetry,
)
from rollup_node.faultproof.mips.state import State
from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.mips.witness import StepWitness, prove_step
from rollup_node.faultproof.oracle.host import Oracle
from rollup_node.faultproof.oracle.keys import (
    KeyType,
    LocalIdent,
    key_type,
    local_key,
    precompile_key,
)
from rollup_node.faultproof.oracle.source import DictSource
from rollup_node.l1.contract_io import revert_error, send_call
from rollup_node.l1.fault_dispute_game import FaultDisputeGameClient, GameStatus
from rollup_node.l1.preimage_oracle import PreimageOracleClient, localized_key
from rollup_node.l1.transactor import L1TransactionReverted, Transactor, connect
from rollup_node.protocol.dispute import Move, PreimagePart, Step, StepProof
from tests.contracts.chain_helpers import increase_time
from tests.contracts.deployments import BOND
from tests.contracts.dispute.game_setup import (
    CLOCK,
    DEPTH,
    MOVE_BOND,
    Dispute,
    make_dispute,
    private_key,
    state_hash,
)
from tests.l1_harness import L1_CHAIN_ID

DATA = 0x10000000
SYSCALL = 0x0000000C
ADDIU_T0 = 0x25080001  # addiu $t0, $t0, 1
#: Where the program reads its preimage from: 8 skips the u64 length prefix.
READ_OFFSET = 8


class RecordedTrace:
    """A program's whole trace, stepped with the reference VM, as the responder's
    ``StepProofSource``: the first step reads the preimage part under ``key``."""

    def __init__(self, start: State, io: HostIO, local_ident: int | None) -> None:
        self.prestate = start.hash()
        self.local_ident = local_ident
        self.witnesses: list[StepWitness] = []
        state = start.copy()
        for _ in range(2**DEPTH):
            self.witnesses.append(prove_step(state, io))  # advances ``state``
        self.hashes = [w.post_state_hash for w in self.witnesses]  # hashes[i]: trace index i
        self.requests: list[int] = []

    def step_proof(self, pre_state_steps: int) -> StepProof:
        self.requests.append(pre_state_steps)
        w = self.witnesses[pre_state_steps]
        part = None
        if w.preimage_key is not None:
            assert w.preimage_offset is not None and w.preimage_value is not None
            part = PreimagePart(
                w.preimage_key,
                w.preimage_offset,
                w.preimage_value,
                local_ident=self.local_ident if key_type(w.preimage_key) == KeyType.LOCAL else None,
            )
        return StepProof(pre_state_steps, w.state, w.proof, w.post_state_hash, part)


def program(preimage_key: bytes) -> State:
    """A read of four preimage bytes at ``READ_OFFSET`` into DATA, then increments."""
    state = State()
    for i, word in enumerate([SYSCALL, ADDIU_T0, ADDIU_T0, ADDIU_T0]):
        state.memory.set_word(4 * i, word)
    state.registers[2], state.registers[4] = 4003, 5  # read(fd 5, …)
    state.registers[5], state.registers[6] = DATA, 4  # … DATA, 4 bytes)
    state.preimage_key, state.preimage_offset = preimage_key, READ_OFFSET
    return state


def _transactor(d: Dispute, address: str) -> Transactor:
    return Transactor(connect(d.w3.provider.endpoint_uri), private_key(address), L1_CHAIN_ID)


def _players(d: Dispute, trace: RecordedTrace, address: str, **kwargs) -> tuple:
    tx = _transactor(d, d.defender)
    game = FaultDisputeGameClient(tx.w3, address, tx)
    oracle = PreimageOracleClient(tx.w3, d.oracle.address, tx)
    return tx, game, oracle, Responder(game, oracle, trace, **kwargs)


@pytest.mark.parametrize("preimage", ["keccak", "local"])
def test_responder_plays_a_game_to_the_end(evm_w3: Web3, preimage: str) -> None:
    source = DictSource()
    if preimage == "keccak":
        key, ident = source.put_keccak(b"the preimage the first step reads, 40 bytes"), None
    else:
        key, ident = local_key(LocalIdent.DISPUTED_OUTPUT_ROOT), LocalIdent.DISPUTED_OUTPUT_ROOT
    start = program(key)
    if ident is not None:  # the game's disputed root: make_dispute's element 2
        source.put(key, keccak(b"root2"))
    trace = RecordedTrace(start, HostIO(Oracle(source)), ident)
    d = make_dispute(evm_w3, trace.prestate)
    if ident is not None:
        assert source.get_preimage(key) == d.roots[1]
    root = state_hash(b"the challenger's wrong final state", 1)
    game_contract = d.create(root_claim=root)
    address = game_contract.address
    balance_before = d.w3.eth.get_balance(d.defender)

    async def play() -> tuple:
        tx, game, oracle, responder = _players(
            d, trace, address, attempts=2, retry_delay_seconds=0, resolve_children_per_call=1
        )
        # The honest defender attacks the wrong root with its state at trace index 1.
        (move,) = await responder.act(Move(0, root, trace.hashes[1], True))
        assert (move.outcome, move.value_wei) == (Outcome.DONE, MOVE_BOND * 2)
        again = await responder.move(Move(0, root, trace.hashes[1], True))
        assert (again.outcome, again.error) == (Outcome.SKIPPED, "ClaimAlreadyExists")
        with pytest.raises(RespondHalt, match="ParentClaimMismatch"):
            await responder.move(Move(0, trace.hashes[0], trace.hashes[1], True))
        await tx.w3.provider.disconnect()

    asyncio.run(play())
    # The challenger answers with two wrong leaves: index 0 (attack) and index 2 (defence).
    wrong = state_hash(b"not the state", 3)
    d.move(game_contract, 1, wrong, True, d.challenger)  # claim 2, position 4
    d.move(game_contract, 1, wrong, False, d.challenger)  # claim 3, position 6

    async def step_and_resolve() -> None:
        tx, game, oracle, responder = _players(
            d, trace, address, attempts=2, retry_delay_seconds=0, resolve_children_per_call=1
        )
        stored = key if ident is None else localized_key(ident, address)
        assert not await oracle.part_loaded(stored, READ_OFFSET)
        # Step 0 reads the preimage: the responder loads its part first, then steps.
        load, step = await responder.act(Step(2, True, 0))
        assert load.outcome is step.outcome is Outcome.DONE
        assert load.what.startswith("load keccak" if ident is None else "load local")
        assert await oracle.part_loaded(stored, READ_OFFSET)
        assert (await game.claim(2)).countered_by == d.defender
        # Index 2 is the step from index 1 (the defender's own claim), no preimage read.
        (step2,) = await responder.act(Step(3, True, 2))
        assert step2.outcome is Outcome.DONE and (await game.claim(3)).countered_by == d.defender
        assert trace.requests == [0, 2]
        # Stepping again: the part is there (no load) and the claim is countered already.
        (again,) = await responder.act(Step(2, True, 0))
        assert (again.outcome, again.error) == (Outcome.SKIPPED, "AlreadyCountered")
        # The clocks have not run out: resolving is "not yet".
        with pytest.raises(RespondRetry, match="ClockNotExpired"):
            await responder.resolve_all([3, 2, 1, 0])
        await tx.w3.provider.disconnect()

    asyncio.run(step_and_resolve())
    increase_time(d.w3, CLOCK)

    async def finish() -> None:
        tx, game, oracle, responder = _players(
            d, trace, address, attempts=2, retry_delay_seconds=0, resolve_children_per_call=1
        )
        responses = await responder.resolve_all([3, 2, 1, 0])
        # Claim 1 has two children: two resolveClaim calls of one child each.
        assert [r.what for r in responses] == [
            "resolveClaim(3, 1)",
            "resolveClaim(2, 1)",
            "resolveClaim(1, 1)",
            "resolveClaim(1, 1)",
            "resolveClaim(0, 1)",
            "resolve",
        ]
        assert all(r.outcome is Outcome.DONE for r in responses)
        assert await game.status() is GameStatus.DEFENDER_WINS
        # Done already: nothing left to resolve, and the game is over.
        (over,) = await responder.resolve_all([3, 2, 1, 0])
        assert (over.outcome, over.error) == (Outcome.SKIPPED, "GameNotInProgress")
        won = BOND + MOVE_BOND * 2 + 2 * MOVE_BOND * 3  # root, own claim back, two leaves
        assert await game.credit(d.defender) == won
        paid = await responder.claim_credit(d.defender)
        assert paid.outcome is Outcome.DONE
        assert (await responder.claim_credit(d.defender)).error == "NoCredit"
        await tx.w3.provider.disconnect()

    asyncio.run(finish())
    # The defender's net: the challenger's bond and the two leaves' bonds, less its gas.
    gained = d.w3.eth.get_balance(d.defender) - balance_before
    assert BOND + MOVE_BOND * 6 - 10**17 < gained < BOND + MOVE_BOND * 6


def test_unreachable_l1_is_retry(evm_w3: Web3) -> None:
    d = make_dispute(evm_w3, state_hash(b"prestate", 3))
    address = d.create().address

    async def scenario() -> None:
        tx = Transactor(connect("http://127.0.0.1:9", 2.0), private_key(d.defender), L1_CHAIN_ID)
        game = FaultDisputeGameClient(tx.w3, address, tx)
        oracle = PreimageOracleClient(tx.w3, d.oracle.address, tx)
        responder = Responder(game, oracle, RecordedTrace(State(), HostIO(), None), 2, 0)
        with pytest.raises(RespondRetry, match="L1 unavailable"):
            await responder.move(Move(0, b"\0" * 32, b"\1" * 32, True))
        with pytest.raises(RespondRetry, match="L1 unavailable"):
            await responder.claim_credit(d.defender)
        await tx.w3.provider.disconnect()

    asyncio.run(scenario())


def test_precompile_part_is_loaded_once(evm_w3: Web3) -> None:
    d = make_dispute(evm_w3, state_hash(b"prestate", 3))
    address = d.create().address
    signer = d.w3.eth.account.create()
    digest = keccak(b"signed")
    signature = signer.unsafe_sign_hash(digest)
    call_input = digest + b"".join(
        x.to_bytes(32, "big") for x in (signature.v, signature.r, signature.s)
    )
    ecrecover = "0x0000000000000000000000000000000000000001"
    key = precompile_key(bytes.fromhex(ecrecover[2:]), 3_000, call_input)
    part = PreimagePart(key, 0, call_input, precompile=ecrecover, required_gas=3_000)

    async def scenario() -> None:
        tx, game, oracle, responder = _players(d, RecordedTrace(State(), HostIO(), None), address)
        loaded = await responder.load_preimage(part)
        assert loaded is not None and loaded.outcome is Outcome.DONE
        assert await responder.load_preimage(part) is None  # already in the oracle
        value, length = await oracle.read_part(key, 0)
        assert length == 32 and value[:8] == (33).to_bytes(8, "big") and value[8] == 1
        await tx.w3.provider.disconnect()

    asyncio.run(scenario())


def test_a_move_mined_reverted_is_named_by_replay(evm_w3: Web3) -> None:
    """Two players post the same move in one block: the second is mined reverted without data;
    replayed at the latest block it names ``ClaimAlreadyExists``, which the responder skips."""
    d = make_dispute(evm_w3, state_hash(b"prestate", 3))
    root = state_hash(b"root", 1)
    address = d.create(root_claim=root).address
    ours = state_hash(b"ours", 3)

    async def scenario() -> None:
        tx, game, oracle, responder = _players(d, RecordedTrace(State(), HostIO(), None), address)
        other = _transactor(d, d.challenger)
        other_game = FaultDisputeGameClient(other.w3, address, other)
        data = bytes.fromhex(game.contract.encode_abi("move", args=[0, root, ours, True])[2:])
        # The other player's copy lands first; ours, sent with fixed gas (no estimate to catch
        # it), is mined reverted.
        await other_game.move(Move(0, root, ours, True), MOVE_BOND * 2)
        with pytest.raises(L1TransactionReverted) as reverted:
            await send_call(tx, address, data, "late move", MOVE_BOND * 2, gas=300_000)
        assert revert_error(reverted.value.data, "FaultDisputeGame") == "ClaimAlreadyExists"
        skipped = await responder.move(Move(0, root, ours, True))
        assert (skipped.outcome, skipped.error) == (Outcome.SKIPPED, "ClaimAlreadyExists")
        for t in (tx, other):
            await t.w3.provider.disconnect()

    asyncio.run(scenario())
