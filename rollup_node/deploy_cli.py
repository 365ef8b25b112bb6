"""``rollup-node deploy``: deploy the rollup's L1 contracts and write the rollup config."""

from __future__ import annotations

import argparse
import asyncio
import sys

from rollup_node.config import Config, ConfigError, load_config, write_rollup_config


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``deploy`` subcommand."""
    text = "deploy the L1 contracts (CTC, SCC, BondManager) and write the rollup config"
    sub = subparsers.add_parser("deploy", help=text, description=text)
    sub.add_argument("--l1-rpc", required=True, help="URL of the L1 JSON-RPC endpoint")
    sub.add_argument("--key", required=True, help="hex private key of the funded deployer")
    sub.add_argument("--out", required=True, help="where to write the rollup config (TOML)")
    sub.add_argument("--config", help="TOML with the [rollup] parameters to deploy with")
    sub.add_argument("--sequencer", help="L1 address allowed to post batches (default deployer)")
    sub.add_argument("--proposer", help="L1 address allowed to post roots (default deployer)")
    sub.set_defaults(func=run_deploy)


def run_deploy(args: argparse.Namespace) -> int:
    """Deploy and write ``--out``; exit code 0 on success, 1 on failure, 2 on bad config."""
    from rollup_node.deploy import deploy_rollup
    from rollup_node.l1.transactor import connect

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"rollup-node deploy: {exc}", file=sys.stderr)
        return 2
    try:
        rollup = asyncio.run(
            deploy_rollup(
                connect(args.l1_rpc), args.key, config.rollup, args.sequencer, args.proposer
            )
        )
    except Exception as exc:  # report any failure as one line; the exit code says it failed
        print(f"rollup-node deploy: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    write_rollup_config(Config(rollup=rollup), args.out)
    addresses = rollup.l1_addresses
    print(f"CanonicalTransactionChain {addresses.canonical_transaction_chain}")
    print(f"StateCommitmentChain      {addresses.state_commitment_chain}")
    print(f"BondManager               {addresses.bond_manager}")
    print(f"rollup config written to {args.out}")
    return 0
