"""The game model against FaultDisputeGame.sol on the embedded L1, and a sample of honest play
on the real contract (SPEC §11).

A random sequence of calls (honest solver moves and steps, a liar's, random moves, steps with
any real witness, ``resolveClaim`` in any order and chunk, ``resolve``, time passing) goes to the
contract and to ``GameModel`` at the same L1 time; after each call both must agree on the outcome
(success or the same revert) and on every claim, the players' credit and the status. The trace
is a real four-step MIPS program at depth 2, so steps run ``MIPS.step`` with real proofs; this is
what lets the randomized solver test trust the model.
"""

from __future__ import annotations

import random

import pytest
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError

from rollup_node.contracts import load_artifact
from rollup_node.faultproof.game import positions as pos
from rollup_node.faultproof.game.solver import honest_actions, resolvable_claims, seconds_left
from rollup_node.faultproof.mips.state import State
from rollup_node.faultproof.mips.witness import StepWitness, prove_step
from rollup_node.protocol.dispute import Move
from tests.contracts.chain_helpers import latest_timestamp, revert_data, set_next_block_timestamp
from tests.contracts.chain_helpers import transact as send
from tests.contracts.deployments import BOND
from tests.contracts.dispute.game_setup import CLOCK, DEPTH, EXTENSION, MOVE_BOND, make_dispute
from tests.unit.faultproof.game.game_model import (
    IN_PROGRESS,
    GameModel,
    LyingTrace,
    Revert,
    ToyTrace,
    toy_state,
)

NO_PARENT = (1 << 256) - 1
STATUS = [IN_PROGRESS, "CHALLENGER_WINS", "DEFENDER_WINS"]
ERRORS = {
    keccak(text=f"{e['name']}({','.join(i['type'] for i in e['inputs'])})")[:4]: e["name"]
    for e in load_artifact("FaultDisputeGame").abi
    if e["type"] == "error"
}


def program_trace() -> tuple[ToyTrace, list[StepWitness]]:
    """A four-step program (addiu, three increments): its states and the step witnesses."""
    state = State()
    for i, word in enumerate([0x24080005, 0x25080001, 0x25080001, 0x25080001]):
        state.memory.set_word(4 * i, word)
    prestate, hashes, witnesses = state.hash(), [], []
    for _ in range(1 << DEPTH):
        witnesses.append(prove_step(state))
        hashes.append(state.hash())
    return ToyTrace(prestate, tuple(hashes)), witnesses


class Both:
    """One game on the contract and in the model, driven call by call."""

    def __init__(self, w3: Web3, seed: int) -> None:
        self.rng = random.Random(seed)
        self.truth, self.witnesses = program_trace()
        self.dispute = make_dispute(w3, self.truth.prestate)
        self.w3 = w3
        players = w3.eth.accounts[2:5]
        self.honest, self.liar, self.other = players
        root_index = (1 << DEPTH) - 1
        lies = {i: toy_state(f"lie{seed}", i, 3) for i in range(self.rng.randrange(4), 4)}
        self.lying = LyingTrace(self.truth, lies)
        # the truth's final state here has status 3 (unfinished): a valid root claim either way
        root = self.rng.choice([self.truth.state_hash(root_index), lies[root_index]])
        self.dispute.challenger = self.liar if root == lies[root_index] else self.honest
        self.game = self.dispute.create(root_claim=root)
        created = self.game.functions.claimData(0).call()[7]
        self.model = GameModel(
            truth=self.truth,
            absolute_prestate=self.truth.prestate,
            max_game_depth=DEPTH,
            max_clock_duration=CLOCK,
            clock_extension=EXTENSION,
            base_move_bond=MOVE_BOND,
            now=created,
        )
        self.model.create(self.dispute.challenger, root, BOND)
        self.outcomes: dict[str, int] = {}

    def call(self, sender: str, name: str, *args, delay: int | None = None) -> None:
        """Run one call on both at the same next-block time (``delay`` seconds after the latest
        block, a random few by default) and compare the outcome."""
        delay = self.rng.choice((1, 1, 1, 2, 3, 5, 8)) if delay is None else delay
        now = latest_timestamp(self.w3) + delay
        set_next_block_timestamp(self.w3, now)
        self.model.now = now
        f = self.game.functions
        if name == "move":
            parent, parent_value, value, attack = args
            position = (self.model.claim_data[parent].position | (0 if attack else 1)) << 1
            depth = pos.depth(position)
            tx, value_wei = f.move(parent, parent_value, value, attack), MOVE_BOND * (1 + depth)
            if depth > DEPTH:
                value_wei = 0
        elif name == "step":
            parent, attack, steps = args
            witness = self.witnesses[steps]
            tx, value_wei = f.step(parent, attack, witness.state, witness.proof), 0
        else:
            tx, value_wei = getattr(f, name)(*args), 0
        try:
            send(self.w3, tx, sender, value=value_wei)
            chain = "ok"
        except (ContractCustomError, ContractLogicError) as error:
            chain = ERRORS.get(revert_data(error)[:4], "unknown")
        try:
            if name == "move":
                self.model.move(sender, *args, value=value_wei or None)
            elif name == "step":
                self.model.step(sender, *args)
            elif name == "resolveClaim":
                self.model.resolve_claim(*args)
            else:
                self.model.resolve()
            model = "ok"
        except Revert as error:
            model = error.name
        assert chain == model, f"{name}{args}: contract {chain}, model {model}"
        self.outcomes[f"{name} {chain}"] = self.outcomes.get(f"{name} {chain}", 0) + 1
        self.compare()

    def compare(self) -> None:
        f = self.game.functions
        status = STATUS[f.status().call()]
        assert status == self.model.status
        assert f.claimDataLen().call() == len(self.model.claim_data)
        latest, claims = latest_timestamp(self.w3), self.model.claims()
        for i, ours in enumerate(self.model.claim_data):
            parent, countered, claimant, bond, value, position, duration, ts = f.claimData(i).call()
            assert (None if parent == NO_PARENT else parent) == ours.parent_index, i
            zero = "0x0000000000000000000000000000000000000000"
            assert (None if countered == zero else countered) == ours.countered_by, i
            assert (claimant, bond, value, position) == (
                ours.claimant,
                ours.bond,
                ours.claim,
                ours.position,
            ), i
            assert (duration, ts) == (ours.clock_duration, ours.clock_timestamp), i
            assert f.resolvedSubgames(i).call() == (i in self.model.resolved), i
            # the solver's clock helper is the contract's challengerDuration, seen from L1 time
            left = seconds_left(claims, i, latest, CLOCK)
            assert left == CLOCK - f.challengerDuration(i).call(), i
        if status == IN_PROGRESS:  # a won game adds the slash reward, which the model leaves out
            for player in (self.honest, self.liar, self.other):
                assert f.credit(player).call() == self.model.credit.get(player, 0)

    def random_call(self, may_resolve: bool) -> None:
        rng, claims = self.rng, self.model.claims()
        kind = rng.choice(("honest",) * 3 + ("liar",) * 2 + ("move",) * 2 + ("step", "resolve"))
        if kind == "resolve" and not may_resolve:
            kind = "move"
        if kind in ("honest", "liar"):
            trace = self.truth if kind == "honest" else self.lying
            sender = self.honest if kind == "honest" else self.liar
            actions = honest_actions(claims, trace, DEPTH, self.truth.prestate)
            if actions:
                action = rng.choice(actions)
                if isinstance(action, Move):
                    args = (action.parent_index, action.parent_value, action.value)
                    self.call(sender, "move", *args, action.is_attack)
                else:
                    self.call(sender, "step", action.parent_index, action.is_attack,
                              action.pre_state_steps)  # fmt: skip
                return
        if kind == "move":
            parent = rng.choice(claims)
            values = [*self.truth.states, *self.lying.lies.values(), toy_state("x", 0, 1)]
            seen_value = parent.value if rng.random() < 0.9 else toy_state("stale", 0)
            self.call(self.other, "move", parent.index, seen_value, rng.choice(values),
                      rng.random() < 0.6)  # fmt: skip
        elif kind == "step":
            self.call(self.other, "step", rng.choice(claims).index, rng.random() < 0.5,
                      rng.randrange(1 << DEPTH))  # fmt: skip
        elif 0 in self.model.resolved:
            self.call(self.other, "resolve")
        else:
            unresolved = [c.index for c in claims if c.index not in self.model.resolved]
            index = max(unresolved) if rng.random() < 0.7 else rng.choice(unresolved)
            self.call(self.other, "resolveClaim", index, rng.choice((0, 0, 1, 2)))

    def settle(self) -> None:
        """Let every clock run out, resolve bottom-up in random chunks, end the game."""
        delay: int | None = CLOCK + 1
        while 0 not in self.model.resolved:
            ready = resolvable_claims(
                self.model.claims(), self.model.resolved, self.model.now, CLOCK
            )
            if delay is not None:
                ready = [max(c.index for c in self.model.claims())]  # the newest is a leaf
            assert ready, "no claim can be resolved after every clock ran out"
            for index in ready:
                while index not in self.model.resolved:
                    self.call(self.other, "resolveClaim", index, self.rng.choice((0, 1, 2)),
                              delay=delay)  # fmt: skip
                    delay = None
        self.call(self.other, "resolve")


@pytest.mark.parametrize("seed", [1, 2])
def test_the_model_follows_the_contract_call_by_call(evm_w3: Web3, seed: int) -> None:
    both = Both(evm_w3, seed)
    both.compare()
    for calls in range(40):
        both.random_call(may_resolve=calls >= 20)
        if both.model.status != IN_PROGRESS:
            break
    if both.model.status == IN_PROGRESS:
        both.settle()
    assert both.model.status != IN_PROGRESS
    # the walk must have gone through the interesting outcomes, not only reverts
    seen = both.outcomes
    assert seen.get("move ok", 0) >= 4 and seen.get("resolveClaim ok", 0) >= 1, seen
    assert sum(n for k, n in seen.items() if k.startswith("step")) >= 1, seen
    assert sum(n for k, n in seen.items() if not k.endswith(" ok")) >= 5, seen
