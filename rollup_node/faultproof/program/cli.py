"""The ``fpp`` subcommand: tools around the C fault-proof program.

``rollup-node fpp statetest FILE_OR_DIR...`` runs the Cancun cases of Ethereum GeneralStateTests
through the program's EVM (``statetest.py``), prints each failure and each skip with its reason,
and ends with exactly one line ``N passed, M failed, K skipped``. The exit code is 0 when
nothing failed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rollup_node.faultproof.program import statetest


def register(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """Add the ``fpp`` subcommand and its ``statetest`` action; return its actions, to which
    ``rollup_node/fpp_cli.py`` adds ``run`` (it opens a node's store, which the program must
    not import)."""
    fpp = subparsers.add_parser("fpp", help="tools for the C fault-proof program")
    actions = fpp.add_subparsers(dest="fpp_command", required=True)
    run = actions.add_parser(
        "statetest", help="run Ethereum GeneralStateTests (Cancun) through the C EVM"
    )
    run.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")
    run.set_defaults(func=statetest_command)
    return actions


def statetest_command(args: argparse.Namespace) -> int:
    """Run the state tests under ``args.paths``; report failures, skips and the summary."""
    summary = statetest.run_paths(args.paths)
    for result in summary.failed:
        print(f"FAIL {result.case.name}: {result.detail}")
    for case in summary.skipped:
        print(f"SKIP {case.name}: {case.skip_reason}")
    print(summary.line())
    return 0 if not summary.failed else 1
