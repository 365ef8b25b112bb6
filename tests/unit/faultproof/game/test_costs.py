"""The depth, moves, bonds and L1 gas of a full bisection (``game.costs``)."""

from __future__ import annotations

import pytest

from rollup_node.faultproof.game.costs import (
    MEASURED_GAS_PER_CALL,
    depth_needed,
    estimate_game,
    move_bond_wei,
)

BASE = 10**16  # the devnet's baseMoveBond, 0.01 ETH
BOND = 10**18


@pytest.mark.parametrize(
    ("steps", "depth"), [(1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (2**22, 22), (2**22 + 1, 23)]
)
def test_depth_needed_is_the_least_that_holds_the_trace(steps: int, depth: int) -> None:
    assert depth_needed(steps) == depth
    assert steps <= 2**depth and (depth == 0 or steps > 2 ** (depth - 1))


def test_a_depth_40_game_against_a_valid_root() -> None:
    game = estimate_game(3_600_000, True, 40, BASE, BOND)
    assert (game.defender_moves, game.challenger_moves) == (20, 20)
    # the README's figure: the challenger's moves at even depths lock 4.4 ETH
    assert game.challenger_bonds_wei == BOND + 44 * 10**17
    assert game.defender_bonds_wei == sum(move_bond_wei(d, BASE) for d in range(1, 40, 2))
    # the lying challenger posts depth 40; the honest defender steps against it
    assert (game.honest_side, game.stepper) == ("defender", "defender")
    assert game.depth_needed == 22 and game.fits
    gas = MEASURED_GAS_PER_CALL
    assert game.l1_gas == (
        gas["create"] + 40 * gas["move"] + gas["load_part"] + gas["step"]
        + 41 * gas["resolveClaim"] + gas["resolve"] + gas["claimCredit"]
    )  # fmt: skip


def test_the_honest_side_posting_the_last_claim_makes_no_step() -> None:
    invalid = estimate_game(3_600_000, False, 40, BASE, BOND)
    assert (invalid.honest_side, invalid.stepper) == ("challenger", None)
    assert dict((name, count) for name, count, _ in invalid.gas_by_call)["step"] == 0
    odd = estimate_game(3_600_000, False, 41, BASE, BOND)
    assert (odd.defender_moves, odd.challenger_moves, odd.stepper) == (21, 20, "challenger")


def test_a_trace_longer_than_the_game_does_not_fit() -> None:
    assert not estimate_game(2**20 + 1, False, 20, BASE, BOND).fits
