"""``rollup-node mips``: run a MIPS ELF in the fault-proof VM, print its absolute prestate.

``run`` passes the program's stdout/stderr through and ends with one line:
``steps=… steps/s=… exit=… state=0x…`` (``exit=running`` when stopped before the end). The fast
unicorn path is the default; ``--reference`` uses the reference step throughout. ``--proof-at``
writes the witness of one step as JSON; ``--snapshot-every`` writes checkpoints that ``--resume``
continues from.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from rollup_node.faultproof.mips.checkpoint import load_checkpoint, save_checkpoint
from rollup_node.faultproof.mips.elf import ElfError, load_elf
from rollup_node.faultproof.mips.fast import FastEmulator
from rollup_node.faultproof.mips.state import State
from rollup_node.faultproof.mips.step import run as reference_run
from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.mips.witness import StepWitness, prove_step
from rollup_node.faultproof.oracle.host import Oracle
from rollup_node.faultproof.oracle.source import DictSource, PreimageMismatch


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``mips`` subcommand with ``run`` and ``prestate``."""
    parser = subparsers.add_parser("mips", help="run programs in the MIPS fault-proof VM")
    actions = parser.add_subparsers(dest="mips_action", required=True)

    run = actions.add_parser("run", help="run an ELF and print its final state hash")
    run.add_argument("elf", type=Path)
    run.add_argument("args", nargs="*", help="the whole argv (none by default: argc = 0)")
    run.add_argument("--stop-at", type=int, help="stop after this many steps")
    run.add_argument("--proof-at", type=int, help="write the witness of step N -> N+1")
    run.add_argument("--proof-out", type=Path, help="witness file (default proof-<N>.json)")
    run.add_argument("--snapshot-every", type=int, help="checkpoint every N steps")
    run.add_argument("--snapshot-dir", type=Path, default=Path("."))
    run.add_argument("--resume", type=Path, help="start from a checkpoint instead of the ELF")
    run.add_argument("--reference", action="store_true", help="use the reference step only")
    run.add_argument("--preimages", type=Path, help="JSON object {key hex: preimage hex}")
    run.set_defaults(func=run_command)

    prestate = actions.add_parser("prestate", help="print the absolute prestate hash of an ELF")
    prestate.add_argument("elf", type=Path)
    prestate.add_argument("args", nargs="*", help="the whole argv (none by default: argc = 0)")
    prestate.set_defaults(func=prestate_command)


def _initial_state(args: argparse.Namespace) -> State:
    image = args.elf.read_bytes()
    return load_elf(image, [arg.encode() for arg in args.args])


def prestate_command(args: argparse.Namespace) -> int:
    """Print ``0x…`` the state hash of the loaded ELF."""
    try:
        state = _initial_state(args)
    except (ElfError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("0x" + state.hash().hex())
    return 0


def _load_source(path: Path | None) -> DictSource:
    source = DictSource()
    if path is not None:
        for key, value in json.loads(path.read_text()).items():
            source.put(
                bytes.fromhex(key.removeprefix("0x")), bytes.fromhex(value.removeprefix("0x"))
            )
    return source


def witness_json(witness: StepWitness) -> dict[str, object]:
    """A step witness as JSON-ready hex strings."""
    out: dict[str, object] = {
        "stateData": "0x" + witness.state.hex(),
        "proof": "0x" + witness.proof.hex(),
        "preStateHash": "0x" + witness.pre_state_hash.hex(),
        "postStateHash": "0x" + witness.post_state_hash.hex(),
    }
    if witness.preimage_key is not None:
        out["preimageKey"] = "0x" + witness.preimage_key.hex()
        out["preimageOffset"] = witness.preimage_offset
        out["preimageValue"] = "0x" + (witness.preimage_value or b"").hex()
    return out


class _Runner:
    """Advances one state to given step counts on the fast or the reference path."""

    def __init__(self, state: State, io: HostIO, reference: bool) -> None:
        self.io = io
        self.reference = reference
        self.state = state
        self.fast = None if reference else FastEmulator(state, io)

    def run_to(self, target: int | None) -> State:
        if self.fast is not None:
            self.state = self.fast.run(target)
        else:
            reference_run(self.state, self.io, target)
        return self.state

    def take_step(self) -> StepWitness:
        witness = prove_step(self.state, self.io)
        if self.fast is not None:
            self.fast = FastEmulator(self.state, self.io)
        return witness


def run_command(args: argparse.Namespace) -> int:
    """Run the program; return its exit code (0 when stopped before the end)."""
    stdout, stderr = sys.stdout.buffer, sys.stderr.buffer
    try:
        if args.resume is not None:
            state, pending_hint = load_checkpoint(args.resume)
        else:
            state, pending_hint = _initial_state(args), b""
        oracle = Oracle(_load_source(args.preimages))
    except (ElfError, OSError, ValueError, PreimageMismatch) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    io = HostIO(
        oracle, stdout=lambda data: stdout.write(data), stderr=lambda data: stderr.write(data)
    )
    io.hint_buffer = bytearray(pending_hint)
    try:
        return _run(args, state, io)
    except (LookupError, PreimageMismatch) as error:
        stdout.flush()
        print(f"error: the host could not answer the program: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, state: State, io: HostIO) -> int:
    stdout = sys.stdout.buffer
    runner = _Runner(state, io, args.reference)
    start_step, started = state.step, time.perf_counter()

    stops = set()
    if args.snapshot_every:
        limit = args.stop_at if args.stop_at is not None else None
        marks = range(start_step + args.snapshot_every, (limit or 1 << 40) + 1, args.snapshot_every)
        stops.update(marks[:10_000])
    if args.proof_at is not None:
        stops.add(args.proof_at)
    if args.stop_at is not None:
        stops.add(args.stop_at)
    for target in sorted(stop for stop in stops if stop > state.step or stop == args.proof_at):
        state = runner.run_to(target)
        stdout.flush()
        if state.exited:
            break
        if args.snapshot_every and (target - start_step) % args.snapshot_every == 0:
            args.snapshot_dir.mkdir(parents=True, exist_ok=True)
            save_checkpoint(
                args.snapshot_dir / f"checkpoint-{state.step}.ckpt", state, bytes(io.hint_buffer)
            )
        if target == args.proof_at:
            witness = runner.take_step()
            out = args.proof_out or Path(f"proof-{target}.json")
            out.write_text(json.dumps(witness_json(witness), indent=2) + "\n")
            state = runner.state
        if args.stop_at is not None and state.step >= args.stop_at:
            break
    else:
        if args.stop_at is None:
            state = runner.run_to(None)
    elapsed = max(time.perf_counter() - started, 1e-9)
    stdout.flush()
    exit_text = str(state.exit_code) if state.exited else "running"
    steps = state.step - start_step
    print(
        f"steps={state.step} steps/s={steps / elapsed:.0f} exit={exit_text} "
        f"state=0x{state.hash().hex()}",
        flush=True,
    )
    return state.exit_code if state.exited else 0
