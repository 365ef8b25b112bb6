"""``rollup-node withdraw status|prove|finalize``: take an L2 → L1 withdrawal to L1.

The withdrawal is named by the L2 transaction that initiated it (a bridge withdrawal or a
direct ``L2ToL1MessagePasser.initiateWithdrawal``). ``status`` says where each of its
withdrawals stands, ``prove`` prints the ``finalizeWithdrawal`` arguments as JSON (for a wallet
or a multisig to submit), ``finalize`` submits them from ``--key`` once the output root is final,
first calling the SCC's permissionless ``finalizeBatch()`` if the window has passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import TYPE_CHECKING

from rollup_node.config import ZERO_ADDRESS, ConfigError, RollupConfig, load_config

if TYPE_CHECKING:
    from rollup_node.withdrawals.relay import Relayer


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``withdraw`` subcommand."""
    text = "finalize L2 -> L1 withdrawals on L1 (status, prove, finalize)"
    sub = subparsers.add_parser("withdraw", help=text, description=text)
    actions = sub.add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, help_text in (
        ("status", "where the transaction's withdrawals stand"),
        ("prove", "print the finalizeWithdrawal arguments as JSON"),
        ("finalize", "finalize the withdrawals on L1 (after the fraud-proof window)"),
    ):
        p = actions.add_parser(action, help=help_text, description=help_text)
        p.add_argument("--tx", required=True, help="hash of the L2 transaction that withdrew")
        p.add_argument(
            "--config", required=True, action="append", help="the rollup config (rollup.toml)"
        )
        p.add_argument("--l1-rpc", help="L1 JSON-RPC URL (default: node.l1_rpc of the config)")
        p.add_argument(
            "--l2-rpc", default="http://127.0.0.1:9545", help="an L2 node's JSON-RPC URL"
        )
        p.add_argument("--index", type=int, help="only the withdrawal at this position in the tx")
        if action == "finalize":
            p.add_argument("--key", required=True, help="hex private key paying the L1 gas")
        p.set_defaults(func=run_withdraw)


def run_withdraw(args: argparse.Namespace) -> int:
    """Exit code 0 on success, 1 when the withdrawal cannot go on (the message says why),
    2 on bad arguments or config."""
    try:
        config = load_config(args.config)
        tx_hash = bytes.fromhex(args.tx.removeprefix("0x"))
        if len(tx_hash) != 32:
            raise ValueError("--tx must be a 32-byte transaction hash")
    except (ConfigError, ValueError) as exc:
        print(f"rollup-node withdraw: {exc}", file=sys.stderr)
        return 2
    l1_rpc = args.l1_rpc or config.node.l1_rpc
    if l1_rpc is None:
        print(
            "rollup-node withdraw: --l1-rpc is required (no node.l1_rpc in the config)",
            file=sys.stderr,
        )
        return 2
    if config.rollup.l1_addresses.l1_cross_domain_messenger == ZERO_ADDRESS:
        print(
            "rollup-node withdraw: the config names no L1 contracts (deploy first)", file=sys.stderr
        )
        return 2
    try:
        return asyncio.run(_run(args, config.rollup, l1_rpc, tx_hash))
    except Exception as exc:  # one line for any failure; the exit code says it failed
        from rollup_node.withdrawals.relay import WithdrawalError

        message = str(exc) if isinstance(exc, WithdrawalError) else f"{type(exc).__name__}: {exc}"
        print(f"rollup-node withdraw {args.action}: {message}", file=sys.stderr)
        return 1


async def _run(args: argparse.Namespace, rollup: RollupConfig, l1_rpc: str, tx_hash: bytes) -> int:
    from rollup_node.l1.transactor import connect
    from rollup_node.withdrawals import relay

    relayer = relay.Relayer(connect(l1_rpc), connect(args.l2_rpc), rollup)
    try:
        return await _act(args, relayer, rollup, tx_hash)
    finally:
        await relayer.l1.provider.disconnect()
        await relayer.l2.provider.disconnect()


async def _act(
    args: argparse.Namespace, relayer: Relayer, rollup: RollupConfig, tx_hash: bytes
) -> int:
    from rollup_node.l1.transactor import Transactor
    from rollup_node.withdrawals.relay import Stage

    block, withdrawals = await relayer.withdrawals_of(tx_hash)
    if args.index is not None:
        if not 0 <= args.index < len(withdrawals):
            raise ValueError(f"--index {args.index}: the transaction has {len(withdrawals)}")
        withdrawals = [withdrawals[args.index]]
    if args.action == "status":
        for w in withdrawals:
            status = await relayer.status(w, block)
            line = f"0x{w.hash.hex()} {status.stage.value}"
            if status.batch is not None:
                line += f" (SCC batch {status.batch.batch_index}"
                if status.stage is Stage.IN_WINDOW and status.window_ends is not None:
                    left = status.window_ends - int(time.time())
                    line += f", window ends at {status.window_ends}, in ~{max(left, 0)} s"
                line += ")"
            print(line)
        return 0
    if args.action == "prove":
        proofs = [(await relayer.prove(w, block)).to_json() for w in withdrawals]
        print(json.dumps(proofs if len(proofs) > 1 else proofs[0], indent=2))
        return 0
    tx = Transactor(relayer.l1, args.key, rollup.l1_chain_id)
    for w in withdrawals:
        receipt = await relayer.finalize(await relayer.prove(w, block), tx)
        print(
            f"0x{w.hash.hex()} finalized in L1 block {receipt.block_number} "
            f"(tx 0x{receipt.transaction_hash.hex()})"
        )
        if not await relayer.delivered(w):
            print(
                f"0x{w.hash.hex()}: the call to its target failed; it is recorded on the "
                "L1CrossDomainMessenger and anyone may replay it (replayMessage)"
            )
    return 0
