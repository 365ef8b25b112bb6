"""The program's execution trace for one game: state hashes and step proofs (SPEC §8–§11).

A game disputes one run of the fault-proof program, fixed by its six local inputs (SPEC §9).
``open_trace`` runs that program once on the MIPS fast path (``mips.fast``), saving a checkpoint
every ``checkpoint_interval`` steps and recording every preimage the run reads
(``preimage_store``), all in the game's directory (the node passes
``data_dir/disputes/<game>``):

=======================  ===================================================================
``trace.json``           the inputs, absolute prestate, trace length (steps to exit), final
                         state hash and checkpoint steps; written last, so its presence means
                         the directory is complete
``preimages.bin``        every preimage read, with the calls behind precompile results
``checkpoints/*.ckpt``   the VM state at step 0, every ``checkpoint_interval`` steps, and at
                         exit (or at the game's step limit, 2^max_depth)
=======================  ===================================================================

Afterwards the trace answers from the directory alone — a restart or a pruned L1 never stops
an answer — and ``open_trace`` on a complete directory needs no preimage source.

- ``state_hash(i)``: the state after ``i + 1`` steps; for every ``i`` at or past the end, the
  final state (the trace is padded with it, SPEC §11). It runs the fast path from the nearest
  checkpoint at or before that step, so an answer costs at most one interval of steps.
- ``step_proof(k)``: the witness of the state after ``k`` steps (0 = the absolute prestate),
  its memory proofs and the preimage part the step reads, built by the reference step
  (``mips.witness.prove_step``) and checked against ``state_hash(k)``.

Every file is written atomically. Where unicorn's fast path is unavailable the reference VM
does the same runs, slower. This module reads the chain only through the preimage source it is
given (``program.host.ProgramHost(...).oracle()``); it imports no node service. Errors say what
the caller must do: ``TraceUnavailable``/``TraceSourceError`` retry, ``TraceStoreError`` reset
(delete the directory, build again), ``PrestateMismatch``/``TraceInconsistent`` halt.
"""

from __future__ import annotations

import json
import threading
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from rollup_node.faultproof.game.preimage_store import (
    PreimageStore,
    PreimageStoreError,
    RecordingOracle,
    write_atomic,
)
from rollup_node.faultproof.mips.checkpoint import (
    CheckpointError,
    decode_checkpoint,
    encode_checkpoint,
)
from rollup_node.faultproof.mips.elf import load_elf
from rollup_node.faultproof.mips.fast import FastEmulator, FastPathUnavailable
from rollup_node.faultproof.mips.memory import LEAF_SIZE, PAGE_ADDR_BITS, PAGE_SIZE, Memory
from rollup_node.faultproof.mips.state import State, Status
from rollup_node.faultproof.mips.step import run as run_reference
from rollup_node.faultproof.mips.syscalls import HostIO, PreimageOracle
from rollup_node.faultproof.mips.witness import prove_step
from rollup_node.faultproof.program.host import LocalInputs
from rollup_node.protocol.dispute import StepProof

DEFAULT_CHECKPOINT_INTERVAL = 1 << 20
"""Steps between checkpoints. An answer replays at most one interval on the fast path (two
passes for an exact count); bench/dispute_trace.py on the loaded 2-core machine: 2^20 keeps the
worst position under ~2 s (median ~0.4 s) for ~70 kB per checkpoint, 2^22 reaches ~5 s, and
2^18 gains little per answer but triples the first run's time."""

RECORD = "trace.json"
PREIMAGES = "preimages.bin"
CHECKPOINTS = "checkpoints"
_FORMAT = 1
_HASH_CACHE = 4096
_STATE_CACHE = 16
_REFERENCE_TAIL = 64  # steps after a checkpoint run by the reference step


class TraceError(Exception):
    """Base of the trace provider's errors."""


class TraceUnavailable(TraceError):
    """No complete trace in the directory and no preimage source to build one: retry once the
    node can give a source."""


class TraceSourceError(TraceError):
    """The preimage source failed during the first run (L1 unreachable, an unknown key): retry;
    nothing was written as complete."""


class TraceStoreError(TraceError):
    """The directory holds a corrupt trace or another game's: reset (delete the directory and
    build again from a source)."""


class PrestateMismatch(TraceError):
    """The program build's absolute prestate is not the game's: halt, this node cannot play."""


class TraceInconsistent(TraceError):
    """A step proof's post-state differs from the trace's own state hash: halt (a VM bug)."""


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _unhex(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def _inputs_json(inputs: LocalInputs) -> dict[str, str | int]:
    return {
        "l1_head_hash": _hex(inputs.l1_head_hash),
        "pre_output_root": _hex(inputs.pre_output_root),
        "disputed_output_root": _hex(inputs.disputed_output_root),
        "l2_block_number": inputs.l2_block_number,
        "l2_chain_id": inputs.l2_chain_id,
        "consensus_config_hash": _hex(inputs.consensus_config_hash),
    }


@dataclass(frozen=True)
class TraceRecord:
    """What ``trace.json`` holds: the summary of one complete run."""

    inputs: LocalInputs
    absolute_prestate: bytes
    steps: int  # steps to exit (or to the step limit, if the program did not exit)
    final_state_hash: bytes
    checkpoint_interval: int
    checkpoints: tuple[int, ...]  # steps of the saved checkpoints, ascending, 0 first

    def encode(self) -> bytes:
        """The JSON bytes."""
        document = {
            "format": _FORMAT,
            "inputs": _inputs_json(self.inputs),
            "absolute_prestate": _hex(self.absolute_prestate),
            "steps": self.steps,
            "final_state_hash": _hex(self.final_state_hash),
            "checkpoint_interval": self.checkpoint_interval,
            "checkpoints": list(self.checkpoints),
        }
        return (json.dumps(document, indent=1) + "\n").encode()

    @classmethod
    def decode(cls, blob: bytes) -> TraceRecord:
        """A record from ``trace.json`` bytes (``TraceStoreError`` if malformed)."""
        try:
            document = json.loads(blob)
            if document["format"] != _FORMAT:
                raise ValueError(f"format {document['format']}")
            raw = document["inputs"]
            inputs = LocalInputs(
                _unhex(raw["l1_head_hash"]),
                _unhex(raw["pre_output_root"]),
                _unhex(raw["disputed_output_root"]),
                int(raw["l2_block_number"]),
                int(raw["l2_chain_id"]),
                _unhex(raw["consensus_config_hash"]),
            )
            return cls(
                inputs,
                _unhex(document["absolute_prestate"]),
                int(document["steps"]),
                _unhex(document["final_state_hash"]),
                int(document["checkpoint_interval"]),
                tuple(int(step) for step in document["checkpoints"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise TraceStoreError(f"malformed {RECORD}: {error}") from None


def _within(record: TraceRecord, max_steps: int | None) -> bool:
    """Whether a stored trace is the run a request with ``max_steps`` asks for: one that exited
    within the limit, or one cut exactly there."""
    exited = record.final_state_hash[0] != Status.UNFINISHED
    if max_steps is None:
        return exited
    return record.steps == max_steps or (exited and record.steps <= max_steps)


def _checkpoint_path(directory: Path, step: int) -> Path:
    return directory / CHECKPOINTS / f"{step:012d}.ckpt"


def recorded_absolute_prestate() -> bytes:
    """The absolute prestate of this node's program build (``program/prestate.json``): a node
    refuses to play a game whose factory names another (SPEC §11)."""
    from rollup_node.faultproof.program.prestate import recorded

    return _unhex(recorded().absolute_prestate)


def program_elf() -> bytes:
    """The MIPS build of the fault-proof program (built first if missing or stale)."""
    from rollup_node.faultproof.program.build import binary_path, build

    build("mips", ("fpp",))
    return binary_path("fpp", "mips").read_bytes()


def open_trace(
    directory: Path,
    inputs: LocalInputs,
    source: PreimageOracle | None = None,
    *,
    elf: bytes | None = None,
    expected_prestate: bytes | None = None,
    checkpoint_interval: int = DEFAULT_CHECKPOINT_INTERVAL,
    max_steps: int | None = None,
) -> ProgramTrace:
    """The trace of the game with ``inputs``, kept in ``directory``.

    A complete directory is opened without running anything (``source`` unused). Otherwise the
    program (``elf``, default the project's build) runs once against ``source`` — the program
    host's oracle — and the directory is filled. ``expected_prestate``, if given, must equal the
    program's initial state hash (``PrestateMismatch`` otherwise). ``max_steps`` (the game's
    2^max_depth) stops a run that never exits; its last state is then the final one (status 3).
    Synchronous and CPU-bound (seconds): call it off the event loop.
    """
    record_path = directory / RECORD
    if record_path.exists():
        record = TraceRecord.decode(record_path.read_bytes())
        if record.inputs != inputs:
            raise TraceStoreError(f"{directory} holds the trace of other inputs")
        if not _within(record, max_steps):
            raise TraceStoreError(f"{directory} holds a trace cut at another step limit")
        if expected_prestate is not None and record.absolute_prestate != expected_prestate:
            raise PrestateMismatch(
                f"stored trace starts at {_hex(record.absolute_prestate)}, "
                f"the game at {_hex(expected_prestate)}"
            )
        try:
            preimages = PreimageStore.load(directory / PREIMAGES)
        except (OSError, PreimageStoreError) as error:
            raise TraceStoreError(f"{directory}: {error}") from None
        return ProgramTrace(directory, record, preimages)
    if source is None:
        raise TraceUnavailable(f"no complete trace in {directory} and no preimage source")
    if checkpoint_interval < 1:
        raise ValueError("checkpoint_interval must be at least 1")
    return _first_run(
        directory,
        inputs,
        source,
        elf if elf is not None else program_elf(),
        expected_prestate,
        checkpoint_interval,
        max_steps,
    )


def _first_run(
    directory: Path,
    inputs: LocalInputs,
    source: PreimageOracle,
    elf: bytes,
    expected_prestate: bytes | None,
    interval: int,
    max_steps: int | None,
) -> ProgramTrace:
    """Run the program to its end, saving checkpoints and preimages, then write the record."""
    state = load_elf(elf)
    prestate = state.hash()
    if expected_prestate is not None and prestate != expected_prestate:
        raise PrestateMismatch(
            f"program build starts at {_hex(prestate)}, the game at {_hex(expected_prestate)}"
        )
    (directory / CHECKPOINTS).mkdir(parents=True, exist_ok=True)
    recorder = RecordingOracle(source, inputs.preimages())
    io = HostIO(recorder)
    write_atomic(_checkpoint_path(directory, 0), encode_checkpoint(state))
    checkpoints = [0]
    target = 0
    try:
        while True:
            target += interval
            if max_steps is not None:
                target = min(target, max_steps)
            previous, state = state, _advance(state, io, target)
            state.memory = _rebased(state.memory, previous.memory)
            finished = state.exited or (max_steps is not None and state.step >= max_steps)
            if state.step not in checkpoints:
                data = encode_checkpoint(state, bytes(io.hint_buffer))
                write_atomic(_checkpoint_path(directory, state.step), data)
                checkpoints.append(state.step)
            if finished:
                break
    except Exception as error:
        # The source is the node's: any failure there (an L1 request, a missing key) leaves
        # the directory incomplete, and the next open runs again.
        raise TraceSourceError(f"first run failed before step {target}: {error!r}") from error
    preimages = recorder.store()
    preimages.save(directory / PREIMAGES)
    record = TraceRecord(inputs, prestate, state.step, state.hash(), interval, tuple(checkpoints))
    write_atomic(directory / RECORD, record.encode())
    return ProgramTrace(directory, record, preimages)


class ProgramTrace:
    """A game's trace, answered from its directory (``TraceAccessor``, SPEC §11).

    Thread-safe: answers are serialized by one lock (each is a short CPU-bound run).
    """

    def __init__(self, directory: Path, record: TraceRecord, preimages: PreimageStore) -> None:
        self.directory = directory
        self.record = record
        self.preimages = preimages
        self._lock = threading.Lock()
        self._hashes: OrderedDict[int, bytes] = OrderedDict()
        self._states: OrderedDict[int, State] = OrderedDict()

    @property
    def steps(self) -> int:
        """Trace length: the step count of the final state."""
        return self.record.steps

    @property
    def final_state_hash(self) -> bytes:
        """The hash of the final state (status 0 valid, 1 invalid, 2 panic, 3 unfinished)."""
        return self.record.final_state_hash

    @property
    def final_status(self) -> Status:
        """The status byte of the final state."""
        return Status(self.record.final_state_hash[0])

    @property
    def absolute_prestate(self) -> bytes:
        """The hash of the state before the first step (the program build's)."""
        return self.record.absolute_prestate

    def state_hash(self, trace_index: int) -> bytes:
        """The state hash after ``trace_index + 1`` steps; the final state's at or past the
        end (SPEC §11)."""
        if trace_index < 0:
            raise ValueError(f"trace index {trace_index} is negative")
        steps = trace_index + 1
        if steps >= self.record.steps:
            return self.record.final_state_hash
        with self._lock:
            cached = self._hashes.get(steps)
            if cached is not None:
                self._hashes.move_to_end(steps)
                return cached
            value = self._state_at(steps).hash()
            self._hashes[steps] = value
            if len(self._hashes) > _HASH_CACHE:
                self._hashes.popitem(last=False)
            return value

    def step_proof(self, pre_state_steps: int) -> StepProof:
        """The proof of the step from the state after ``pre_state_steps`` steps (0: the absolute
        prestate): its witness, memory proofs, post-state hash and the preimage part it reads.

        Past the end the pre-state is the final (exited) state, on which a step changes nothing.
        """
        if pre_state_steps < 0:
            raise ValueError(f"pre-state step {pre_state_steps} is negative")
        with self._lock:
            pre = self._state_at(min(pre_state_steps, self.record.steps))
            witness = prove_step(pre, HostIO(self.preimages))
        expected = self.state_hash(pre_state_steps)  # the fast path's answer, usually cached
        part = None
        if witness.preimage_key is not None:
            if witness.preimage_offset is None:  # the VM sets both together
                raise TraceInconsistent(f"step {pre_state_steps}: a preimage key without offset")
            part = self.preimages.part(witness.preimage_key, witness.preimage_offset)
        if witness.post_state_hash != expected:
            raise TraceInconsistent(
                f"step {pre_state_steps}: reference post-state {_hex(witness.post_state_hash)}, "
                f"fast-path trace {_hex(expected)}"
            )
        return StepProof(pre_state_steps, witness.state, witness.proof, expected, part)

    # -- replay --------------------------------------------------------------------------------

    def _checkpoint(self, step: int) -> State:
        """The checkpoint state at ``step`` (a few decoded ones are cached); do not mutate."""
        state = self._states.get(step)
        if state is not None:
            self._states.move_to_end(step)
            return state
        try:
            state, _ = decode_checkpoint(_checkpoint_path(self.directory, step).read_bytes())
        except (OSError, CheckpointError) as error:
            raise TraceStoreError(f"checkpoint {step} in {self.directory}: {error}") from None
        if state.step != step:
            raise TraceStoreError(f"checkpoint file {step} holds step {state.step}")
        self._states[step] = state
        if len(self._states) > _STATE_CACHE:
            self._states.popitem(last=False)
        return state

    def _state_at(self, steps: int) -> State:
        """A fresh copy of the state after ``steps`` steps (at most the trace length), run from
        the nearest checkpoint at or before it: on the fast path, or by the reference step for
        the last few steps after a checkpoint (the fast path may first step a state out of a
        delay slot, so it only starts where it cannot overshoot)."""
        checkpoints = self.record.checkpoints
        base = checkpoints[bisect_right(checkpoints, steps) - 1]
        start = self._checkpoint(base)
        state = start.copy()
        io = HostIO(self.preimages)
        if steps - base > _REFERENCE_TAIL:
            state = _advance(state, io, steps)
            state.memory = _rebased(state.memory, start.memory)
        else:
            run_reference(state, io, max_steps=steps)
        if state.step != steps:
            raise TraceInconsistent(f"replay to step {steps} stopped at step {state.step}")
        return state


def _advance(state: State, io: HostIO, steps: int) -> State:
    """The state ``steps`` steps from the start (a new object; ``state`` is left as it is): on
    the fast path, or on the reference VM where unicorn's counter cannot be found (slower, the
    same states)."""
    try:
        return FastEmulator(state, io).run(steps)
    except FastPathUnavailable:
        state = state.copy()
        run_reference(state, io, max_steps=steps)
        return state


def _rebased(memory: Memory, base: Memory) -> Memory:
    """``memory`` as a copy of ``base`` with only the differing leaves written, so its Merkle
    root reuses ``base``'s cached hashes: a replay of one interval touches a few pages, and
    hashing the whole memory afresh would cost more than the replay itself."""
    out = base.copy()
    zero_page = bytes(PAGE_SIZE)
    for page_index in set(memory.pages) | set(base.pages):
        new = memory.pages.get(page_index)
        old = base.pages.get(page_index)
        new_data = new.data if new is not None else zero_page
        old_data = old.data if old is not None else zero_page
        if new_data == old_data:
            continue
        address = page_index << PAGE_ADDR_BITS
        for offset in range(0, PAGE_SIZE, LEAF_SIZE):
            leaf = new_data[offset : offset + LEAF_SIZE]
            if leaf != old_data[offset : offset + LEAF_SIZE]:
                out.write(address + offset, bytes(leaf))
    return out
