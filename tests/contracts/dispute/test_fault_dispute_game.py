"""DisputeGameFactory and FaultDisputeGame: creation checks, bisection moves, chess clocks,
bonds, MIPS steps at maximum depth, resolution and its effect on the SCC (SPEC §11)."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from web3 import Web3

from tests.contracts.chain_helpers import (
    increase_time,
    mine_blocks,
    reverts,
    transact,
)
from tests.contracts.deployments import BOND, WINDOW
from tests.contracts.dispute.game_setup import (
    BOGUS,
    CHAIN_ID,
    CLOCK,
    CONFIG_HASH,
    DEPTH,
    EXTENSION,
    H0,
    MOVE_BOND,
    S0,
    Dispute,
    exited_state,
    make_dispute,
    state_hash,
)


@pytest.fixture
def dispute(evm_w3: Web3) -> Dispute:
    return make_dispute(evm_w3, H0)


def _header_hash(d: Dispute) -> bytes:
    return d.scc.functions.hashHeader(d.header).call()


# ------------------------------------------------------------------ creation


def test_creation_checks(dispute: Dispute) -> None:
    d, create = dispute, dispute.factory.functions.create
    head = d.w3.eth.block_number  # the block that appended the batch
    mine_blocks(d.w3)  # so that calls run where blockhash(head) is known
    head_hash = d.w3.eth.get_block(head).hash
    sender = {"from": d.challenger, "value": BOND}

    def attempt(n: int = 2, agreed=None, disputed=None, number=head, hash_=head_hash, root=BOGUS):
        agreed = d.element(1) if agreed is None else agreed
        disputed = d.element(2) if disputed is None else disputed
        create(n, agreed, disputed, number, hash_, root).call(sender)

    wrong = (d.roots[0], d.header, [b"\x00" * 32])
    with reverts("GenesisNotDisputable()"):  # n - 1 would underflow
        attempt(n=0)
    with reverts("InvalidElement(uint256)"):
        attempt(agreed=wrong)
    with reverts("InvalidElement(uint256)"):
        attempt(disputed=wrong)
    with reverts("InvalidL1Head(uint256)"):  # not mined yet: blockhash is zero
        attempt(number=head + 5, hash_=b"\x00" * 32)
    with reverts("InvalidL1Head(uint256)"):  # before the batch was appended
        attempt(number=head - 1, hash_=d.w3.eth.get_block(head - 1).hash)
    with reverts("L1HeadHashMismatch(uint256,bytes32,bytes32)"):  # a reorg since the claim
        attempt(hash_=keccak(b"another chain"))
    with reverts("L1HeadHashMismatch(uint256,bytes32,bytes32)"):  # the head's parent's hash
        attempt(hash_=d.w3.eth.get_block(head - 1).hash)
    with reverts("InvalidRootClaimStatus(uint8)"):
        attempt(root=H0)
    with reverts("InsufficientBond(uint256,uint256)"):
        create(2, d.element(1), d.element(2), head, head_hash, BOGUS).call(
            {"from": d.challenger, "value": BOND - 1}
        )
    game = d.create(l1_head=head)
    assert d.scc.functions.gameHeader(game.address).call() == _header_hash(d)
    assert game.functions.l2BlockNumber().call() == 2
    assert game.functions.startingOutputRoot().call() == d.roots[0]
    assert game.functions.disputedOutputRoot().call() == d.roots[1]
    assert game.functions.l1HeadNumber().call() == head
    assert game.functions.l1HeadHash().call() == head_hash
    assert d.w3.eth.get_balance(game.address) == BOND
    with reverts("GameExists(address)"):
        attempt()


def test_no_game_after_the_window(dispute: Dispute) -> None:
    increase_time(dispute.w3, WINDOW + 1)
    with reverts("WindowClosed()"):
        dispute.create()


# ------------------------------------------------------------------ moves and clocks


def test_move_rules_and_positions(dispute: Dispute) -> None:
    d = dispute
    game = d.create()
    f = game.functions
    with reverts("CannotDefendRoot()"):
        transact(d.w3, f.move(0, BOGUS, H0, False), d.defender, value=MOVE_BOND * 2)
    with reverts("IncorrectBond(uint256,uint256)"):
        transact(d.w3, f.move(0, BOGUS, H0, True), d.defender, value=MOVE_BOND)
    first = d.move(game, 0, H0, True, d.defender)
    assert f.claimData(first).call()[5] == 2
    with reverts("ClaimAlreadyExists()"):
        transact(d.w3, f.move(0, BOGUS, H0, True), d.defender, value=MOVE_BOND * 2)
    # A move names the value it counters: one that saw another claim at that index is refused.
    with reverts("ParentClaimMismatch(uint256,bytes32)"):
        transact(d.w3, f.move(first, BOGUS, BOGUS, True), d.challenger, value=MOVE_BOND * 3)
    attack = d.move(game, first, BOGUS, True, d.challenger)
    defend = d.move(game, first, BOGUS, False, d.challenger)
    assert [f.claimData(i).call()[5] for i in (attack, defend)] == [4, 6]
    assert [f.traceIndexOf(p).call() for p in (1, 2, 3, 4, 5, 6, 7)] == [3, 1, 3, 0, 1, 2, 3]
    with reverts("GameDepthExceeded()"):
        transact(d.w3, f.move(attack, BOGUS, H0, True), d.defender, value=MOVE_BOND * 4)
    assert list(f.children(first).call()) == [attack, defend]


def test_chess_clock_and_extension(dispute: Dispute) -> None:
    d = dispute
    game = d.create()
    f = game.functions
    increase_time(d.w3, CLOCK - 3)  # the defender used 97 s of its 100 s answering the root
    first = d.move(game, 0, H0, True, d.defender)
    # A move late in the clock is recorded as leaving the other side at least `EXTENSION`.
    assert f.claimData(first).call()[6] == CLOCK - EXTENSION
    # The challenger's side has used nothing yet: its clock on this path starts at zero.
    increase_time(d.w3, CLOCK - 1)
    leaf = d.move(game, first, BOGUS, True, d.challenger)
    assert f.claimData(leaf).call()[6] == CLOCK - EXTENSION  # 99 s used, clamped to 90
    # The defender's side is back at its recorded 90 s: 10 s later its time is up. (Calls see
    # the latest block, one second before the next transaction.)
    increase_time(d.w3, EXTENSION)
    assert f.challengerDuration(leaf).call() == CLOCK - 1
    with reverts("ClockTimeExceeded()"):
        transact(d.w3, f.step(leaf, True, S0, b""), d.defender)
    with reverts("ClockTimeExceeded()"):
        transact(d.w3, f.move(first, H0, BOGUS, False), d.challenger, value=MOVE_BOND * 3)
    transact(d.w3, f.resolveClaim(leaf, 0), d.defender)


# ------------------------------------------------------------------ steps


def test_attack_step_from_the_absolute_prestate(dispute: Dispute) -> None:
    d = dispute
    game = d.create()
    f = game.functions
    first = d.move(game, 0, H0, True, d.defender)
    honest_leaf = d.move(game, first, H0, True, d.challenger)
    bogus_leaf = d.move(game, first, BOGUS, False, d.challenger)
    with reverts("NotAtMaxDepth()"):
        transact(d.w3, f.step(first, True, S0, b""), d.defender)
    with reverts("InvalidPrestate()"):
        transact(d.w3, f.step(honest_leaf, True, exited_state(1), b""), d.defender)
    with reverts("ValidStep()"):  # the leaf at trace index 0 is right: S0 steps to S0
        transact(d.w3, f.step(honest_leaf, True, S0, b""), d.defender)
    # The defence at trace index 2 claims BOGUS; stepping from the claim at index 1 (S0) shows it
    # wrong.
    transact(d.w3, f.step(bogus_leaf, True, S0, b""), d.defender)
    assert f.claimData(bogus_leaf).call()[1] == d.defender
    with reverts("AlreadyCountered()"):
        transact(d.w3, f.step(bogus_leaf, True, S0, b""), d.defender)


def test_defend_step_against_the_root(dispute: Dispute) -> None:
    d = dispute
    game = d.create()
    f = game.functions
    first = d.move(game, 0, H0, True, d.defender)
    # The challenger agrees with index 1 and claims index 2 is S0 too: its own root must then
    # be the step from S0, which it is not.
    leaf = d.move(game, first, H0, False, d.challenger)
    transact(d.w3, f.step(leaf, False, S0, b""), d.defender)
    assert f.claimData(leaf).call()[1] == d.defender


def test_steps_on_a_real_program_trace(evm_w3: Web3) -> None:
    """A four-step program (one addiu, three increments) as the trace: the honest side counters
    wrong leaves with MIPS.step and real memory proofs."""
    from rollup_node.faultproof.mips.state import State
    from rollup_node.faultproof.mips.witness import prove_step

    start = State()
    for i, word in enumerate([0x24080005, 0x25080001, 0x25080001, 0x25080001]):
        start.memory.set_word(4 * i, word)
    states, witnesses = [start.copy()], []
    for _ in range(2**DEPTH):
        witnesses.append(prove_step(states[-1].copy()))
        states.append(states[-1].copy())
        prove_step(states[-1])  # advances it
    trace = [s.hash() for s in states[1:]]  # trace[i]: the state after i + 1 steps
    assert [w.post_state_hash for w in witnesses] == trace
    d = make_dispute(evm_w3, start.hash())
    game = d.create(root_claim=state_hash(b"wrong", 1))
    f = game.functions
    middle = d.move(game, 0, trace[1], True, d.defender)
    wrong_first = d.move(game, middle, trace[2], True, d.challenger)  # index 0
    wrong_third = d.move(game, middle, trace[0], False, d.challenger)  # index 2
    with reverts("InvalidPrestate()"):
        transact(
            d.w3, f.step(wrong_third, True, witnesses[0].state, witnesses[0].proof), d.defender
        )
    transact(d.w3, f.step(wrong_first, True, witnesses[0].state, witnesses[0].proof), d.defender)
    # Index 2 is the step from index 1, the defender's own claim at position 2.
    transact(d.w3, f.step(wrong_third, True, witnesses[2].state, witnesses[2].proof), d.defender)
    assert f.claimData(wrong_first).call()[1] == f.claimData(wrong_third).call()[1] == d.defender
    right_third = d.move(game, middle, trace[2], False, d.challenger)
    with reverts("ValidStep()"):
        transact(
            d.w3, f.step(right_third, True, witnesses[2].state, witnesses[2].proof), d.defender
        )


# ------------------------------------------------------------------ resolution


def test_uncontested_root_wins_deletes_and_slashes(dispute: Dispute) -> None:
    d = dispute
    game = d.create()
    f = game.functions
    with reverts("ClockNotExpired()"):
        transact(d.w3, f.resolveClaim(0, 0), d.defender)
    with reverts("RootNotResolved()"):
        transact(d.w3, f.resolve(), d.defender)
    increase_time(d.w3, CLOCK)
    transact(d.w3, f.resolveClaim(0, 0), d.defender)
    transact(d.w3, f.resolve(), d.defender)
    assert f.status().call() == 1 and f.batchDeleted().call()
    assert d.scc.functions.totalBatches().call() == 1  # only genesis is left
    assert d.bonds.functions.bonds(d.proposer).call() == 0
    assert f.credit(d.challenger).call() == BOND + BOND // 2
    before = d.w3.eth.get_balance(d.challenger)
    receipt = transact(d.w3, f.claimCredit(d.challenger), d.defender)
    assert d.w3.eth.get_balance(d.challenger) == before + BOND + BOND // 2
    assert receipt["status"] == 1
    with reverts("GameNotInProgress()"):
        transact(d.w3, f.resolve(), d.defender)


def test_countered_root_loses_and_releases_the_batch(dispute: Dispute) -> None:
    d = dispute
    game = d.create()
    f = game.functions
    first = d.move(game, 0, H0, True, d.defender)
    increase_time(d.w3, CLOCK)
    with reverts("OutOfOrderResolution()"):
        transact(d.w3, f.resolveClaim(0, 0), d.defender)
    transact(d.w3, f.resolveClaim(first, 0), d.defender)
    transact(d.w3, f.resolveClaim(0, 0), d.defender)
    transact(d.w3, f.resolve(), d.defender)
    assert f.status().call() == 2 and not f.batchDeleted().call()
    assert d.scc.functions.openGames(_header_hash(d)).call() == 0
    assert d.scc.functions.totalBatches().call() == 2
    assert f.credit(d.defender).call() == BOND + MOVE_BOND * 2


def test_game_on_a_deleted_batch_refunds_its_challenger(dispute: Dispute) -> None:
    d = dispute
    winner = d.create()
    other = d.create(root_claim=state_hash(b"another", 2))
    first = d.move(other, 0, H0, True, d.defender)
    increase_time(d.w3, CLOCK)
    transact(d.w3, winner.functions.resolveClaim(0, 0), d.defender)
    transact(d.w3, winner.functions.resolve(), d.defender)
    assert winner.functions.batchDeleted().call()
    # The other game's root is countered, but its batch is gone: the challenger gets its bond.
    transact(d.w3, other.functions.resolveClaim(first, 0), d.defender)
    transact(d.w3, other.functions.resolveClaim(0, 0), d.defender)
    transact(d.w3, other.functions.resolve(), d.defender)
    assert other.functions.status().call() == 2
    assert other.functions.credit(d.challenger).call() == BOND
    assert other.functions.credit(d.defender).call() == MOVE_BOND * 2


def test_stepped_leaf_and_chunked_resolution(dispute: Dispute) -> None:
    d = dispute
    game = d.create()
    f = game.functions
    first = d.move(game, 0, H0, True, d.defender)
    bogus_leaf = d.move(game, first, BOGUS, False, d.challenger)
    honest_leaf = d.move(game, first, H0, True, d.challenger)
    transact(d.w3, f.step(bogus_leaf, True, S0, b""), d.defender)
    increase_time(d.w3, CLOCK)
    for leaf in (bogus_leaf, honest_leaf):
        transact(d.w3, f.resolveClaim(leaf, 0), d.defender)
    # One child per call: the standing honest leaf counters the defender's claim at index 1.
    transact(d.w3, f.resolveClaim(first, 1), d.defender)
    assert not f.resolvedSubgames(first).call()
    transact(d.w3, f.resolveClaim(first, 1), d.defender)
    assert f.resolvedSubgames(first).call()
    assert f.claimData(first).call()[1] == d.challenger
    transact(d.w3, f.resolveClaim(0, 0), d.defender)
    transact(d.w3, f.resolve(), d.defender)
    assert f.status().call() == 1
    # Bonds: the stepped leaf's bond to the defender who stepped; the defender's claim's bond to
    # the challenger whose leaf stood; the standing leaf and the root back to the challenger.
    assert f.credit(d.defender).call() == MOVE_BOND * 3
    assert f.credit(d.challenger).call() == (MOVE_BOND * 2 + MOVE_BOND * 3 + BOND + BOND // 2)


# ------------------------------------------------------------------ local inputs


@pytest.mark.parametrize(
    ("ident", "expected"),
    [
        (2, lambda d, g: d.roots[0]),
        (3, lambda d, g: d.roots[1]),
        (4, lambda d, g: (2).to_bytes(8, "big")),
        (5, lambda d, g: CHAIN_ID.to_bytes(8, "big")),
        (6, lambda d, g: CONFIG_HASH),
        (1, lambda d, g: g.functions.l1HeadHash().call()),
    ],
)
def test_local_inputs_reach_the_oracle(dispute: Dispute, ident: int, expected) -> None:
    d = dispute
    game = d.create()
    transact(d.w3, game.functions.addLocalData(ident, 0), d.defender)
    local_key = (1 << 248 | ident).to_bytes(32, "big")
    digest = keccak(local_key + b"\x00" * 32 + bytes(12) + bytes.fromhex(game.address[2:]))
    key = b"\x01" + digest[1:]
    value = expected(d, game)
    part, length = d.oracle.functions.readPreimage(key, 0).call()
    full = len(value).to_bytes(8, "big") + value
    assert length == min(32, len(full)) and part[:length] == full[:length]
    with reverts("UnknownLocalData(uint256)"):
        transact(d.w3, game.functions.addLocalData(7, 0), d.defender)
