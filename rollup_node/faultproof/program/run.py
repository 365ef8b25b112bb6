"""Running the fault-proof program for an L2 block the node has (SPEC §10).

``prove_block`` gathers the local inputs from the node's L2 (the agreed output of block n−1,
the claimed output of block n unless another root is given, the L1 head) and runs the program —
natively (seconds; the proposer's check, SPEC §1) or on the reference MIPS VM (the trace the
dispute game bisects) — with ``host.ProgramHost`` serving its preimages. It reads L2 only
through the host's ``L2Reader`` (the node passes ``chain.witness.StoreL2Reader``), so the
program imports nothing of the node; ``rollup-node fpp run`` (``rollup_node/fpp_cli.py``)
opens a node's store for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from eth_hash.auto import keccak

from rollup_node.config import RollupConfig
from rollup_node.faultproof.program.build import binary_path, build
from rollup_node.faultproof.program.host import Dispute, L2Reader, ProgramHost, ProgramL1Source

EXIT_MEANING = {0: "valid", 1: "invalid"}


@dataclass(frozen=True)
class ProgramRun:
    """The outcome of one run: exit code (0 valid, 1 invalid, other panic), the program's report
    (its stderr), and on the VM the step count and whether it finished within ``max_steps``."""

    exit_code: int
    report: str
    steps: int | None = None
    finished: bool = True

    @property
    def verdict(self) -> str:
        """``valid``, ``invalid``, ``panic`` or ``unfinished``."""
        if not self.finished:
            return "unfinished"
        return EXIT_MEANING.get(self.exit_code, "panic")


def prove_block(
    l2: L2Reader,
    config: RollupConfig,
    l1: ProgramL1Source,
    l1_head_hash: bytes,
    number: int,
    disputed_root: bytes | None = None,
    target: Literal["native", "mips"] = "native",
    max_steps: int | None = None,
) -> ProgramRun:
    """Run the program on L2 block ``number`` read through ``l2`` against L1 at
    ``l1_head_hash``; ``disputed_root`` defaults to the node's own output root of the block."""
    pre = keccak(l2.output_preimage(number - 1))
    disputed = disputed_root if disputed_root is not None else keccak(l2.output_preimage(number))
    host = ProgramHost(Dispute(l1_head_hash, pre, disputed, number, config), l1, l2)
    build(target, ("fpp",))
    if target == "native":
        result = host.run_native(str(binary_path("fpp", "native")), timeout=600)
        return ProgramRun(result.exit_code, result.stderr.decode(errors="replace"))

    from rollup_node.faultproof.mips.elf import load_elf
    from rollup_node.faultproof.mips.step import run
    from rollup_node.faultproof.mips.syscalls import HostIO

    report: list[bytes] = []
    state = load_elf(binary_path("fpp", "mips").read_bytes())
    run(state, HostIO(host.oracle(), stderr=report.append), max_steps=max_steps)
    text = b"".join(report).decode(errors="replace")
    return ProgramRun(state.exit_code, text, state.step, finished=state.exited)
