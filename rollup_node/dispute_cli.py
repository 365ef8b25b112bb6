"""``rollup-node dispute list|show|dry-run``: the dispute games a node sees, from its
``rollup_disputes`` (SPEC §11, §12), and what a game over one block would take.

``list`` prints one line per game (address, disputed L2 block, status, this node's role, claims,
the least time left on a clock, the next action) and one per wrong root its watcher found;
``show ADDRESS`` prints one game with every claim (index, parent, depth, value, claimant, bond,
who countered it, resolved, seconds left). ``--json`` prints the RPC answer as it came.
``dry-run --block N [--root 0x…]`` replays the program for element ``n`` from L1 and the node's
store and prints the verdict, trace length and a game's moves, bonds and L1 gas
(``dispute_dry_run.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import requests


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``dispute`` subcommand."""
    text = (
        "list the dispute games a node sees, or show one (from its rollup_disputes); dry-run: "
        "replay one block from L1 and print what a game over it would take"
    )
    sub = subparsers.add_parser("dispute", help=text, description=text)
    sub.add_argument("action", choices=("list", "show", "dry-run"))
    sub.add_argument("address", nargs="?", help="show: the game's address")
    sub.add_argument(
        "--rpc", default="http://127.0.0.1:9545", help="the node's JSON-RPC URL (default L2 9545)"
    )
    sub.add_argument("--json", action="store_true", help="print the RPC answer as JSON")
    sub.add_argument("--block", type=int, help="dry-run: the L2 block (SCC element) n")
    sub.add_argument("--root", help="dry-run: the 0x output root to dispute (default: posted)")
    sub.add_argument("--l1-head", type=int, help="dry-run: the game's L1 head number")
    sub.add_argument("--config", action="append", help="dry-run: the node's TOML config")
    sub.add_argument("--l1-rpc", help="dry-run: L1 JSON-RPC URL (default: the config's)")
    sub.add_argument("--data-dir", help="dry-run: the node's data dir (default: the config's)")
    sub.set_defaults(func=run_dispute)


def fetch(rpc: str, address: str | None = None) -> list[dict[str, Any]]:
    """``rollup_disputes`` of the node at ``rpc`` (one game's entry if ``address``)."""
    params = [address] if address else []
    body = {"jsonrpc": "2.0", "id": 1, "method": "rollup_disputes", "params": params}
    session = requests.Session()
    session.trust_env = False  # a local node: no proxy
    with session:
        answer = session.post(rpc, json=body, timeout=30).json()
    if "error" in answer:
        raise RuntimeError(f"rollup_disputes: {answer['error'].get('message')}")
    return answer["result"]


def game_line(game: dict[str, Any]) -> str:
    """One line of ``list`` for a game entry."""
    left = [c["secondsLeft"] for c in game["claims"] if c["secondsLeft"] is not None]
    clock = f"{min(left)} s" if left else "-"
    return (
        f"{game['address']}  block {int(game['l2BlockNumber'], 16):>6}  {game['status']:<15} "
        f"{game['ourRole']:<10} claims {len(game['claims']):>3}  clock {clock:>6}  "
        f"next: {game['nextAction']}"
    )


def mismatch_line(entry: dict[str, Any]) -> str:
    """One line of ``list`` for a wrong root the watcher found."""
    return (
        f"wrong root  block {int(entry['l2BlockNumber'], 16):>6}  {entry['status']:<15} "
        f"posted {entry['postedOutputRoot']}  ours {entry['localOutputRoot']}"
    )


def show_lines(game: dict[str, Any]) -> list[str]:
    """Every line of ``show`` for one game."""
    lines = [
        f"game         {game['address']}",
        f"L2 block     {int(game['l2BlockNumber'], 16)}",
        f"root claim   {game['rootClaim']}",
        f"L1 head      {int(game['l1HeadNumber'], 16)}",
        f"challenger   {game['challenger']}",
        f"status       {game['status']}",
        f"our role     {game['ourRole']}",
        f"next action  {game['nextAction']}",
        f"credit       {int(game['creditClaimed'], 16)} wei claimed",
        "claims (index <- parent, depth, value, claimant, bond wei, countered by, resolved,"
        " seconds left):",
    ]
    for c in game["claims"]:
        parent = "root" if c["parentIndex"] is None else str(c["parentIndex"])
        depth = int(c["position"], 16).bit_length() - 1
        lines.append(
            f"  {c['index']:>3} <- {parent:>4}  d{depth:<2} {c['claim']}  {c['claimant']}  "
            f"{int(c['bond'], 16)}  {c['counteredBy'] or '-'}  "
            f"{'yes' if c['resolved'] else 'no'}  {c['secondsLeft']}"
        )
    return lines


def run_dispute(args: argparse.Namespace) -> int:
    """Print; exit code 0, 1 if the node cannot be asked, 2 for a game it does not know
    (``dry-run``: see ``dispute_dry_run``)."""
    if args.action == "dry-run":
        # imported here: building the CLI parser must not load web3 and the VM
        from rollup_node.dispute_dry_run import run_dry_run

        return run_dry_run(args)
    if args.action == "show" and not args.address:
        print("rollup-node dispute show: the game's ADDRESS is required", file=sys.stderr)
        return 2
    try:
        entries = fetch(args.rpc, args.address if args.action == "show" else None)
    except (requests.RequestException, RuntimeError, ValueError) as exc:
        print(f"rollup-node dispute: {args.rpc}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(entries, indent=1))
        return 0
    if args.action == "show":
        games = [e for e in entries if e["kind"] == "game"]
        if not games:
            print(f"rollup-node dispute: the node follows no game {args.address}", file=sys.stderr)
            return 2
        print("\n".join(show_lines(games[0])))
        return 0
    for entry in entries:
        print(game_line(entry) if entry["kind"] == "game" else mismatch_line(entry))
    if not entries:
        print("no dispute games")
    return 0
