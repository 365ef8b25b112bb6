"""A pure model of FaultDisputeGame.sol for testing the solver, and toy traces.

``GameModel`` follows the contract line by line (``move``, ``step``, ``challengerDuration``,
``resolveClaim``, ``resolve``) with the same revert names, except that the SCC is absent (a
won root claim deletes nothing here) and the MIPS VM is a ``ToyTrace``: a step from the state
after ``s`` steps gives the state after ``s + 1`` steps of the true trace. A step names its
witness by that ``s``, so nobody can step from a state the true program never reaches, which is
what a real witness proves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rollup_node.faultproof.game import positions as pos
from rollup_node.protocol.dispute import Claim

STATUS_VALID = 0
STATUS_INVALID = 1
STATUS_UNFINISHED = 3

IN_PROGRESS, CHALLENGER_WINS, DEFENDER_WINS = "IN_PROGRESS", "CHALLENGER_WINS", "DEFENDER_WINS"


def toy_state(label: str, steps: int, status: int = STATUS_UNFINISHED) -> bytes:
    """A distinct 32-byte state hash, status byte first."""
    digest = hashlib.sha256(f"{label}:{steps}".encode()).digest()
    return bytes([status]) + digest[1:]


@dataclass(frozen=True)
class ToyTrace:
    """A trace from a list: ``states[j]`` is the state after ``j + 1`` steps, padded with the
    last (final) state; ``prestate`` is the state after 0 steps."""

    prestate: bytes
    states: tuple[bytes, ...]

    @classmethod
    def of_length(cls, label: str, steps: int, final_status: int) -> ToyTrace:
        """A program that exits after ``steps`` steps with ``final_status``."""
        states = [toy_state(label, j) for j in range(1, steps)]
        states.append(toy_state(label, steps, final_status))
        return cls(toy_state(label, 0), tuple(states))

    def state_hash(self, trace_index: int) -> bytes:
        return self.states[min(trace_index, len(self.states) - 1)]

    def after(self, steps: int) -> bytes:
        """The state after ``steps`` steps."""
        return self.prestate if steps == 0 else self.state_hash(steps - 1)


@dataclass(frozen=True)
class LyingTrace:
    """Another player's trace: ``lies`` maps trace indices to the values it claims instead."""

    truth: ToyTrace
    lies: dict[int, bytes]

    def state_hash(self, trace_index: int) -> bytes:
        return self.lies.get(trace_index, self.truth.state_hash(trace_index))


class Revert(Exception):
    """The contract reverted with the named error."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass
class _Data:
    parent_index: int | None
    countered_by: str | None
    claimant: str
    bond: int
    claim: bytes
    position: int
    clock_duration: int
    clock_timestamp: int


@dataclass
class GameModel:
    """FaultDisputeGame's rules over plain data; ``now`` is the L1 time of the next call."""

    truth: ToyTrace  # the VM: what a step from a real state gives
    absolute_prestate: bytes
    max_game_depth: int
    max_clock_duration: int
    clock_extension: int
    base_move_bond: int
    now: int
    claim_data: list[_Data] = field(default_factory=list)
    claim_exists: set[tuple[bytes, int, int | None]] = field(default_factory=set)
    children: dict[int, list[int]] = field(default_factory=dict)
    resolved: set[int] = field(default_factory=set)
    resolve_cursor: dict[int, int] = field(default_factory=dict)
    leftmost_counter: dict[int, int] = field(default_factory=dict)
    credit: dict[str, int] = field(default_factory=dict)
    status: str = IN_PROGRESS

    def create(self, challenger: str, root_claim: bytes, bond: int) -> None:
        """The constructor's root claim."""
        self.claim_data.append(_Data(None, None, challenger, bond, root_claim, 1, 0, self.now))
        self.claim_exists.add((root_claim, 1, None))

    # ------------------------------------------------------------ reading

    def claims(self) -> list[Claim]:
        """``claimData`` as the node reads it."""
        return [
            Claim(
                index=i,
                parent_index=c.parent_index,
                position=c.position,
                value=c.claim,
                claimant=c.claimant,
                bond_wei=c.bond,
                countered_by=c.countered_by,
                clock_duration_seconds=c.clock_duration,
                clock_timestamp=c.clock_timestamp,
            )
            for i, c in enumerate(self.claim_data)
        ]

    def move_bond(self, depth: int) -> int:
        return self.base_move_bond * (1 + depth)

    def challenger_duration(self, index: int) -> int:
        c = self.claim_data[index]
        parent_duration = (
            0 if c.parent_index is None else self.claim_data[c.parent_index].clock_duration
        )
        used = parent_duration + (self.now - c.clock_timestamp)
        return min(used, self.max_clock_duration)

    # ------------------------------------------------------------ moves

    def move(
        self,
        sender: str,
        parent_index: int,
        parent_claim: bytes,
        claim: bytes,
        is_attack: bool,
        value: int | None = None,
    ) -> int:
        """``move``; ``value`` defaults to the right bond. Returns the new claim's index."""
        if self.status != IN_PROGRESS:
            raise Revert("GameNotInProgress")
        parent = self.claim_data[parent_index]
        if parent.claim != parent_claim:
            raise Revert("ParentClaimMismatch")
        if not is_attack and parent.position == 1:
            raise Revert("CannotDefendRoot")
        position = (parent.position | (0 if is_attack else 1)) << 1
        depth = pos.depth(position)
        if depth > self.max_game_depth:
            raise Revert("GameDepthExceeded")
        duration = self.challenger_duration(parent_index)
        if duration >= self.max_clock_duration:
            raise Revert("ClockTimeExceeded")
        duration = min(duration, self.max_clock_duration - self.clock_extension)
        required = self.move_bond(depth)
        if (required if value is None else value) != required:
            raise Revert("IncorrectBond")
        key = (claim, position, parent_index)
        if key in self.claim_exists:
            raise Revert("ClaimAlreadyExists")
        self.claim_exists.add(key)
        self.claim_data.append(
            _Data(parent_index, None, sender, required, claim, position, duration, self.now)
        )
        self.children.setdefault(parent_index, []).append(len(self.claim_data) - 1)
        return len(self.claim_data) - 1

    def step(self, sender: str, parent_index: int, is_attack: bool, pre_state_steps: int) -> None:
        """``step`` with the witness of the true state after ``pre_state_steps`` steps."""
        if self.status != IN_PROGRESS:
            raise Revert("GameNotInProgress")
        parent = self.claim_data[parent_index]
        if pos.depth(parent.position) != self.max_game_depth:
            raise Revert("NotAtMaxDepth")
        if parent.countered_by is not None:
            raise Revert("AlreadyCountered")
        if self.challenger_duration(parent_index) >= self.max_clock_duration:
            raise Revert("ClockTimeExceeded")
        if is_attack:
            index = parent.position - (1 << self.max_game_depth)
            if index == 0:
                pre_state = self.absolute_prestate
            else:
                pre_state = self._trace_ancestor(parent.position - 1, parent_index).claim
            post_state = parent
        else:
            pre_state = parent.claim
            post_state = self._trace_ancestor(parent.position + 1, parent_index)
        witness_hash = self.truth.after(pre_state_steps)
        if witness_hash[1:] != pre_state[1:]:
            raise Revert("InvalidPrestate")
        valid_step = self.truth.after(pre_state_steps + 1) == post_state.claim
        parent_post_agree = (pos.depth(parent.position) - pos.depth(post_state.position)) % 2 == 0
        if parent_post_agree == valid_step:
            raise Revert("ValidStep")
        parent.countered_by = sender

    def _trace_ancestor(self, position: int, start: int) -> _Data:
        while position & 1 == 1 and position > 1:
            position >>= 1
        c = self.claim_data[start]
        while c.position != position:
            if c.parent_index is None:
                raise Revert("Panic")  # claimData[type(uint256).max]: out of bounds
            c = self.claim_data[c.parent_index]
        return c

    # ------------------------------------------------------------ resolution

    def resolve_claim(self, index: int, max_children: int = 0) -> None:
        if self.status != IN_PROGRESS:
            raise Revert("GameNotInProgress")
        if index in self.resolved:
            raise Revert("ClaimAlreadyResolved")
        if self.challenger_duration(index) < self.max_clock_duration:
            raise Revert("ClockNotExpired")
        subject = self.claim_data[index]
        counters = self.children.get(index, [])
        cursor = self.resolve_cursor.get(index, 0)
        end = (
            len(counters)
            if max_children == 0 or cursor + max_children > len(counters)
            else cursor + max_children
        )
        best = self.leftmost_counter.get(index, 0)
        while cursor < end:
            child = counters[cursor]
            if child not in self.resolved:
                raise Revert("OutOfOrderResolution")
            if self.claim_data[child].countered_by is None and (
                best == 0 or self._index(child) < self._index(best - 1)
            ):
                best = child + 1
            cursor += 1
        self.resolve_cursor[index] = cursor
        self.leftmost_counter[index] = best
        if cursor < len(counters):
            return
        if best != 0:
            subject.countered_by = self.claim_data[best - 1].claimant
        recipient = subject.claimant if subject.countered_by is None else subject.countered_by
        self.credit[recipient] = self.credit.get(recipient, 0) + subject.bond
        self.resolved.add(index)

    def resolve(self) -> str:
        if self.status != IN_PROGRESS:
            raise Revert("GameNotInProgress")
        if 0 not in self.resolved:
            raise Revert("RootNotResolved")
        root = self.claim_data[0]
        self.status = CHALLENGER_WINS if root.countered_by is None else DEFENDER_WINS
        return self.status

    def _index(self, claim_index: int) -> int:
        return pos.trace_index(self.claim_data[claim_index].position, self.max_game_depth)
