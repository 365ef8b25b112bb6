"""The responder: turns the solver's actions into L1 transactions on one game (SPEC §11).

- ``Move`` → ``move(parentIndex, parentClaim, claim, isAttack)`` carrying exactly
  ``moveBond(depth)`` for the depth the new claim lands at (docs/protocol.md §11).
- ``Step`` → the step proof from the trace (built off the event loop: it replays the VM from a
  checkpoint), the preimage part it reads loaded first unless the oracle already holds it
  (a local key through the game's ``addLocalData(ident, offset)``, since the oracle localizes
  local keys to the game that loads them; keccak and precompile parts through the
  PreimageOracle), then ``step``.
- ``resolve_all(order)``: ``resolveClaim`` for each claim of ``order`` (bottom-up: children
  before parents), ``max_children`` children per call so a claim with many counters never needs
  one huge transaction, skipping claims already resolved; then ``resolve``.
- ``claim_credit(address)``.

What each failure means for the caller:
- L1 transport trouble (what ``l1/errors.classify`` calls retry: ``L1SendFailed``, timeouts,
  connection errors, L1 busy) is retried here a few times; if it persists, ``RespondRetry``:
  try again next round. Any other exception is a bug and propagates (it is never retried).
- A revert that means another player already did it (``ClaimAlreadyExists``,
  ``AlreadyCountered``, ``ClaimAlreadyResolved``, ``GameNotInProgress``, ``NoCredit``) is a
  normal outcome: ``Outcome.SKIPPED``.
- ``ClockNotExpired`` from ``resolveClaim`` means "not yet": ``RespondRetry``.
- Anything else (a wrong bond, a step the VM calls valid, a move on a claim that is not the
  one we saw) means our view of the game or our trace is wrong: ``RespondHalt``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Protocol, TypeVar

import structlog
from web3.exceptions import ContractLogicError

from rollup_node.faultproof.game.positions import depth, move_position
from rollup_node.faultproof.oracle.keys import KeyType, key_type
from rollup_node.l1.contract_io import revert_error
from rollup_node.l1.errors import Action as ErrorAction
from rollup_node.l1.errors import classify
from rollup_node.l1.fault_dispute_game import FaultDisputeGameClient
from rollup_node.l1.preimage_oracle import PreimageOracleClient, localized_key
from rollup_node.l1.transactor import L1Receipt, L1TransactionReverted, failure_message
from rollup_node.protocol.dispute import Action, Move, PreimagePart, Step, StepProof

log = structlog.get_logger("responder")
_T = TypeVar("_T")

#: Reverts that mean someone else already did what we meant to do.
ALREADY_DONE_ERRORS = frozenset(
    {
        "ClaimAlreadyExists",
        "AlreadyCountered",
        "ClaimAlreadyResolved",
        "GameNotInProgress",
        "NoCredit",
    }
)
#: Reverts that mean "not yet": the same call can pass later.
NOT_YET_ERRORS = frozenset({"ClockNotExpired"})
#: Children ``resolveClaim`` goes through per transaction (bounded gas per call).
RESOLVE_CHILDREN_PER_CALL = 64


class StepProofSource(Protocol):
    """What the responder needs of the trace: the proof of one step."""

    def step_proof(self, pre_state_steps: int) -> StepProof:
        """The witness, memory proofs, post-state hash and preimage part of the step from the
        state after ``pre_state_steps`` steps (0: the absolute prestate). May be slow."""
        ...


class RespondRetry(RuntimeError):
    """L1 was unreachable, or the call is not possible yet: try again later."""


class RespondHalt(RuntimeError):
    """L1 refused the call for a reason no retry fixes: our view of the game or our trace is
    wrong. Stop playing this game and look."""


class Outcome(Enum):
    """What came of one call."""

    DONE = "done"  # our transaction was mined
    SKIPPED = "skipped"  # another player had already done it


@dataclass(frozen=True)
class Response:
    """One L1 call the responder made (or found already made)."""

    what: str
    outcome: Outcome
    gas_used: int = 0
    value_wei: int = 0  # bond attached
    error: str | None = None  # the revert that made it a skip


class Responder:
    """Plays one game's actions on L1 through ``game`` and ``oracle`` (both built with the
    player's transactor), with step proofs from ``trace``."""

    def __init__(
        self,
        game: FaultDisputeGameClient,
        oracle: PreimageOracleClient,
        trace: StepProofSource,
        attempts: int = 3,
        retry_delay_seconds: float = 1.0,
        resolve_children_per_call: int = RESOLVE_CHILDREN_PER_CALL,
    ) -> None:
        self.game = game
        self.oracle = oracle
        self.trace = trace
        self.attempts = attempts
        self.retry_delay_seconds = retry_delay_seconds
        self.resolve_children_per_call = resolve_children_per_call

    # ---------------------------------------------------------------- actions

    async def act(self, action: Action) -> list[Response]:
        """Do one solver action on L1; the calls it took, in order (a step may first load its
        preimage part)."""
        if isinstance(action, Move):
            return [await self.move(action)]
        return await self.step(action)

    async def move(self, move: Move) -> Response:
        """Post ``move`` with the bond for the depth it lands at."""
        parent = await self._read(partial(self.game.claim, move.parent_index))
        new_depth = depth(move_position(parent.position, move.is_attack))
        bond = await self._read(partial(self.game.move_bond, new_depth))
        kind = "attack" if move.is_attack else "defend"
        what = f"{kind} claim {move.parent_index} at depth {new_depth}"
        return await self._send(what, partial(self.game.move, move, bond), bond)

    async def step(self, step: Step) -> list[Response]:
        """Step against the max-depth claim ``step.parent_index``, loading the preimage part the
        step reads first."""
        proof = await asyncio.to_thread(self.trace.step_proof, step.pre_state_steps)
        if proof.pre_state_steps != step.pre_state_steps:
            raise RespondHalt(
                f"the trace proved step {proof.pre_state_steps}, not {step.pre_state_steps}"
            )
        responses = []
        if proof.preimage is not None:
            loaded = await self.load_preimage(proof.preimage)
            if loaded is not None:
                responses.append(loaded)
        what = f"step on claim {step.parent_index} from step {step.pre_state_steps}"
        send = partial(
            self.game.step, step.parent_index, step.is_attack, proof.state_data, proof.proof
        )
        responses.append(await self._send(what, send))
        return responses

    async def load_preimage(self, part: PreimagePart) -> Response | None:
        """Put ``part`` into the PreimageOracle unless it is there (``None`` then)."""
        kind = key_type(part.key)
        load: Callable[[], Awaitable[L1Receipt]]
        if kind == KeyType.LOCAL:
            if part.local_ident is None:
                raise RespondHalt(f"local preimage key {part.key.hex()} without its ident")
            stored_key = localized_key(part.local_ident, self.game.address)
            load = partial(self.game.add_local_data, part.local_ident, part.offset)
        elif kind == KeyType.KECCAK:
            stored_key = part.key
            load = partial(self.oracle.load_keccak_part, part.offset, part.data)
        else:
            if part.precompile is None or part.required_gas is None:
                raise RespondHalt(f"precompile key {part.key.hex()} without its call")
            stored_key = part.key
            load = partial(
                self.oracle.load_precompile_part,
                part.offset,
                part.precompile,
                part.required_gas,
                part.data,
            )
        if await self._read(partial(self.oracle.part_loaded, stored_key, part.offset)):
            return None
        return await self._send(f"load {kind.name.lower()} preimage part at {part.offset}", load)

    # ---------------------------------------------------------------- resolution and credit

    async def resolve_all(self, order: Sequence[int]) -> list[Response]:
        """Resolve the claims of ``order`` (children before parents), then the game."""
        responses = []
        chunk = self.resolve_children_per_call
        for index in order:
            while not await self._read(partial(self.game.resolved, index)):
                response = await self._send(
                    f"resolveClaim({index}, {chunk})",
                    partial(self.game.resolve_claim, index, chunk),
                )
                responses.append(response)
                if response.outcome is Outcome.SKIPPED:
                    break
        responses.append(await self._send("resolve", self.game.resolve))
        return responses

    async def claim_credit(self, address: str) -> Response:
        """Pay out ``address``'s credit from the game (skipped if it has none left)."""
        return await self._send(f"claimCredit({address})", partial(self.game.claim_credit, address))

    # ---------------------------------------------------------------- error classes

    async def _read(self, read: Callable[[], Awaitable[_T]]) -> _T:
        for attempt in range(1, self.attempts + 1):
            try:
                return await read()
            except ContractLogicError as exc:
                raise RespondHalt(f"a read of game {self.game.address} reverted: {exc}") from exc
            except Exception as exc:  # the node's one rule decides (l1/errors.classify)
                if classify(exc) is not ErrorAction.RETRY:
                    raise
                if attempt == self.attempts:
                    raise RespondRetry(f"L1 unavailable: {type(exc).__name__}: {exc}") from exc
                log.warning("L1 read failed; retrying", error=str(exc), attempt=attempt)
                await asyncio.sleep(self.retry_delay_seconds)
        raise AssertionError("unreachable")

    async def _send(
        self, what: str, send: Callable[[], Awaitable[L1Receipt]], value_wei: int = 0
    ) -> Response:
        for attempt in range(1, self.attempts + 1):
            try:
                receipt = await send()
            except L1TransactionReverted as exc:
                name = revert_error(exc.data, "FaultDisputeGame", "PreimageOracle")
                if name in ALREADY_DONE_ERRORS:
                    log.info("already done by another player", what=what, error=name)
                    return Response(what, Outcome.SKIPPED, error=name)
                if name in NOT_YET_ERRORS:
                    raise RespondRetry(f"{what}: {name}") from exc
                raise RespondHalt(f"{what}: L1 refused it with {name or exc}") from exc
            except Exception as exc:  # the node's one rule decides (l1/errors.classify)
                if classify(exc) is not ErrorAction.RETRY:
                    raise
                if attempt == self.attempts:
                    raise RespondRetry(f"{what}: {failure_message(exc)}: {exc}") from exc
                log.warning(failure_message(exc), what=what, error=str(exc))
                await asyncio.sleep(self.retry_delay_seconds)
                continue
            log.info("sent", what=what, gas=receipt.gas_used, l1_block=receipt.block_number)
            return Response(what, Outcome.DONE, receipt.gas_used, value_wei)
        raise AssertionError("unreachable")
