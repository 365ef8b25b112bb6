"""Running the fault-proof program for an L2 block the node has (SPEC §10).

``prove_block`` gathers the local inputs from the node (the agreed output of block n−1, the
claimed output of block n unless another root is given, the L1 head) and runs the program —
natively (seconds; the proposer's check, SPEC §1) or on the reference MIPS VM (the trace the
dispute game bisects) — with ``host.ProgramHost`` serving its preimages.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rollup_node.config import RollupConfig
from rollup_node.faultproof.program.build import binary_path, build
from rollup_node.faultproof.program.host import Dispute, L1Reader, ProgramHost, StoreL2Reader

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
    chain: Any,
    config: RollupConfig,
    l1: L1Reader,
    l1_head_hash: bytes,
    number: int,
    disputed_root: bytes | None = None,
    target: Literal["native", "mips"] = "native",
    max_steps: int | None = None,
) -> ProgramRun:
    """Run the program on L2 block ``number`` of ``chain`` (a ``Chain``) against L1 at
    ``l1_head_hash``; ``disputed_root`` defaults to the node's own output root of the block."""
    from rollup_node.proposer.outputs import output_at

    pre = output_at(chain, number - 1).root
    disputed = disputed_root if disputed_root is not None else output_at(chain, number).root
    host = ProgramHost(
        Dispute(l1_head_hash, pre, disputed, number, config), l1, StoreL2Reader(chain)
    )
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


def run_command(args: argparse.Namespace) -> int:
    """``rollup-node fpp run``: prove one block of this node's L2 chain; exit with the verdict
    (0 valid, 1 invalid, 2 panic or unfinished)."""
    from web3 import Web3

    from rollup_node.chain.store import ChainStore
    from rollup_node.config import ConfigError, load_config
    from rollup_node.deploy import open_l2_chain
    from rollup_node.faultproof.program.host import Web3L1Reader

    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(error)
        return 2
    l1_url = config.node.l1_rpc or f"http://127.0.0.1:{config.node.l1_rpc_port}"
    w3 = Web3(Web3.HTTPProvider(l1_url))
    rollup = config.rollup
    l1 = Web3L1Reader(w3, rollup.l1_addresses.canonical_transaction_chain)
    head = (
        bytes.fromhex(args.l1_head[2:])
        if args.l1_head
        else bytes(w3.eth.get_block("latest")["hash"])
    )
    disputed = bytes.fromhex(args.disputed[2:]) if args.disputed else None
    store = ChainStore(Path(config.node.data_dir) / "l2")
    try:
        result = prove_block(
            open_l2_chain(store, rollup),
            rollup,
            l1,
            head,
            args.block,
            disputed,
            "mips" if args.vm else "native",
            args.max_steps,
        )
    finally:
        store.close()
    print(result.report, end="")
    steps = f" after {result.steps} steps" if result.steps is not None else ""
    print(f"block {args.block}: {result.verdict}{steps}")
    return result.exit_code if result.verdict in ("valid", "invalid") else 2


def register_run(actions: argparse._SubParsersAction) -> None:
    """Add ``run`` to the ``fpp`` subcommand's actions."""
    run_parser = actions.add_parser("run", help="run the fault-proof program on one L2 block")
    run_parser.add_argument("--config", help="the node's TOML config (rollup and node tables)")
    run_parser.add_argument("--block", type=int, required=True, help="L2 block number n >= 1")
    run_parser.add_argument("--disputed", help="0x output root to check (default: the node's)")
    run_parser.add_argument("--l1-head", help="0x L1 block hash (default: the latest block)")
    run_parser.add_argument(
        "--mips", "--vm", dest="vm", action="store_true", help="run the MIPS build on the VM"
    )
    run_parser.add_argument("--max-steps", type=int, default=None, help="VM step limit")
    run_parser.set_defaults(func=run_command)
