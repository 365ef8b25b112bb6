"""What a dispute game over a trace of a given length takes: depth, moves, bonds, L1 gas (SPEC §11).

Pure arithmetic over the game's rules, for ``rollup-node dispute dry-run`` and for an operator
funding a challenger. A game always bisects to the deployed ``max_game_depth`` ``D`` whatever the
trace length (the trace is padded with its final state to 2^D positions), so a *full bisection*
has one claim at every depth 1…D on the disputed path:

- the root (depth 0) is the challenger's, with the creation bond (the BondManager's
  ``requiredBond``);
- the defender attacks it at depth 1, so the defender posts the odd depths and the challenger
  the even ones, each move to depth ``d`` carrying ``baseMoveBond · (1 + d)``;
- the depth-D claim is countered only by a ``step`` of the other side (the challenger when D is
  odd). The honest side (the defender when the root is valid, the challenger otherwise) steps
  when that is its turn, after loading the preimage part the step reads if it reads one (a
  local input through ``addLocalData`` or a keccak part through the oracle); when the honest
  side posted the depth-D claim the liar has no valid step and the claim stands at its clock's
  end, so no step is made;
- resolution: ``resolveClaim`` once per claim (D + 1, one child each, within one chunk of the
  responder's 64), ``resolve``, and one ``claimCredit``: the honest side counters every claim
  of the liar and keeps its own, so it is paid everything.

The *depth needed* is the least ``d`` with ``2^d ≥ steps``: the deployed depth must be at least
that (SPEC §10), or the program is cut before it exits (status 3, counted as invalid).

L1 gas is estimated from ``MEASURED_GAS_PER_CALL``, figures measured on the embedded L1 by
``bench/dispute_game.py`` (their source is in its docstring); moves and resolutions vary by a
few hundred gas with depth and children, a keccak load with the preimage's size.
"""

from __future__ import annotations

from dataclasses import dataclass

#: L1 gas per call, from two games played on the embedded L1 by ``bench/dispute_game.py``
#: (2026-12-07; depth 41, a 1-transfer block, lying defender; successful calls): ``create``
#: 2,136,817; ``move`` mean 269,711 over 41 moves (246,425 at depth 1 rising ~77 gas per depth
#: to 271,895 at depth 41); ``step`` 207,074 (no preimage read); ``resolveClaim`` mean 121,030
#: (max 141,340); ``resolve`` 379,388 with the SCC deletion (265,112 in the second game);
#: ``claimCredit`` 29,145. ``load_part`` is the largest measured load before a step:
#: ``addLocalData`` 97,542, ``loadKeccak256PreimagePart`` 92,032 for 136 bytes, 106,500 for
#: 1,000 bytes (an L1 header is ~600 bytes, a trie node at most 532).
MEASURED_GAS_PER_CALL: dict[str, int] = {
    "create": 2_136_817,
    "move": 269_711,
    "load_part": 106_500,
    "step": 207_074,
    "resolveClaim": 121_030,
    "resolve": 379_388,
    "claimCredit": 29_145,
}

#: Where ``MEASURED_GAS_PER_CALL`` comes from, as the dry run prints it.
GAS_SOURCE = "bench/dispute_game.py, embedded L1, depth 41, 2026-12-07"


def depth_needed(steps: int) -> int:
    """The least game depth ``d`` whose trace of 2^d positions holds ``steps`` states."""
    if steps < 1:
        raise ValueError(f"a trace has at least one step, not {steps}")
    return (steps - 1).bit_length()


def move_bond_wei(depth: int, base_move_bond_wei: int) -> int:
    """The exact bond of a move to ``depth`` (``FaultDisputeGame.moveBond``)."""
    return base_move_bond_wei * (1 + depth)


@dataclass(frozen=True)
class GameEstimate:
    """One full bisection of a game of depth ``max_game_depth`` over a trace of ``steps``."""

    steps: int
    max_game_depth: int
    depth_needed: int
    challenger_moves: int
    defender_moves: int
    honest_side: str  # "defender" when the root is valid, else "challenger"
    stepper: str | None  # who steps against the depth-D claim; None: the liar cannot
    challenger_bonds_wei: int  # the creation bond and its moves' bonds
    defender_bonds_wei: int
    l1_gas: int  # every call of both sides: create, moves, load, step, resolution, credit
    gas_by_call: tuple[tuple[str, int, int], ...]  # (call, count, gas per call)

    @property
    def fits(self) -> bool:
        """Whether the program's run fits the deployed trace (exits within 2^D steps)."""
        return self.steps <= 1 << self.max_game_depth


def estimate_game(
    steps: int,
    root_valid: bool,
    max_game_depth: int,
    base_move_bond_wei: int,
    creation_bond_wei: int,
    gas_per_call: dict[str, int] | None = None,
) -> GameEstimate:
    """The moves, bonds and L1 gas of a full bisection over a trace of ``steps`` steps, against
    a root the program finds valid (``root_valid``: the challenger lies) or not."""
    if max_game_depth < 1:
        raise ValueError(f"max_game_depth {max_game_depth} < 1")
    gas = MEASURED_GAS_PER_CALL if gas_per_call is None else gas_per_call
    depths = range(1, max_game_depth + 1)
    defender = [d for d in depths if d % 2 == 1]
    challenger = [d for d in depths if d % 2 == 0]
    honest = "defender" if root_valid else "challenger"
    countering = "challenger" if max_game_depth % 2 == 1 else "defender"
    stepper = countering if countering == honest else None
    steps_made = 1 if stepper is not None else 0
    counts = (
        ("create", 1),
        ("move", max_game_depth),
        ("load_part", steps_made),  # at most: most steps read no preimage
        ("step", steps_made),
        ("resolveClaim", max_game_depth + 1),
        ("resolve", 1),
        ("claimCredit", 1),
    )
    by_call = tuple((name, count, gas[name]) for name, count in counts)
    return GameEstimate(
        steps=steps,
        max_game_depth=max_game_depth,
        depth_needed=depth_needed(steps),
        challenger_moves=len(challenger),
        defender_moves=len(defender),
        honest_side=honest,
        stepper=stepper,
        challenger_bonds_wei=creation_bond_wei
        + sum(move_bond_wei(d, base_move_bond_wei) for d in challenger),
        defender_bonds_wei=sum(move_bond_wei(d, base_move_bond_wei) for d in defender),
        l1_gas=sum(count * per_call for _, count, per_call in by_call),
        gas_by_call=by_call,
    )
