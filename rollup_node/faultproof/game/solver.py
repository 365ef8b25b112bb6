"""The honest player's response to a dispute game, pure and synchronous (SPEC §11).

The solver reads a game's claims (all of ``claimData``, in order) and our own trace, and says
what an honest player does now. It follows the honest-challenger rules of Optimism's fault
dispute game, which SPEC §11 adopts:

- **The claims we stand behind** (the *honest set*): the root if its value equals our final
  state, and the honest response to every claim we counter, whether we posted it or someone
  else already did (a copy of our move is ours to defend).
- **Which claims we counter**: a claim not in the honest set that is the root, or a child of an
  honest claim (left standing it would bring that claim down), or a sibling at or left of our
  own counter to the same parent (left standing it would take that parent's bond: resolution
  pays the leftmost standing child). That covers every freeloader that matters; claims below a
  claim we ignore change neither the outcome nor our bonds, and a step there could need a
  pre-state we cannot prove, so we leave them alone. We never counter a claim in the honest set.
- **How**: above max depth, defend a claim whose value equals ours at its position (the lie is
  to the right of it) and attack it otherwise, with our value at the new position; a response
  identical to an existing claim (same parent, position, value) is not posted again. At max
  depth, ``step``: attack (pre-state = the claim at trace index ``i - 1`` on the path, or the
  absolute prestate) when the claim's value is wrong, defend (pre-state = the claim itself)
  when it is right, and take a direction only if the contract's checks pass with our states: the
  pre-state claim must equal our state (status byte ignored, as the contract ignores it), and the
  step must count as a counter (``validStep != parentPostAgree``). If neither does, no step.
  In a game built by the contract's rules the natural direction always passes (bisection keeps
  a claim we agree with on the path at the neighbouring index); the check keeps a solver fed an
  inconsistent trace from sending a step that can only revert.

Resolution and clocks are the contract's: ``resolveClaim`` needs every child resolved and the
claim's counter-side clock run out (``challengerDuration >= maxClockDuration``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rollup_node.faultproof.game import positions as pos
from rollup_node.protocol.dispute import Action, Claim, Move, Step, TraceAccessor


def honest_actions(
    claims: Sequence[Claim], trace: TraceAccessor, max_depth: int, absolute_prestate: bytes
) -> list[Action]:
    """Every action an honest player takes now against the game ``claims`` (``claimData`` in
    order, ``claims[i].index == i``), answering from ``trace``. Moves carry our trace's values;
    steps name the state their pre-state is (``Step.pre_state_steps``). No action duplicates a
    claim already in the game, and none counters a claim in the honest set.

    ``absolute_prestate`` is the game's, the state after 0 steps: an attack step at trace index
    0 runs from it, so the caller must have checked it is our program's (SPEC §11: a node
    refuses to play otherwise).
    """
    return _Play(claims, trace, max_depth, absolute_prestate).actions


def honest_claims(
    claims: Sequence[Claim], trace: TraceAccessor, max_depth: int, absolute_prestate: bytes
) -> frozenset[int]:
    """Indices of the game's claims we stand behind (the honest set): the root if we agree with
    it, and every existing claim that is our honest response to a claim we counter."""
    return frozenset(_Play(claims, trace, max_depth, absolute_prestate).honest)


def resolution_order(claims: Sequence[Claim]) -> list[int]:
    """All claim indices, children before parents, so ``resolveClaim`` never meets an unresolved
    child (``OutOfOrderResolution``). A child is always pushed after its parent, so descending
    index order is such an order; the root comes last."""
    _check_order(claims)
    return list(range(len(claims) - 1, -1, -1))


def resolvable_claims(
    claims: Sequence[Claim], resolved: Iterable[int], now: int, max_clock_duration: int
) -> list[int]:
    """The claims ``resolveClaim`` accepts at time ``now`` if called in the returned order:
    not yet resolved, counter-side clock run out, and every child resolved before."""
    done = set(resolved)
    children: dict[int, list[int]] = {}
    for claim in claims:
        if claim.parent_index is not None:
            children.setdefault(claim.parent_index, []).append(claim.index)
    ready: list[int] = []
    for index in resolution_order(claims):
        if index in done or seconds_left(claims, index, now, max_clock_duration) > 0:
            continue
        if all(child in done for child in children.get(index, ())):
            ready.append(index)
            done.add(index)
    return ready


def seconds_left(claims: Sequence[Claim], index: int, now: int, max_clock_duration: int) -> int:
    """Seconds the side that would counter claim ``index`` has left at L1 time ``now``:
    ``maxClockDuration - challengerDuration(index)``. That side's time used is what it had used
    on this path when the claim was made (the parent's ``clock_duration``, 0 under the root)
    plus the time since the claim; a move against the claim is possible while this is > 0, and
    the claim can be resolved once it is 0."""
    claim = claims[index]
    before = 0 if claim.parent_index is None else claims[claim.parent_index].clock_duration_seconds
    used = min(before + max(now - claim.clock_timestamp, 0), max_clock_duration)
    return max_clock_duration - used


def by_urgency(
    actions: Iterable[Action], claims: Sequence[Claim], now: int, max_clock_duration: int
) -> list[Action]:
    """``actions`` sorted so the one whose disputed claim has the least time left comes first."""
    return sorted(
        actions, key=lambda a: seconds_left(claims, a.parent_index, now, max_clock_duration)
    )


def _check_order(claims: Sequence[Claim]) -> None:
    """Claims that are not ``claimData`` in order are a reader's bug: the caller halts."""
    for i, claim in enumerate(claims):
        if claim.index != i:
            raise ValueError(
                f"claims must be claimData in order: entry {i} has index {claim.index}"
            )
        if (claim.parent_index is None) != (i == 0) or (
            claim.parent_index is not None and claim.parent_index >= i
        ):
            raise ValueError(f"claim {i} has parent {claim.parent_index}: not a game tree")


@dataclass
class _Play:
    """One pass over the claims in contract order (parents before children), tracking the
    honest set and the honest counter to each claim we counter."""

    claims: Sequence[Claim]
    trace: TraceAccessor
    max_depth: int
    absolute_prestate: bytes
    honest: set[int] = field(default_factory=set)
    # claim index -> (position, value) of our response to it, posted or not
    counters: dict[int, tuple[int, bytes]] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    _states: dict[int, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_order(self.claims)
        existing = {(c.parent_index, c.position, c.value) for c in self.claims}
        for claim in self.claims:
            if not self._should_counter(claim):
                continue
            if pos.depth(claim.position) == self.max_depth:
                step = self._step(claim)
                if step is not None:
                    self.actions.append(step)
                continue
            is_attack = claim.parent_index is None or claim.value != self._at(claim.position)
            position = pos.move_position(claim.position, is_attack)
            value = self._at(position)
            self.counters[claim.index] = (position, value)
            if (claim.index, position, value) not in existing:
                self.actions.append(Move(claim.index, claim.value, value, is_attack))

    def _should_counter(self, claim: Claim) -> bool:
        if claim.parent_index is None:
            if claim.value == self._at(claim.position):
                self.honest.add(claim.index)
                return False
            return True
        counter = self.counters.get(claim.parent_index)
        if counter == (claim.position, claim.value):
            self.honest.add(claim.index)  # our response, whoever posted it
            return False
        if claim.parent_index in self.honest:
            return True
        if counter is None:
            return False  # under a claim we ignore
        # A sibling at or left of our counter would take the parent's bond if it stood.
        return self._index(claim.position) <= self._index(counter[0])

    def _step(self, claim: Claim) -> Step | None:
        if claim.countered_by is not None:
            return None
        right = claim.value == self._at(claim.position)
        for is_attack in (not right, right):
            if self._step_counters(claim, is_attack):
                steps = pos.step_pre_state_steps(claim.position, is_attack, self.max_depth)
                return Step(claim.index, is_attack, steps)
        return None

    def _step_counters(self, claim: Claim, is_attack: bool) -> bool:
        """Whether ``step(claim, is_attack)`` with our pre-state witness passes the contract's
        pre-state check and counts as a counter."""
        i = self._index(claim.position)
        if is_attack:
            pre_position = pos.step_pre_state_position(claim.position, True, self.max_depth)
            if pre_position is None:
                pre_claimed = self.absolute_prestate
            else:
                found = pos.find_on_path(self.claims, claim.index, pre_position)
                if found is None:
                    return False
                pre_claimed = self.claims[found].value
            # post-state = the claim itself, so parentPostAgree holds: the VM must disagree
            return _same_state(pre_claimed, self._after(i)) and claim.value != self._after(i + 1)
        if not _same_state(claim.value, self._after(i + 1)):
            return False
        post_position = pos.step_post_state_position(claim.position, False, self.max_depth)
        found = pos.find_on_path(self.claims, claim.index, post_position)
        if found is None:
            return False
        post = self.claims[found]
        valid_step = self._after(i + 2) == post.value
        parent_post_agree = (self.max_depth - pos.depth(post.position)) % 2 == 0
        return valid_step != parent_post_agree

    def _index(self, position: int) -> int:
        return pos.trace_index(position, self.max_depth)

    def _at(self, position: int) -> bytes:
        return self.trace_state(self._index(position))

    def _after(self, steps: int) -> bytes:
        """Our state after ``steps`` steps: the absolute prestate, then trace ``steps - 1``."""
        return self.absolute_prestate if steps == 0 else self.trace_state(steps - 1)

    def trace_state(self, index: int) -> bytes:
        """Our state at trace ``index``, read once per pass (a trace read may run the VM)."""
        state = self._states.get(index)
        if state is None:
            state = self._states[index] = self.trace.state_hash(index)
        return state


def _same_state(claimed: bytes, ours: bytes) -> bool:
    """Whether a claimed pre-state is our state as ``step`` checks it: the witness hash without
    its status byte."""
    return claimed[1:] == ours[1:]
