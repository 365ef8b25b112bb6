"""The ``rollup-node`` command: flags → config → run the node; one subcommand per mode.

Run modes (SPEC §1): ``devnet``, ``sequencer``, ``verifier``, ``replica``. Tools: ``mips``
(the fault-proof VM) and ``fpp`` (the fault-proof program), registered by their packages.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rollup_node import __version__
from rollup_node.config import ConfigError, check_data_dir, load_config

#: Node flags: (flag, config key, type, help).
NODE_FLAGS: list[tuple[str, str, type, str]] = [
    ("--data-dir", "data_dir", str, "where the node keeps its databases"),
    ("--l1-rpc", "l1_rpc", str, "URL of the L1 JSON-RPC endpoint"),
    ("--rpc-host", "rpc_host", str, "interface the JSON-RPC server binds"),
    ("--rpc-port", "rpc_port", int, "L2 JSON-RPC port, HTTP and WebSocket"),
    ("--sequencer-key", "sequencer_key", str, "hex private key of the sequencer's L1 account"),
    (
        "--challenger-key",
        "challenger_key",
        str,
        "verifier: hex private key of the L1 account that creates and plays dispute games",
    ),
    (
        "--play-disputes",
        "play_disputes",
        str,
        "on or off: run the dispute agent (follow, defend and, with a challenger key, open "
        "games); off leaves disputes to other nodes",
    ),
    ("--sequencer-ws", "sequencer_ws", str, "replica: the sequencer's ws:// URL to follow"),
    (
        "--check-with-program",
        "check_with_program",
        bool,
        "run the native fault-proof program on every safe block in the background and alert "
        "when it does not accept this node's output root",
    ),
    ("--log-format", "log_format", str, "text or json"),
    ("--log-level", "log_level", str, "debug, info, warning or error"),
]
#: The node flags each mode's --help leaves out, because the mode never reads them (a config
#: file or the environment may still set them): the devnet embeds its L1 and its operator key
#: is the mnemonic's account 0; only a sequencer posts with a sequencer key, only a verifier
#: challenges, only a replica follows a sequencer's WebSocket and plays no dispute game; a
#: sequencer's proposer always checks its blocks with the program, so the background check is
#: for verifiers and replicas.
NOT_FOR_MODE: dict[str, frozenset[str]] = {
    "devnet": frozenset(
        {"l1_rpc", "sequencer_key", "challenger_key", "sequencer_ws", "check_with_program"}
    ),
    "sequencer": frozenset({"challenger_key", "sequencer_ws", "check_with_program"}),
    "verifier": frozenset({"sequencer_key", "sequencer_ws"}),
    "replica": frozenset({"sequencer_key", "challenger_key", "play_disputes"}),
}
DEVNET_FLAGS: list[tuple[str, str, type, str]] = [
    ("--l1-rpc-port", "l1_rpc_port", int, "embedded L1 JSON-RPC port"),
    (
        "--l1-block-time",
        "l1_block_time",
        float,
        "embedded L1 block time in seconds; 0 mines per tx",
    ),
]
#: Fault injection for tests (rollup_node/faults.py): (flag, Faults field, type, help).
FAULT_FLAGS: list[tuple[str, str, type, str]] = [
    (
        "--fault-wrong-root-once",
        "wrong_output_root_once",
        int,
        "TESTS ONLY: propose a wrong output root for this L2 block, once",
    ),
    (
        "--fault-lying-trace-from-step",
        "lying_trace_from_step",
        int,
        "TESTS ONLY: play dispute games with a trace that lies after this many steps",
    ),
    (
        "--fault-challenge-correct-root",
        "challenge_correct_root_at",
        int,
        "TESTS ONLY: verifier: challenge this correct SCC element (with the lying trace)",
    ),
    (
        "--fault-program-check-wrong-root",
        "program_check_wrong_root_at",
        int,
        "TESTS ONLY: verifier: --check-with-program gives the program a wrong root for this block",
    ),
]
ROLLUP_FLAGS: list[tuple[str, str, type, str]] = [
    ("--block-time", "l2_block_time", int, "L2 block time in seconds (rollup config, >= 1)"),
]

MODES = {
    "devnet": "run an embedded L1, the rollup contracts and a sequencer in one process",
    "sequencer": "build L2 blocks, serve JSON-RPC, post batches and output roots to L1",
    "verifier": "derive L2 from L1, check every posted output root, challenge wrong ones",
    "replica": "derive L2 from L1 and serve read-only JSON-RPC",
}

#: Tool subcommands registered by their packages (module path of ``register``).
TOOLS = (
    "rollup_node.deploy_cli",
    "rollup_node.dispute_cli",
    "rollup_node.faultproof.mips.cli",
    "rollup_node.fpp_cli",
    "rollup_node.withdrawals.cli",
)


def _shown_default(key: str) -> str:
    """The built-in default of a config key, for --help (the value stays None in the parsed
    arguments, so that a config file or the environment can still set it)."""
    from rollup_node.config import NodeConfig, RollupConfig

    for model in (NodeConfig, RollupConfig):
        field = model.model_fields.get(key)
        if field is not None and field.default is not None and not field.is_required():
            default = field.default
            if isinstance(default, Path) and not default.is_absolute():
                default = f"./{default}"
            return f" (default: {default})"
    return ""


def _add_flags(
    parser: argparse.ArgumentParser,
    flags: list[tuple[str, str, type, str]],
    hidden: bool = False,
) -> None:
    for flag, key, kind, text in flags:
        shown = argparse.SUPPRESS if hidden else text + _shown_default(key)
        if kind is bool:  # a switch: present sets True, absent leaves the config's value
            parser.add_argument(flag, dest=key, action="store_const", const=True, help=shown)
        else:
            parser.add_argument(flag, dest=key, type=kind, default=None, help=shown)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every mode and tool."""
    parser = argparse.ArgumentParser(
        prog="rollup-node",
        description="An optimistic rollup node: py-evm execution, derivation, MIPS fault proofs.",
    )
    parser.add_argument("--version", action="version", version=f"rollup-node {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for mode, text in MODES.items():
        sub = subparsers.add_parser(mode, help=text, description=text)
        sub.add_argument(
            "--config",
            action="append",
            help="TOML file with [rollup] and/or [node] tables; repeat to merge (later wins)",
        )
        _add_flags(sub, [f for f in NODE_FLAGS if f[1] not in NOT_FOR_MODE[mode]])
        _add_flags(sub, ROLLUP_FLAGS)
        if mode == "devnet":
            _add_flags(sub, DEVNET_FLAGS)
            _add_flags(sub, FAULT_FLAGS, hidden=True)  # accepted for tests, not advertised
        elif mode != "replica":
            _add_flags(sub, FAULT_FLAGS)
        sub.set_defaults(func=_run_mode, mode=mode)
    for module in TOOLS:
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(module).register(subparsers)
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    node = {"mode": args.mode}
    for _, key, _, _ in NODE_FLAGS + DEVNET_FLAGS:
        value = getattr(args, key, None)
        if value is not None:
            node[key] = value
    rollup = {
        key: getattr(args, key)
        for _, key, _, _ in ROLLUP_FLAGS
        if getattr(args, key, None) is not None
    }
    return {"node": node, "rollup": rollup}


def _run_mode(args: argparse.Namespace) -> int:
    from rollup_node.logs import configure_logging

    try:
        config = load_config(args.config, _overrides(args))
        check_data_dir(config.node.data_dir)
    except ConfigError as exc:
        print(f"rollup-node: {exc}", file=sys.stderr)
        return 2
    from rollup_node.devnet.ports import check_ports_free, listen_ports

    try:
        # Before anything starts: the devnet would otherwise start its L1 and deploy first.
        check_ports_free(config.node.rpc_host, listen_ports(config.node))
    except ConfigError as exc:
        print(f"rollup-node: {exc}", file=sys.stderr)
        return 2
    configure_logging(config.node.log_format, config.node.log_level)
    return asyncio.run(_main(config, _faults(args)))


def _faults(args: argparse.Namespace) -> Any:  # noqa: ANN401 - rollup_node.faults.Faults
    from rollup_node.faults import Faults

    chosen = {
        key: getattr(args, key)
        for _, key, _, _ in FAULT_FLAGS
        if getattr(args, key, None) is not None
    }
    return Faults(**chosen)


async def _main(config: Any, faults: Any = None) -> int:  # noqa: ANN401
    from rollup_node.node import run_node

    task = asyncio.create_task(run_node(config, faults))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        return 0
    except ConfigError as exc:
        print(f"rollup-node: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rollup-node`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
