"""The trace provider on a real L2 block, against the reference VM (SPEC §8–§11).

Block 1 (the L1-info deposit and one signed transfer, whose signature the program recovers
through the precompile oracle) is built by the node's chain; a game disputes its correct root
and another a wrong one. The trace is built once on the fast path with checkpoints; the
reference VM then runs the whole program from the ELF, fed only by the preimage file the trace
stored, and at sampled steps its state hashes and its own step witnesses must equal the
trace's answers. A second ``open_trace`` on the same directory, with no source, answers the same.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rollup_node.faultproof.game.preimage_store import PreimageStore
from rollup_node.faultproof.game.trace import (
    PREIMAGES,
    PrestateMismatch,
    ProgramTrace,
    TraceSourceError,
    TraceStoreError,
    TraceUnavailable,
    open_trace,
    program_elf,
    recorded_absolute_prestate,
)
from rollup_node.faultproof.mips.elf import load_elf
from rollup_node.faultproof.mips.memory import PROOF_SIZE, verify_proof
from rollup_node.faultproof.mips.state import Status, state_hash
from rollup_node.faultproof.mips.step import step
from rollup_node.faultproof.mips.syscalls import FD_PREIMAGE_READ, SYS_READ, HostIO
from rollup_node.faultproof.mips.witness import StepWitness, prove_step
from rollup_node.faultproof.oracle.host import Oracle
from rollup_node.faultproof.oracle.keys import KeyType, keccak_key, precompile_key
from rollup_node.faultproof.oracle.precompiles import run_precompile
from rollup_node.faultproof.oracle.source import DictSource

from .block_game import BlockGame, transfer_block

pytestmark = pytest.mark.mips

INTERVAL = 1_000_000  # not a power of two, so sample steps fall on and beside checkpoints
SYSCALL = 0x0000000C


@dataclass
class Reference:
    """What the reference VM saw: hashes after sampled step counts, and step witnesses."""

    hashes: dict[int, bytes] = field(default_factory=dict)  # steps -> state hash
    witnesses: dict[int, StepWitness] = field(default_factory=dict)  # pre-state steps -> witness
    reads: dict[int, int] = field(default_factory=dict)  # key type -> a step reading fd 5
    steps: int = 0
    final: bytes = b""


@dataclass
class Games:
    block: BlockGame
    valid: ProgramTrace
    invalid: ProgramTrace
    reference: Reference
    samples: list[int]


def _reference_run(trace: ProgramTrace, samples: set[int]) -> Reference:
    """Run the whole program on the reference VM with only the stored preimages, recording the
    hash after each sampled step count, the witness of the step from each, and the first step
    reading fd 5 under each key type (its witness too)."""
    store = PreimageStore.load(trace.directory / PREIMAGES)
    io = HostIO(store)
    state = load_elf(program_elf())
    reference = Reference()
    reference.hashes[0] = state.hash()
    wanted = set(samples)
    while not state.exited:
        regs = state.registers
        if (
            regs[2] == SYS_READ
            and regs[4] == FD_PREIMAGE_READ
            and state.memory.get_word(state.pc) == SYSCALL
        ):
            kind = state.preimage_key[0]
            # the first read of each type, and for keccak keys also one past the length prefix
            if kind not in reference.reads or (
                kind == KeyType.KECCAK and -kind not in reference.reads and state.preimage_offset
            ):
                reference.reads[kind if kind not in reference.reads else -kind] = state.step
                wanted.add(state.step)
        if state.step in wanted:
            reference.hashes[state.step] = state.hash()
            reference.witnesses[state.step] = prove_step(state.copy(), HostIO(store))
        step(state, io)
        if state.step in wanted or state.step - 1 in wanted:
            reference.hashes[state.step] = state.hash()
    reference.steps = state.step
    reference.final = state.hash()
    return reference


@pytest.fixture(scope="module")
def games(tmp_path_factory: pytest.TempPathFactory) -> Games:
    root = tmp_path_factory.mktemp("trace")
    block = transfer_block(root, 1)
    try:
        valid = open_trace(
            root / "valid",
            block.inputs(block.correct_root),
            block.source(block.correct_root),
            checkpoint_interval=INTERVAL,
        )
        wrong = b"\x5a" * 32
        invalid = open_trace(
            root / "invalid", block.inputs(wrong), block.source(wrong), checkpoint_interval=INTERVAL
        )
    finally:
        block.close()
    rng = random.Random(12)
    end = valid.steps
    samples = sorted(
        {0, 1, INTERVAL - 1, INTERVAL, INTERVAL + 1, 2 * INTERVAL, end - 2, end - 1}
        | {rng.randrange(1, end) for _ in range(8)}
    )
    return Games(block, valid, invalid, _reference_run(valid, set(samples)), samples)


def test_final_state_status(games: Games) -> None:
    """Status 0 for the node's root, 1 for a wrong one; the trace ends where the VM exits."""
    assert games.valid.final_status == Status.VALID
    assert games.invalid.final_status == Status.INVALID
    assert games.valid.steps == games.reference.steps
    assert games.valid.final_state_hash == games.reference.final
    assert games.valid.steps > 3 * INTERVAL  # several checkpoints are in play
    assert len(games.valid.record.checkpoints) == games.valid.steps // INTERVAL + 2


def test_absolute_prestate_is_the_builds(games: Games) -> None:
    """The trace starts at the recorded prestate of the program build (prestate.json)."""
    assert games.valid.absolute_prestate == recorded_absolute_prestate()
    assert games.valid.absolute_prestate == games.reference.hashes[0]


def test_state_hash_matches_the_reference_vm(games: Games) -> None:
    """Trace index i is the state after i + 1 steps; past the end, the final state."""
    hashes = games.reference.hashes
    checked = 0
    for steps, expected in hashes.items():
        if steps >= 1:
            assert games.valid.state_hash(steps - 1) == expected, f"after {steps} steps"
            checked += 1
    assert checked >= len(games.samples) - 1
    end = games.valid.steps
    for index in (end - 1, end, end + 7, (1 << 30) - 1):
        assert games.valid.state_hash(index) == games.reference.final
    with pytest.raises(ValueError):
        games.valid.state_hash(-1)


def _check_part(proof, witness: StepWitness, games: Games) -> None:
    """The preimage part names the key and offset the step reads, and loads what it reads."""
    if witness.preimage_key is None:
        assert proof.preimage is None
        return
    part = proof.preimage
    assert part is not None
    assert (part.key, part.offset) == (witness.preimage_key, witness.preimage_offset)
    kind = part.key[0]
    if kind == KeyType.LOCAL:
        values = games.block.inputs(games.block.correct_root).values()
        assert part.data == values[part.local_ident]
    elif kind == KeyType.KECCAK:
        assert keccak_key(part.data) == part.key and part.data == witness.preimage_value
    else:
        address = bytes.fromhex(part.precompile[2:])
        assert precompile_key(address, part.required_gas, part.data) == part.key
        assert run_precompile(address, part.required_gas, part.data) == witness.preimage_value


def test_step_proofs_match_the_reference_witness(games: Games) -> None:
    """At sampled steps, and at one preimage read of each key type, the step proof is the
    reference VM's own witness of that step, with its post-state and preimage part."""
    reads = games.reference.reads
    assert {KeyType.LOCAL, KeyType.KECCAK, KeyType.PRECOMPILE, -KeyType.KECCAK} <= set(reads)
    for pre_steps, witness in games.reference.witnesses.items():
        proof = games.valid.step_proof(pre_steps)
        assert proof.pre_state_steps == pre_steps
        assert proof.state_data == witness.state
        assert proof.proof == witness.proof
        assert proof.post_state_hash == witness.post_state_hash
        assert proof.post_state_hash == games.reference.hashes[pre_steps + 1]
        assert state_hash(proof.state_data) == games.reference.hashes[pre_steps]
        memory_root = proof.state_data[:32]
        pc = int.from_bytes(proof.state_data[68:72], "big")
        assert verify_proof(memory_root, pc, proof.proof[:PROOF_SIZE])
        _check_part(proof, witness, games)
    for kind in (KeyType.LOCAL, KeyType.KECCAK, KeyType.PRECOMPILE):
        assert games.valid.step_proof(reads[kind]).preimage is not None


def test_step_proof_past_the_end_is_a_no_op(games: Games) -> None:
    """From the exited state a step changes nothing: post-state = final state."""
    end = games.valid.steps
    for pre_steps in (end, end + 100):
        proof = games.valid.step_proof(pre_steps)
        assert state_hash(proof.state_data) == games.reference.final
        assert proof.post_state_hash == games.reference.final
        assert proof.preimage is None


def test_restart_answers_without_a_source(games: Games, tmp_path: Path) -> None:
    """A second trace on the same directory (the node restarted, L1 pruned) answers the same,
    from the stored checkpoints and preimages alone."""
    directory = tmp_path / "copy"
    shutil.copytree(games.valid.directory, directory)
    inputs = games.block.inputs(games.block.correct_root)
    again = open_trace(directory, inputs)  # no source, no ELF needed
    assert again.record == games.valid.record
    for steps in games.samples[::3]:
        assert again.state_hash(steps) == games.valid.state_hash(steps)
    for pre_steps in (*games.reference.reads.values(), games.samples[5]):
        assert again.step_proof(pre_steps) == games.valid.step_proof(pre_steps)


def test_refuses_other_inputs_and_prestates(games: Games, tmp_path: Path) -> None:
    """A directory answers only its own game; an empty one needs a source; a build whose
    prestate differs from the game's is refused before anything runs."""
    wrong = games.block.inputs(b"\x77" * 32)
    with pytest.raises(TraceStoreError):
        open_trace(games.valid.directory, wrong)
    with pytest.raises(TraceUnavailable):
        open_trace(tmp_path / "empty", wrong)
    with pytest.raises(PrestateMismatch):
        open_trace(
            games.valid.directory,
            games.block.inputs(games.block.correct_root),
            expected_prestate=b"\x03" * 32,
        )
    with pytest.raises(PrestateMismatch):
        open_trace(tmp_path / "new", wrong, Oracle(DictSource()), expected_prestate=b"\x03" * 32)
    assert not (tmp_path / "new").exists()


def test_a_failing_source_leaves_no_complete_trace(tmp_path: Path) -> None:
    """A source that cannot answer stops the first run with a retryable error, and the
    directory is not taken as complete afterwards."""
    block = transfer_block(tmp_path, 0)
    try:
        inputs = block.inputs(block.correct_root)
        with pytest.raises(TraceSourceError):
            open_trace(tmp_path / "game", inputs, Oracle(DictSource()))
        with pytest.raises(TraceUnavailable):
            open_trace(tmp_path / "game", inputs)
    finally:
        block.close()


def test_corrupt_checkpoint_is_a_store_error(games: Games, tmp_path: Path) -> None:
    """A damaged checkpoint is reported as a store error (reset), never answered from."""
    directory = tmp_path / "copy"
    shutil.copytree(games.valid.directory, directory)
    path = directory / "checkpoints" / f"{INTERVAL:012d}.ckpt"
    path.write_bytes(path.read_bytes()[:-100])
    trace = open_trace(directory, games.block.inputs(games.block.correct_root))
    with pytest.raises(TraceStoreError):
        trace.state_hash(INTERVAL + 5)


def test_step_proofs_replay_in_mips_sol(games: Games, evm_w3) -> None:
    """The step proofs at a preimage read of each key type, with their parts loaded into the
    PreimageOracle contract as the responder does, give the trace's post-state in MIPS.sol."""
    from tests.contracts.deployments import deploy_vm

    oracle, mips = deploy_vm(evm_w3)
    sender = {"from": evm_w3.eth.accounts[0]}
    local_context = b"\x42" * 32
    reads = games.reference.reads
    for pre_steps in (reads[KeyType.LOCAL], reads[KeyType.KECCAK], reads[-KeyType.KECCAK],
                      reads[KeyType.PRECOMPILE], games.samples[4]):  # fmt: skip
        proof = games.valid.step_proof(pre_steps)
        part = proof.preimage
        if part is not None and part.local_ident is not None:
            word = part.data.ljust(32, b"\0")
            call = oracle.functions.loadLocalData(
                part.local_ident, local_context, word, len(part.data), part.offset
            )
        elif part is not None and part.precompile is not None:
            call = oracle.functions.loadPrecompilePreimagePart(
                part.offset, part.precompile, part.required_gas, part.data
            )
        elif part is not None:
            call = oracle.functions.loadKeccak256PreimagePart(part.offset, part.data)
        if part is not None:
            evm_w3.eth.wait_for_transaction_receipt(call.transact(sender))
        step = mips.functions.step(proof.state_data, proof.proof, local_context)
        assert bytes(step.call(sender)) == proof.post_state_hash, f"step from {pre_steps}"


def test_a_run_cut_at_max_steps_ends_unfinished(games: Games, tmp_path: Path) -> None:
    """With the game's 2^max_depth steps below the program's length, the state there is the
    final one (status 3, SPEC §11) and pads every later index."""
    cut = 2 * INTERVAL + 12_345
    block = transfer_block(tmp_path, 1)
    try:
        root = block.correct_root
        trace = open_trace(tmp_path / "cut", block.inputs(root), block.source(root), max_steps=cut)
    finally:
        block.close()
    assert trace.steps == cut
    assert trace.final_status == Status.UNFINISHED
    assert trace.final_state_hash == games.valid.state_hash(cut - 1)
    assert trace.state_hash(cut + 1000) == trace.final_state_hash
    inputs = block.inputs(block.correct_root)
    assert open_trace(tmp_path / "cut", inputs, max_steps=cut).record == trace.record
    for other in (None, cut + 1):
        with pytest.raises(TraceStoreError):
            open_trace(tmp_path / "cut", inputs, max_steps=other)
    # an exited trace serves every limit at or above its length
    assert open_trace(games.valid.directory, inputs, max_steps=games.valid.steps).steps == (
        games.valid.steps
    )
    with pytest.raises(TraceStoreError):
        open_trace(games.valid.directory, inputs, max_steps=games.valid.steps - 1)


def test_without_the_fast_path_the_reference_vm_builds_the_same_trace(
    games: Games, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where unicorn's instruction counter cannot be found, the trace is built and answered on
    the reference VM, state for state the same (a short, cut run to keep it quick)."""
    from rollup_node.faultproof.game import trace as trace_module
    from rollup_node.faultproof.mips.fast import FastPathUnavailable

    class NoFastPath:
        def __init__(self, *_: object) -> None:
            raise FastPathUnavailable("cannot locate unicorn's instruction counter")

    monkeypatch.setattr(trace_module, "FastEmulator", NoFastPath)
    cut = 150_000
    block = transfer_block(tmp_path, 1)
    try:
        root = block.correct_root
        trace = open_trace(
            tmp_path / "slow",
            block.inputs(root),
            block.source(root),
            checkpoint_interval=50_000,
            max_steps=cut,
        )
    finally:
        block.close()
    assert trace.record.checkpoints == (0, 50_000, 100_000, 150_000)
    for index in (0, 49_999, 50_000, 77_777, cut - 1):
        assert trace.state_hash(index) == games.valid.state_hash(index)
    assert trace.step_proof(77_777) == games.valid.step_proof(77_777)


def test_precompile_results_are_stored_with_their_calls(tmp_path: Path) -> None:
    """A block calling bn254 add, mul and pairing: every precompile result the trace read is
    kept with the call behind it, which reproduces it (what the PreimageOracle contract does
    to load it), and the trace proves the node's root valid."""
    from rollup_node.faultproof.oracle.keys import precompile_key as make_key

    from .block_game import CONFIG, precompile_calls

    block = transfer_block(tmp_path, 1, precompile_calls(CONFIG.l2_chain_id))
    try:
        root = block.correct_root
        trace = open_trace(tmp_path / "game", block.inputs(root), block.source(root))
    finally:
        block.close()
    assert trace.final_status == Status.VALID
    addresses = set()
    for key, entry in open_trace(tmp_path / "game", block.inputs(root)).preimages.entries.items():
        if key[0] != KeyType.PRECOMPILE:
            continue
        part = trace.preimages.part(key, 0)
        address = bytes.fromhex(part.precompile[2:])
        assert make_key(address, part.required_gas, part.data) == key
        assert run_precompile(address, part.required_gas, part.data) == entry.value
        addresses.add(address[-1])
    assert {1, 6, 7, 8} <= addresses
