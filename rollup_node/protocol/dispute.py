"""The vocabulary of a dispute game as the node plays it (SPEC §11).

A game is a tree of claims. Each claim commits to the state hash at one position of the
program's execution trace; positions are generalized indices (root = 1, depth = floor(log2 p)),
and a claim at position ``p`` of depth ``d`` commits to trace index
``((p - 2**d) + 1) * 2**(max_depth - d) - 1``. Trace index ``i`` is the state after ``i + 1``
steps from the absolute prestate; past the program's end every index holds the final state.

These types are the seam between the pure solver (which decides), the trace provider (which
knows the states), the responder (which sends transactions) and the L1 client of the game
contract (``l1/fault_dispute_game.py``, which reads claims and encodes moves). They are plain
data with no imports of the node, and live here, below ``l1/`` and ``faultproof/game/``, so that
both use them without an upward import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Claim:
    """One entry of a game's ``claimData``, as read from L1."""

    index: int  # its place in claimData
    parent_index: int | None  # None for the root claim
    position: int  # generalized index, root = 1
    value: bytes  # the 32-byte state hash claimed (first byte: status)
    claimant: str  # checksummed address
    bond_wei: int
    countered_by: str | None  # who countered it by a step (None while nobody has)
    clock_duration_seconds: int  # time the claimant's side had used on its path when it moved
    clock_timestamp: int  # L1 time of the move


class TraceAccessor(Protocol):
    """What the solver reads: our own trace."""

    def state_hash(self, trace_index: int) -> bytes:
        """The 32-byte state hash (status byte first) after ``trace_index + 1`` steps; the final
        state for every index at or past the program's end."""
        ...


@dataclass(frozen=True)
class Move:
    """Counter claim ``parent_index`` (whose value we saw as ``parent_value``) with ``value`` at
    the midpoint left (attack) or right (defence) of it."""

    parent_index: int
    parent_value: bytes
    value: bytes
    is_attack: bool


@dataclass(frozen=True)
class Step:
    """Counter the max-depth claim ``parent_index`` with one on-chain MIPS step whose agreed
    pre-state is the state after ``pre_state_steps`` steps (0: the absolute prestate)."""

    parent_index: int
    is_attack: bool
    pre_state_steps: int


Action = Move | Step


@dataclass(frozen=True)
class PreimagePart:
    """The preimage part a step reads, which must be in the PreimageOracle before the step.

    ``key`` type 1 (local): loaded through the game's ``addLocalData(ident, offset)``;
    type 2 (keccak): ``loadKeccak256PreimagePart(offset, data)``;
    type 6 (precompile): ``loadPrecompilePreimagePart(offset, precompile, required_gas, data)``
    with ``data`` the call input.
    """

    key: bytes
    offset: int
    data: bytes  # keccak preimage or precompile input; for a local key, its value
    local_ident: int | None = None
    precompile: str | None = None  # precompile address, checksummed
    required_gas: int | None = None


@dataclass(frozen=True)
class StepProof:
    """What ``FaultDisputeGame.step`` takes, for the state after ``pre_state_steps`` steps."""

    pre_state_steps: int
    state_data: bytes  # the 226-byte witness of the pre-state
    proof: bytes  # memory proofs (instruction leaf, then data leaf if used)
    post_state_hash: bytes
    preimage: PreimagePart | None
