"""The honest solver on toy traces, against the pure model of the contract."""

from __future__ import annotations

import dataclasses

import pytest

from rollup_node.faultproof.game import positions as pos
from rollup_node.faultproof.game.solver import (
    by_urgency,
    honest_actions,
    honest_claims,
    resolution_order,
    resolvable_claims,
    seconds_left,
)
from rollup_node.protocol.dispute import Move, Step
from tests.unit.faultproof.game.game_model import (
    CHALLENGER_WINS,
    STATUS_INVALID,
    STATUS_VALID,
    GameModel,
    LyingTrace,
    Revert,
    ToyTrace,
    toy_state,
)

HONEST, LIAR, FREELOADER = "honest", "liar", "freeloader"
MAX_CLOCK, EXTENSION = 1000, 100


def new_game(
    truth: ToyTrace, max_depth: int, root: bytes, now: int = 10_000, challenger: str = LIAR
) -> GameModel:
    game = GameModel(
        truth=truth,
        absolute_prestate=truth.prestate,
        max_game_depth=max_depth,
        max_clock_duration=MAX_CLOCK,
        clock_extension=EXTENSION,
        base_move_bond=10,
        now=now,
    )
    game.create(challenger, root, 10)
    return game


def solve(game: GameModel, trace) -> list:
    return honest_actions(game.claims(), trace, game.max_game_depth, game.absolute_prestate)


def play(game: GameModel, sender: str, actions: list) -> None:
    for action in actions:
        if isinstance(action, Move):
            game.move(
                sender, action.parent_index, action.parent_value, action.value, action.is_attack
            )
        else:
            game.step(sender, action.parent_index, action.is_attack, action.pre_state_steps)


def liar_from(truth: ToyTrace, first_lie: int, max_depth: int) -> LyingTrace:
    lies = {i: toy_state("lie", i) for i in range(first_lie, 1 << max_depth)}
    return LyingTrace(truth, lies)


def test_root_we_disagree_with_is_attacked_with_our_midpoint() -> None:
    truth = ToyTrace.of_length("t", 5, STATUS_VALID)
    game = new_game(truth, 3, toy_state("other", 7, STATUS_INVALID))
    assert solve(game, truth) == [Move(0, game.claims()[0].value, truth.state_hash(3), True)]
    assert honest_claims(game.claims(), truth, 3, truth.prestate) == frozenset()


def test_root_we_agree_with_is_left_alone_and_its_attackers_countered() -> None:
    truth = ToyTrace.of_length("t", 5, STATUS_INVALID)
    game = new_game(truth, 3, truth.state_hash(7))
    assert solve(game, truth) == []
    assert honest_claims(game.claims(), truth, 3, truth.prestate) == {0}
    root = game.claims()[0].value
    # an attack with a wrong midpoint is attacked; one with the right midpoint is defended
    game.move(LIAR, 0, root, toy_state("lie", 3), True)
    game.move(FREELOADER, 0, root, truth.state_hash(3), True)
    assert solve(game, truth) == [
        Move(1, toy_state("lie", 3), truth.state_hash(1), True),
        Move(2, truth.state_hash(3), truth.state_hash(5), False),
    ]


def test_a_response_already_in_the_game_is_not_posted_again_but_defended() -> None:
    truth = ToyTrace.of_length("t", 8, STATUS_VALID)
    liar = liar_from(truth, 6, 3)
    game = new_game(truth, 3, liar.state_hash(7))
    (ours,) = solve(game, truth)
    play(game, FREELOADER, [ours])  # a freeloader front-runs our move
    assert solve(game, truth) == []
    assert honest_claims(game.claims(), truth, 3, truth.prestate) == {1}
    play(game, LIAR, solve(game, liar))  # the liar answers the copy: we answer the liar
    assert game.claims()[2].parent_index == 1
    (answer,) = solve(game, truth)
    assert answer.parent_index == 2


def test_freeloaders_left_of_our_counter_are_countered_right_ones_ignored() -> None:
    truth = ToyTrace.of_length("t", 16, STATUS_VALID)
    liar = liar_from(truth, 5, 4)
    game = new_game(truth, 4, liar.state_hash(15))
    play(game, HONEST, solve(game, truth))  # attack root at 2 (index 7)
    play(game, LIAR, solve(game, liar))  # the liar attacks us at 4 (index 3): right value
    (defence,) = solve(game, truth)
    assert defence == Move(2, truth.state_hash(3), truth.state_hash(5), False)  # at 10
    liar_claim = game.claims()[2]
    # freeloaders move against the liar's claim: an attack (left of our defence, index 1) with
    # our own value, a defence with a mangled value (same position as ours), and the defence
    # with our value posted by us; a claim on the right of ours would not matter
    game.move(FREELOADER, 2, liar_claim.value, truth.state_hash(1), True)
    game.move(FREELOADER, 2, liar_claim.value, toy_state("mangled", 5), False)
    play(game, HONEST, [defence])
    actions = solve(game, truth)
    assert sorted(a.parent_index for a in actions) == [3, 4]
    assert honest_claims(game.claims(), truth, 4, truth.prestate) == {1, 5}


def test_claims_under_an_ignored_claim_are_left_alone() -> None:
    truth = ToyTrace.of_length("t", 16, STATUS_VALID)
    liar = liar_from(truth, 2, 4)
    game = new_game(truth, 4, liar.state_hash(15))
    play(game, HONEST, solve(game, truth))  # attack root at 2 (index 7): the liar lies there
    ours = game.claims()[1]
    liar_claim = game.move(LIAR, 1, ours.value, liar.state_hash(3), True)  # at 4: a lie
    play(game, HONEST, solve(game, truth))  # we attack it at 8
    # a freeloader defends the liar's claim (at 10, right of our attack) and someone attacks it
    right = game.move(FREELOADER, liar_claim, liar.state_hash(3), toy_state("x", 5), False)
    game.move(LIAR, right, toy_state("x", 5), toy_state("y", 4), True)
    assert solve(game, truth) == []


def _bisect_to_max_depth(truth: ToyTrace, liar: LyingTrace, max_depth: int) -> GameModel:
    """An honest root claim (odd max depth: the liar's moves reach it) bisected by both sides
    down to one leaf of the liar's."""
    game = new_game(truth, max_depth, truth.state_hash((1 << max_depth) - 1), challenger=HONEST)
    for _ in range(max_depth + 1):
        play(game, LIAR, [a for a in solve(game, liar) if isinstance(a, Move)])
        play(game, HONEST, [a for a in solve(game, truth) if isinstance(a, Move)])
    return game


@pytest.mark.parametrize("first_lie", range(8))
def test_every_lie_position_ends_in_a_step_the_contract_accepts(first_lie: int) -> None:
    truth = ToyTrace.of_length("t", 6, STATUS_VALID)
    liar = liar_from(truth, first_lie, 3)
    game = _bisect_to_max_depth(truth, liar, 3)
    actions = solve(game, truth)
    steps = [a for a in actions if isinstance(a, Step)]
    assert len(steps) == 1 and len(actions) == 1
    (step,) = steps
    leaf = game.claims()[step.parent_index]
    assert pos.depth(leaf.position) == 3
    # the step is the one transition where the liar departs from the truth
    assert step.pre_state_steps == first_lie
    play(game, HONEST, actions)
    assert solve(game, truth) == []  # countered: nothing left
    game.now += MAX_CLOCK
    for index in resolution_order(game.claims()):
        game.resolve_claim(index)
    assert game.resolve() == CHALLENGER_WINS
    assert all(c.countered_by is None for c in game.claims() if c.claimant == HONEST)


def test_a_leaf_whose_value_is_right_is_countered_by_a_defence_step() -> None:
    truth = ToyTrace.of_length("t", 6, STATUS_VALID)
    game = new_game(truth, 2, toy_state("lie", 3))
    play(game, HONEST, solve(game, truth))  # attack root: 2 (index 1)
    ours = game.claims()[1]
    # the liar defends our claim at 6 (index 2) with the true value: its claim says index 3
    # (the root) follows from it, which a step from index 2 disproves
    leaf = game.move(LIAR, 1, ours.value, truth.state_hash(2), False)
    assert solve(game, truth) == [Step(leaf, False, 3)]
    # the same leaf with only its status byte wrong is still ours to step from as a pre-state,
    # but its value is wrong, so the attack (from index 1, our claim at 2) comes first
    wrong_status = bytes([7]) + truth.state_hash(2)[1:]
    leaf2 = game.move(FREELOADER, 1, ours.value, wrong_status, False)
    assert solve(game, truth) == [Step(leaf, False, 3), Step(leaf2, True, 2)]
    play(game, HONEST, solve(game, truth))
    assert solve(game, truth) == []


def test_attack_step_at_index_zero_runs_from_the_absolute_prestate() -> None:
    truth = ToyTrace.of_length("t", 4, STATUS_VALID)
    liar = liar_from(truth, 0, 3)
    game = _bisect_to_max_depth(truth, liar, 3)
    (step,) = solve(game, truth)
    assert step.is_attack and step.pre_state_steps == 0
    assert game.claims()[step.parent_index].position == pos.leaf_position(0, 3)
    play(game, HONEST, [step])


def test_a_countered_leaf_is_not_stepped_again() -> None:
    truth = ToyTrace.of_length("t", 6, STATUS_VALID)
    liar = liar_from(truth, 3, 3)
    game = _bisect_to_max_depth(truth, liar, 3)
    (step,) = solve(game, truth)
    play(game, FREELOADER, [step])
    assert solve(game, truth) == []
    with pytest.raises(Revert, match="AlreadyCountered"):
        play(game, HONEST, [step])


def test_seconds_left_matches_the_contract_clock_and_the_extension() -> None:
    truth = ToyTrace.of_length("t", 6, STATUS_VALID)
    liar = liar_from(truth, 3, 3)
    game = new_game(truth, 3, liar.state_hash(7), now=0)
    for now in (0, 1, 999, 1000, 5000):
        game.now = now
        assert seconds_left(game.claims(), 0, now, MAX_CLOCK) == MAX_CLOCK - (
            game.challenger_duration(0)
        )
    game.now = 950  # our move with 50 s left: the liar's side gets 950 used, ours clamps to 900
    play(game, HONEST, solve(game, truth))
    assert game.claims()[1].clock_duration_seconds == MAX_CLOCK - EXTENSION
    game.now = 1300  # the liar answers 350 s later (its side: 0 used before + 350)
    play(game, LIAR, solve(game, liar))
    for now in (1300, 1350, 1399, 1400, 3000):
        game.now = now
        for index in range(len(game.claims())):
            left = seconds_left(game.claims(), index, now, MAX_CLOCK)
            assert left == MAX_CLOCK - game.challenger_duration(index)
    # we have exactly the extension to answer the liar
    assert seconds_left(game.claims(), 2, 1300, MAX_CLOCK) == EXTENSION
    game.now = 1400
    with pytest.raises(Revert, match="ClockTimeExceeded"):
        play(game, HONEST, solve(game, truth))


def test_by_urgency_puts_the_shortest_clock_first() -> None:
    truth = ToyTrace.of_length("t", 6, STATUS_VALID)
    game = new_game(truth, 3, truth.state_hash(7), now=0, challenger=HONEST)
    root = game.claims()[0].value
    game.now = 100
    game.move(LIAR, 0, root, toy_state("a", 3), True)  # 1
    game.now = 950  # we answer late: our side has used 850 s on this path
    play(game, HONEST, solve(game, truth))  # 2
    game.now = 955
    game.move(LIAR, 0, root, toy_state("b", 3), True)  # 3: our side has 995 s left
    game.now = 960
    game.move(LIAR, 2, game.claims()[2].value, toy_state("c", 1), True)  # 4: 150 s left
    actions = solve(game, truth)
    assert [a.parent_index for a in actions] == [3, 4]
    ordered = by_urgency(actions, game.claims(), game.now, MAX_CLOCK)
    assert [a.parent_index for a in ordered] == [4, 3]
    assert [seconds_left(game.claims(), i, game.now, MAX_CLOCK) for i in (3, 4)] == [995, 150]


def test_resolution_order_is_children_first_and_resolvable_follows_the_clocks() -> None:
    truth = ToyTrace.of_length("t", 6, STATUS_VALID)
    liar = liar_from(truth, 2, 3)
    game = new_game(truth, 3, liar.state_hash(7), now=0)
    game.now = 10
    play(game, HONEST, solve(game, truth))
    game.now = 500
    play(game, LIAR, solve(game, liar))
    claims = game.claims()
    order = resolution_order(claims)
    assert sorted(order) == list(range(len(claims)))
    for c in claims:
        if c.parent_index is not None:
            assert order.index(c.index) < order.index(c.parent_index)
    # at 1010 the root's counter side ran out (1000 s since creation) but not its children's
    assert resolvable_claims(claims, (), 1010, MAX_CLOCK) == []
    # claim 2's counter side had used 10 s (claim 1's clock) and runs out 990 s after 500
    assert resolvable_claims(claims, (), 1489, MAX_CLOCK) == []
    game.now = 1490
    ready = resolvable_claims(game.claims(), (), game.now, MAX_CLOCK)
    assert ready == [2, 1, 0]
    assert resolvable_claims(game.claims(), (2,), game.now, MAX_CLOCK) == [1, 0]
    for index in ready:
        game.resolve_claim(index)
    with pytest.raises(ValueError):
        resolution_order([dataclasses.replace(claims[1], index=0)])
