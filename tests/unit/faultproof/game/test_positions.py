"""Position maths against a line-by-line transcription of FaultDisputeGame.sol's formulas."""

from __future__ import annotations

import itertools
import random

import pytest

from rollup_node.faultproof.game import positions as pos
from rollup_node.protocol.dispute import Claim

UINT256 = (1 << 256) - 1


# ---------------------------------------------------------------- the contract, transcribed


def sol_depth_of(position: int) -> int:
    d = 0
    while position > 1:
        position >>= 1
        d += 1
    return d


def sol_trace_index_of(position: int, max_game_depth: int) -> int:
    d = sol_depth_of(position)
    return (((position - (1 << d) + 1) << (max_game_depth - d)) - 1) & UINT256


def sol_move_position(parent_position: int, is_attack: bool) -> int:
    return ((parent_position | (0 if is_attack else 1)) << 1) & UINT256


def sol_trace_ancestor_position(position: int) -> int:
    while position & 1 == 1 and position > 1:
        position >>= 1
    return position


def sol_step_states(position: int, is_attack: bool, max_game_depth: int) -> tuple[int | None, int]:
    """(pre-state position or None for the absolute prestate, post-state position) of `step`."""
    if is_attack:
        index = position - (1 << max_game_depth)
        pre = None if index == 0 else sol_trace_ancestor_position(position - 1)
        return pre, position
    return position, sol_trace_ancestor_position(position + 1)


def all_positions(max_depth: int) -> range:
    return range(1, 1 << (max_depth + 1))


# ---------------------------------------------------------------- formulas


@pytest.mark.parametrize("max_depth", [2, 3, 5, 8])
def test_depth_and_trace_index_match_the_contract_everywhere(max_depth: int) -> None:
    for p in all_positions(max_depth):
        assert pos.depth(p) == sol_depth_of(p)
        assert pos.trace_index(p, max_depth) == sol_trace_index_of(p, max_depth)
        assert pos.position_at(pos.depth(p), pos.index_at_depth(p)) == p


def test_large_positions_match_the_contract() -> None:
    rng = random.Random(7)
    for max_depth in (40, 63):
        for _ in range(2000):
            p = rng.randrange(1, 1 << (max_depth + 1))
            assert pos.depth(p) == sol_depth_of(p)
            assert pos.trace_index(p, max_depth) == sol_trace_index_of(p, max_depth)


def test_root_commits_to_the_final_index_and_leaves_to_their_own() -> None:
    for max_depth in range(2, 11):
        assert pos.trace_index(1, max_depth) == (1 << max_depth) - 1
        for i in range(1 << max_depth):
            assert pos.trace_index(pos.leaf_position(i, max_depth), max_depth) == i


def test_a_position_commits_to_the_last_leaf_under_it() -> None:
    max_depth = 6
    for p in all_positions(max_depth):
        d = pos.depth(p)
        last_leaf = ((p + 1) << (max_depth - d)) - 1
        assert pos.trace_index(p, max_depth) == last_leaf - (1 << max_depth)


def test_bad_positions_are_refused() -> None:
    with pytest.raises(ValueError):
        pos.depth(0)
    with pytest.raises(ValueError):
        pos.trace_index(1 << 5, 4)
    with pytest.raises(ValueError):
        pos.defend_position(1)
    with pytest.raises(ValueError):
        pos.position_at(3, 8)


@pytest.mark.parametrize("max_depth", [2, 4, 7])
def test_moves_match_the_contract(max_depth: int) -> None:
    for p in all_positions(max_depth - 1):
        assert pos.attack_position(p) == sol_move_position(p, True)
        assert pos.move_position(p, True) == sol_move_position(p, True)
        if p != 1:
            assert pos.defend_position(p) == sol_move_position(p, False)
            assert pos.move_position(p, False) == sol_move_position(p, False)


@pytest.mark.parametrize("max_depth", [2, 4, 7])
def test_attack_goes_left_and_defence_goes_right_of_the_claim(max_depth: int) -> None:
    for p in all_positions(max_depth - 1):
        if p != 1 and p % 2:
            continue  # unreachable: every claim but the root is even
        i = pos.trace_index(p, max_depth)
        assert pos.trace_index(pos.attack_position(p), max_depth) < i
        if p != 1:
            assert pos.trace_index(pos.defend_position(p), max_depth) > i


def test_disputed_position_inverts_every_move() -> None:
    for p in all_positions(7):
        if p != 1 and p % 2:
            continue
        child = pos.attack_position(p)
        assert pos.is_attack_position(child)
        assert pos.disputed_position(child) == p
        if p != 1:
            child = pos.defend_position(p)
            assert not pos.is_attack_position(child)
            assert pos.disputed_position(child) == p
    with pytest.raises(ValueError):
        pos.is_attack_position(5)


@pytest.mark.parametrize("max_depth", [2, 3, 6])
def test_trace_ancestor_matches_the_contract(max_depth: int) -> None:
    for p in all_positions(max_depth):
        a = pos.trace_ancestor(p)
        assert a == sol_trace_ancestor_position(p)
        assert pos.trace_index(a, max_depth) == pos.trace_index(p, max_depth)
        # it is the highest such position: its parent commits elsewhere
        if a != 1:
            assert pos.trace_index(a >> 1, max_depth) != pos.trace_index(p, max_depth)


@pytest.mark.parametrize("max_depth", [2, 3, 6])
def test_step_states_match_the_contract(max_depth: int) -> None:
    for p in range(1 << max_depth, 1 << (max_depth + 1), 2):
        i = pos.trace_index(p, max_depth)
        for is_attack in (True, False):
            pre, post = sol_step_states(p, is_attack, max_depth)
            assert pos.step_pre_state_position(p, is_attack, max_depth) == pre
            assert pos.step_post_state_position(p, is_attack, max_depth) == post
            steps = pos.step_pre_state_steps(p, is_attack, max_depth)
            # the pre-state is the state after `steps` steps: trace index steps - 1
            if pre is None:
                assert steps == 0
            else:
                assert pos.trace_index(pre, max_depth) == steps - 1
            # the post-state is one step further
            assert pos.trace_index(post, max_depth) == steps
            assert steps == (i if is_attack else i + 1)
    with pytest.raises(ValueError):
        pos.step_pre_state_position(2, True, max_depth)


def _paths(max_depth: int):
    """Every sequence of moves from the root down to max depth (positions on the path)."""
    for moves in itertools.product((True, False), repeat=max_depth):
        if not moves[0]:
            continue  # the root can only be attacked
        path = [1]
        for is_attack in moves:
            path.append(pos.move_position(path[-1], is_attack))
        yield path


@pytest.mark.parametrize("max_depth", [2, 3, 5, 8])
def test_every_step_finds_its_states_on_the_path(max_depth: int) -> None:
    """The contract's `_traceAncestor` walk never runs past the root for a reachable leaf."""
    for path in _paths(max_depth):
        claims = [
            Claim(i, i - 1 if i else None, p, b"", "0x", 0, None, 0, 0) for i, p in enumerate(path)
        ]
        leaf = path[-1]
        for is_attack in (True, False):
            for target in (
                pos.step_pre_state_position(leaf, is_attack, max_depth),
                pos.step_post_state_position(leaf, is_attack, max_depth),
            ):
                if target is None:
                    continue
                found = pos.find_on_path(claims, len(claims) - 1, target)
                assert found is not None and claims[found].position == target


def test_find_on_path_stops_at_the_root() -> None:
    claims = [
        Claim(0, None, 1, b"", "0x", 0, None, 0, 0),
        Claim(1, 0, 2, b"", "0x", 0, None, 0, 0),
        Claim(2, 1, 6, b"", "0x", 0, None, 0, 0),
    ]
    assert pos.find_on_path(claims, 2, 2) == 1
    assert pos.find_on_path(claims, 2, 4) is None
    assert pos.find_on_path(claims, 1, 6) is None
