"""``rollup-node fpp``: the fault-proof program's tools plus ``fpp run``, which proves one block
of a node's L2 chain (SPEC §10).

The program's package registers its own tools (``faultproof/program/cli.py``); ``run`` opens
the node's store and L1 and hands the program ``chain.witness.StoreL2Reader`` and
``program.host.Web3ProgramL1Source``, so it sits here, at the top with the other commands: the
program itself imports nothing of the node.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rollup_node.config import ConfigError, load_config
from rollup_node.faultproof.program.cli import register as register_tools


def run_command(args: argparse.Namespace) -> int:
    """``rollup-node fpp run``: prove one block of this node's L2 chain; exit with the verdict
    (0 valid, 1 invalid, 2 panic or unfinished)."""
    # imported here: building the CLI parser must not load py-evm and web3
    from web3 import Web3

    from rollup_node.chain.genesis import open_l2_chain
    from rollup_node.chain.store import ChainStore
    from rollup_node.chain.witness import StoreL2Reader
    from rollup_node.faultproof.program.host import Web3ProgramL1Source
    from rollup_node.faultproof.program.run import prove_block

    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(error)
        return 2
    l1_url = config.node.l1_rpc or f"http://127.0.0.1:{config.node.l1_rpc_port}"
    w3 = Web3(Web3.HTTPProvider(l1_url))
    rollup = config.rollup
    l1 = Web3ProgramL1Source(w3, rollup.l1_addresses.canonical_transaction_chain)
    head = (
        bytes.fromhex(args.l1_head[2:])
        if args.l1_head
        else bytes(w3.eth.get_block("latest")["hash"])
    )
    disputed = bytes.fromhex(args.disputed[2:]) if args.disputed else None
    store = ChainStore(Path(config.node.data_dir) / "l2")
    try:
        result = prove_block(
            StoreL2Reader(open_l2_chain(store, rollup)),
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


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``fpp`` subcommand: the program's own tools (``statetest``) and ``run``."""
    actions = register_tools(subparsers)
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
