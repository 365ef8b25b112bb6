"""Randomized games: the honest solver against liars, freeloaders and manglers (SPEC §11).

Each game draws a true trace (1 step, up to 2**D, or longer than the game can show), a liar's
trace (departing from the truth from step k on, at one step only, or at random steps; by whole
values or by the status byte only), who makes the root claim (the liar, the honest player, or
nobody's trace), and a dishonest strategy mixing: the liar playing its own trace by the honest
rules, flipping attack and defence, freeloaders copying the honest move first or posting mangled
values anywhere in the tree, and steps tried by anyone with any real witness. The game is played
on ``GameModel`` (the contract's rules, a step judged by the true trace) with real clocks, then
resolved bottom-up in random chunks.

Every game must end as the truth says (the root stands iff it is the true final state), every
claim the honest player posted must stand (its bonds come back), no honest transaction may
revert, and the honest player must never counter a claim it agrees with — a claim agrees with
our trace when its value is ours and it is the true response to a false parent (or the true
root), computed here independently of the solver.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from rollup_node.faultproof.game import positions as pos
from rollup_node.faultproof.game.solver import (
    by_urgency,
    honest_actions,
    honest_claims,
    resolvable_claims,
)
from rollup_node.protocol.dispute import Action, Claim, Move, Step
from tests.unit.faultproof.game.game_model import (
    CHALLENGER_WINS,
    DEFENDER_WINS,
    STATUS_INVALID,
    STATUS_UNFINISHED,
    STATUS_VALID,
    GameModel,
    LyingTrace,
    Revert,
    ToyTrace,
    toy_state,
)

SEED = 0x5EC11
GAMES = 600
HONEST, LIAR, FREELOADER = "honest", "liar", "freeloader"
MAX_CLOCK, EXTENSION = 3600, 300


@dataclass
class Strategy:
    """How the dishonest side plays one game."""

    liar_plays: float  # chance the liar takes each action its own trace suggests
    flip: float  # chance the liar moves the other way (attack for defend and back)
    freeload: float  # chance per round of a freeloader move
    copy: float  # chance a freeloader's move is the honest one, posted first
    stray_step: float  # chance per round of a step with an arbitrary real witness
    budget: int  # dishonest actions and rounds in all


def true_trace(rng: random.Random, game_no: int, max_depth: int) -> ToyTrace:
    leaves = 1 << max_depth
    kind = rng.random()
    if kind < 0.15:
        steps = 1
    elif kind < 0.3:
        steps = leaves + rng.randrange(1, leaves)  # longer than the game: unfinished at the root
    else:
        steps = rng.randrange(1, leaves + 1)
    status = rng.choice((STATUS_VALID, STATUS_INVALID, 2))
    return ToyTrace.of_length(f"truth{game_no}", steps, status)


def lying_trace(rng: random.Random, truth: ToyTrace, max_depth: int) -> tuple[LyingTrace, str]:
    leaves = 1 << max_depth
    status_only = rng.random() < 0.25

    def fake(i: int) -> bytes:
        real = truth.state_hash(i)
        if status_only:  # the same witness hash, another status
            return bytes([(real[0] + rng.randrange(1, 4)) % 4]) + real[1:]
        return toy_state(f"lie{rng.random()}", i, rng.choice((STATUS_UNFINISHED, STATUS_VALID)))

    kind = rng.choice(("from", "from", "one", "random"))
    k = rng.randrange(leaves)
    if kind == "from":
        lies = {i: fake(i) for i in range(k, leaves)}
    elif kind == "one":
        lies = {k: fake(k)}
    else:
        density = rng.choice((0.05, 0.3, 0.9))
        lies = {i: fake(i) for i in range(leaves) if rng.random() < density}
    return LyingTrace(truth, lies), f"{kind}{'-status' if status_only else ''}"


def agreed_claims(claims: list[Claim], truth: ToyTrace, max_depth: int) -> set[int]:
    """The claims that agree with the truth: the true root, and each claim whose value is
    true and which is the true response (attack a wrong value, defend a right one) to a claim
    that does not agree."""
    agreed: set[int] = set()

    def right(c: Claim) -> bool:
        return c.value == truth.state_hash(pos.trace_index(c.position, max_depth))

    for c in claims:
        if c.parent_index is None:
            if right(c):
                agreed.add(c.index)
            continue
        parent = claims[c.parent_index]
        if parent.index in agreed or not right(c):
            continue
        attack = parent.parent_index is None or not right(parent)
        if c.position == pos.move_position(parent.position, attack):
            agreed.add(c.index)
    return agreed


def mangle(rng: random.Random, value: bytes) -> bytes:
    choice = rng.randrange(3)
    if choice == 0:  # the status byte
        return bytes([(value[0] + 1) % 4]) + value[1:]
    if choice == 1:  # one bit of the hash
        bit = rng.randrange(8, 256)
        return (int.from_bytes(value, "big") ^ (1 << (255 - bit))).to_bytes(32, "big")
    return rng.randbytes(32)


def act(game: GameModel, sender: str, action: Action) -> None:
    if isinstance(action, Move):
        game.move(sender, action.parent_index, action.parent_value, action.value, action.is_attack)
    else:
        game.step(sender, action.parent_index, action.is_attack, action.pre_state_steps)


def try_act(game: GameModel, sender: str, action: Action) -> bool:
    try:
        act(game, sender, action)
    except Revert:
        return False
    return True


def dishonest_round(
    rng: random.Random, game: GameModel, liar: LyingTrace, s: Strategy, stats: Counter
) -> int:
    """One round of the dishonest side; returns the budget it spent (a round at least, so a
    liar with nothing left to say still runs out)."""
    spent = 0
    claims = game.claims()
    max_depth = game.max_game_depth
    for action in honest_actions(claims, liar, max_depth, game.absolute_prestate):
        if spent >= s.budget or rng.random() >= s.liar_plays:
            continue
        if isinstance(action, Move) and rng.random() < s.flip:
            parent = claims[action.parent_index]
            if parent.parent_index is not None or not action.is_attack:
                flipped = pos.move_position(parent.position, not action.is_attack)
                value = liar.state_hash(pos.trace_index(flipped, max_depth))
                action = Move(action.parent_index, parent.value, value, not action.is_attack)
                stats["liar flips"] += 1
        spent += 1
        stats["liar actions"] += try_act(game, LIAR, action)
    if spent < s.budget and rng.random() < s.freeload:
        spent += 1
        parent = rng.choice([c for c in claims if pos.depth(c.position) < max_depth])
        attack = parent.parent_index is None or rng.random() < 0.5
        position = pos.move_position(parent.position, attack)
        true_value = game.truth.state_hash(pos.trace_index(position, max_depth))
        if rng.random() < s.copy:
            value = true_value
            stats["freeloader copies"] += 1
        else:
            value = mangle(rng, rng.choice((true_value, liar.state_hash(0), parent.value)))
        stats["freeloader moves"] += try_act(
            game, FREELOADER, Move(parent.index, parent.value, value, attack)
        )
    leaves = [c for c in claims if pos.depth(c.position) == max_depth and c.countered_by is None]
    if spent < s.budget and leaves and rng.random() < s.stray_step:
        spent += 1
        leaf = rng.choice(leaves)
        attack = rng.random() < 0.5
        steps = pos.step_pre_state_steps(leaf.position, attack, max_depth)
        steps = max(0, steps + rng.choice((0, 0, -1, 1)))
        stats["stray steps landed"] += try_act(game, FREELOADER, Step(leaf.index, attack, steps))
    return max(spent, 1)


def play_one(rng: random.Random, game_no: int, stats: Counter) -> None:
    max_depth = rng.randint(2, 10)
    truth = true_trace(rng, game_no, max_depth)
    liar, liar_kind = lying_trace(rng, truth, max_depth)
    stats[f"liar {liar_kind}"] += 1
    root_index = (1 << max_depth) - 1
    who = rng.choice(("liar", "liar", "honest", "random"))
    root = {
        "liar": liar.state_hash(root_index),
        "honest": truth.state_hash(root_index),
        "random": rng.randbytes(32),
    }[who]
    now = 1_000_000
    game = GameModel(
        truth=truth,
        absolute_prestate=truth.prestate,
        max_game_depth=max_depth,
        max_clock_duration=MAX_CLOCK,
        clock_extension=EXTENSION,
        base_move_bond=10,
        now=now,
    )
    game.create(HONEST if who == "honest" else LIAR, root, 10)
    strategy = Strategy(
        liar_plays=rng.choice((1.0, 0.8, 0.5)),
        flip=rng.choice((0.0, 0.0, 0.2, 0.6)),
        freeload=rng.choice((0.0, 0.3, 0.8)),
        copy=rng.choice((0.0, 0.5)),
        stray_step=rng.choice((0.0, 0.3)),
        budget=rng.randint(1, 4 * max_depth + 6),
    )
    context = f"game {game_no}: depth {max_depth}, {liar_kind} liar, root by {who}, {strategy}"
    spent = 0
    countered_by_us: set[int] = set()  # claims we moved against or stepped on
    for _round in range(20 * max_depth + 200):
        if rng.random() < 0.1:
            game.now += rng.randint(EXTENSION, MAX_CLOCK // 2)  # the dishonest side takes time
        if spent < strategy.budget:
            spent += dishonest_round(rng, game, liar, strategy, stats)
        game.now += rng.randint(0, EXTENSION // 2)  # we answer well inside the extension
        claims = game.claims()
        actions = honest_actions(claims, truth, max_depth, truth.prestate)
        agreed = agreed_claims(claims, truth, max_depth)
        assert honest_claims(claims, truth, max_depth, truth.prestate) <= agreed, context
        for action in by_urgency(actions, claims, game.now, MAX_CLOCK):
            assert action.parent_index not in agreed, f"{context}: countered an agreed claim"
            try:
                act(game, HONEST, action)
            except Revert as e:
                raise AssertionError(f"{context}: honest {action} reverted: {e.name}") from e
            countered_by_us.add(action.parent_index)
            stats["honest steps" if isinstance(action, Step) else "honest moves"] += 1
        game.now += rng.randint(1, EXTENSION // 2)
        if spent >= strategy.budget and not actions:
            break
    else:
        raise AssertionError(f"{context}: did not settle")

    game.now += MAX_CLOCK
    resolved: set[int] = set()
    while 0 not in resolved:
        ready = resolvable_claims(game.claims(), resolved, game.now, MAX_CLOCK)
        assert ready, context
        for index in ready:
            while index not in game.resolved:
                game.resolve_claim(index, rng.choice((0, 1, 2, 5)))
            resolved.add(index)
    assert resolved == set(range(len(game.claims()))), context
    expected = CHALLENGER_WINS if root == truth.state_hash(root_index) else DEFENDER_WINS
    assert game.resolve() == expected, context
    ours = [c for c in game.claims() if c.claimant == HONEST]
    assert all(c.countered_by is None for c in ours), f"{context}: an honest claim fell"
    # and the bond of every claim we countered is ours: no freeloader on our left took it
    claims = game.claims()
    assert all(claims[i].countered_by == HONEST for i in countered_by_us), f"{context}: bond lost"
    stats[expected] += 1
    stats["claims"] += len(game.claims())
    stats["max-depth games"] += any(pos.depth(c.position) == max_depth for c in game.claims())


def test_the_honest_side_wins_every_random_game() -> None:
    rng = random.Random(SEED)
    stats: Counter = Counter()
    for game_no in range(GAMES):
        play_one(rng, game_no, stats)
    # the draw covers what it claims to (a generator gone flat would make this test empty)
    assert stats[CHALLENGER_WINS] > 50 and stats[DEFENDER_WINS] > 200, stats
    assert stats["honest steps"] > 200 and stats["max-depth games"] > 200, stats
    assert stats["freeloader moves"] > 100 and stats["freeloader copies"] > 20, stats
    assert stats["liar flips"] > 50 and stats["stray steps landed"] > 0, stats
    for kind in ("from", "one", "random", "from-status"):
        assert stats[f"liar {kind}"] > 20, stats
