"""Position maths of the dispute game, exactly as ``FaultDisputeGame.sol`` computes it (SPEC §11).

A position is a generalized index into the binary tree over the padded trace: the root is 1,
the children of ``p`` are ``2p`` and ``2p + 1``, and ``depth(p) = floor(log2 p)``. A claim at
position ``p`` of depth ``d`` commits to the last leaf under it, trace index
``((p - 2**d) + 1) * 2**(max_depth - d) - 1``; the root commits to the last index
``2**max_depth - 1`` (the final state). Trace index ``i`` is the state after ``i + 1`` steps.

A move against a claim at ``p`` lands at ``(p | (0 if attack else 1)) << 1``: an attack at the
midpoint left of ``p``, a defence at the midpoint right of it. The root cannot be defended, so
every claim but the root sits at an even position.

A ``step`` against a claim at maximum depth checks one transition of the trace:

- attack: pre-state = the claim committing to trace index ``i - 1`` (the absolute prestate when
  ``i == 0``), post-state = the claim itself;
- defence: pre-state = the claim itself, post-state = the claim committing to index ``i + 1``.

Those neighbouring claims are found on the claim's own path to the root, at the *trace ancestor*
of ``p - 1`` / ``p + 1``: the highest position that commits to the same trace index (the position
with its trailing one bits removed). Everything here is pure integer maths.
"""

from __future__ import annotations

from collections.abc import Sequence

from rollup_node.protocol.dispute import Claim

ROOT_POSITION = 1


def depth(position: int) -> int:
    """``floor(log2 position)``: the root is at depth 0 (``depthOf``)."""
    if position < 1:
        raise ValueError(f"position {position} is not a generalized index (must be >= 1)")
    return position.bit_length() - 1


def index_at_depth(position: int) -> int:
    """The position's offset among the ``2**depth`` positions of its depth."""
    return position - (1 << depth(position))


def position_at(depth_: int, index: int) -> int:
    """The position at ``depth_`` with offset ``index`` (the inverse of ``index_at_depth``)."""
    if not 0 <= index < (1 << depth_):
        raise ValueError(f"index {index} out of range at depth {depth_}")
    return (1 << depth_) + index


def trace_index(position: int, max_depth: int) -> int:
    """The trace index a claim at ``position`` commits to (``traceIndexOf``): its last leaf."""
    d = depth(position)
    if d > max_depth:
        raise ValueError(f"position {position} is deeper than max depth {max_depth}")
    return ((index_at_depth(position) + 1) << (max_depth - d)) - 1


def leaf_position(trace_index_: int, max_depth: int) -> int:
    """The max-depth position that commits to ``trace_index_``."""
    return position_at(max_depth, trace_index_)


def move_position(position: int, is_attack: bool) -> int:
    """Where a move against a claim at ``position`` lands (``move``): ``(p | !attack) << 1``.

    Raises ``ValueError`` for a defence of the root, which the contract refuses
    (``CannotDefendRoot``)."""
    if not is_attack and position == ROOT_POSITION:
        raise ValueError("the root claim cannot be defended")
    return (position | (0 if is_attack else 1)) << 1


def attack_position(position: int) -> int:
    """The position of an attack on ``position``: the midpoint left of it."""
    return move_position(position, True)


def defend_position(position: int) -> int:
    """The position of a defence of ``position``: the midpoint right of it."""
    return move_position(position, False)


def is_attack_position(position: int) -> bool:
    """Whether a (non-root) claim at ``position`` was an attack on its parent.

    An attack on ``q`` lands at ``2q`` (``q`` even or the root), a defence of an even ``q`` at
    ``2(q + 1)`` whose half is odd; so the half tells the two apart."""
    if position == ROOT_POSITION or position % 2:
        raise ValueError(f"position {position} is not reachable by a move")
    half = position >> 1
    return half == ROOT_POSITION or half % 2 == 0


def disputed_position(position: int) -> int:
    """The position of the claim a (non-root) claim at ``position`` moved against."""
    half = position >> 1
    return half if is_attack_position(position) else half - 1


def trace_ancestor(position: int) -> int:
    """The highest position that commits to the same trace index as ``position``
    (``_traceAncestor``'s first loop): ``position`` with its trailing one bits removed, the root
    if it is all ones."""
    while position & 1 == 1 and position > 1:
        position >>= 1
    return position


def step_pre_state_position(position: int, is_attack: bool, max_depth: int) -> int | None:
    """The position whose claim a ``step`` against the max-depth claim at ``position`` takes as
    its pre-state; ``None`` when it is the absolute prestate (an attack at trace index 0)."""
    _require_max_depth(position, max_depth)
    if not is_attack:
        return position
    if index_at_depth(position) == 0:
        return None
    return trace_ancestor(position - 1)


def step_post_state_position(position: int, is_attack: bool, max_depth: int) -> int:
    """The position whose claim a ``step`` against the max-depth claim at ``position`` compares
    the VM's post-state with."""
    _require_max_depth(position, max_depth)
    return position if is_attack else trace_ancestor(position + 1)


def step_pre_state_steps(position: int, is_attack: bool, max_depth: int) -> int:
    """How many steps from the absolute prestate the step's pre-state is: ``i`` for an attack on
    trace index ``i`` (the state at index ``i - 1``), ``i + 1`` for a defence (the claim's own)."""
    i = trace_index(position, max_depth)
    return i if is_attack else i + 1


def find_on_path(claims: Sequence[Claim], start_index: int, position: int) -> int | None:
    """The index of the claim at ``position`` on the path from claim ``start_index`` (inclusive)
    up to the root, as ``_traceAncestor``'s second loop walks it; ``None`` where the contract's
    walk would run past the root (and the step revert)."""
    index: int | None = start_index
    while index is not None:
        claim = claims[index]
        if claim.position == position:
            return index
        index = claim.parent_index
    return None


def _require_max_depth(position: int, max_depth: int) -> None:
    if depth(position) != max_depth:
        raise ValueError(f"position {position} is not at max depth {max_depth} (NotAtMaxDepth)")
