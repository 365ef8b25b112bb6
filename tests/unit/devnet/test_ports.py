"""Start-up checks of the command line (devnet/ports.py, cli.py): a port in use stops the node
with one line naming the port and its flag before anything starts, and ``devnet --help`` lists
only the flags that apply to the devnet, with their defaults."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollup_node.cli import build_parser
from rollup_node.config import ConfigError, NodeConfig
from rollup_node.devnet.ports import ListenPort, check_ports_free, listen_ports, port_in_use


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port some other program listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        yield holder.getsockname()[1]


def test_a_listening_port_is_in_use_and_a_released_one_is_not(taken_port: int) -> None:
    assert port_in_use("127.0.0.1", taken_port)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert not port_in_use("127.0.0.1", free)


def test_the_error_names_the_port_and_the_flag(taken_port: int) -> None:
    node = NodeConfig(mode="devnet", rpc_port=0, l1_rpc_port=taken_port)
    assert listen_ports(node) == [ListenPort(taken_port, "--l1-rpc-port", "embedded L1 JSON-RPC")]
    with pytest.raises(ConfigError) as caught:
        check_ports_free("127.0.0.1", listen_ports(node))
    assert str(caught.value) == (
        f"port {taken_port} on 127.0.0.1 (embedded L1 JSON-RPC) is already in use: stop what "
        "listens there or choose another port with --l1-rpc-port"
    )
    # Only the devnet embeds an L1; the same port twice is refused before binding anything.
    assert [p.flag for p in listen_ports(NodeConfig(mode="verifier", rpc_port=9))] == ["--rpc-port"]
    with pytest.raises(ConfigError, match="set for both"):
        check_ports_free("127.0.0.1", listen_ports(NodeConfig(rpc_port=9, l1_rpc_port=9)))


def test_devnet_on_a_taken_port_exits_with_one_line_before_starting(
    taken_port: int, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "rollup_node.cli", "devnet", "--data-dir", str(data_dir)]
        + ["--rpc-port", str(taken_port), "--l1-rpc-port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"rollup-node: port {taken_port} on 127.0.0.1 (L2 JSON-RPC) is already in use: stop what "
        "listens there or choose another port with --rpc-port"
    ]
    assert not data_dir.exists()  # no embedded L1 was started, nothing was deployed


def _help(mode: str) -> str:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.choices and mode in a.choices)
    return subparsers.choices[mode].format_help()


def test_devnet_help_lists_only_devnet_flags_with_defaults() -> None:
    text = _help("devnet")
    for flag, default in [
        ("--data-dir", "./data"),
        ("--rpc-host", "127.0.0.1"),
        ("--rpc-port", "9545"),
        ("--l1-rpc-port", "8545"),
        ("--l1-block-time", "2.0"),
        ("--block-time", "2"),
        ("--log-level", "info"),
    ]:
        assert flag in text
        after = text.split(flag, 2)[-1]
        assert f"(default: {default})" in " ".join(after.split()[:40]), flag
    for other in ("--l1-rpc ", "--sequencer-key", "--challenger-key", "--sequencer-ws", "--fault"):
        assert other not in text, other
    # Each other mode lists its own flags only.
    for mode, own, foreign in [
        ("sequencer", "--sequencer-key", ("--challenger-key", "--sequencer-ws", "--l1-rpc-port")),
        ("verifier", "--challenger-key", ("--sequencer-key", "--sequencer-ws", "--l1-rpc-port")),
        ("replica", "--sequencer-ws", ("--sequencer-key", "--challenger-key", "--fault")),
    ]:
        text = _help(mode)
        assert own in text and "--l1-rpc L1_RPC" in text, mode
        assert "(default: 9545)" in " ".join(text.split()), mode
        for flag in foreign:
            assert flag not in text, (mode, flag)


def test_hidden_fault_flags_still_parse_for_the_devnet() -> None:
    args = build_parser().parse_args(["devnet", "--fault-wrong-root-once", "3"])
    assert args.wrong_output_root_once == 3
