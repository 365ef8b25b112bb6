"""Start-up refusals: each bad config or foreign data dir ends in one line on stderr, exit != 0.

Every case runs the real ``rollup-node`` command in a child process and reads what an
operator would see.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import tomli_w

from rollup_node.chain.genesis import check_store_identity, open_l2_chain
from rollup_node.chain.store import ChainStore
from rollup_node.config import RollupConfig

UNREACHABLE_L1 = "http://127.0.0.1:9"


def _l2_store(data_dir: Path, rollup: RollupConfig, *, identity: bool) -> None:
    """An L2 store under ``data_dir`` made for ``rollup`` (with its identity metadata or not,
    as a store from before the check has none)."""
    store = ChainStore(data_dir / "l2")
    try:
        open_l2_chain(store, rollup)
        if identity:
            check_store_identity(store, rollup)
    finally:
        store.close()


def _replica_config(tmp: Path, **rollup: object) -> Path:
    path = tmp / "replica.toml"
    path.write_text(tomli_w.dumps({"rollup": rollup, "node": {"l1_rpc": UNREACHABLE_L1}}))
    return path


def _config_is_a_directory(tmp: Path) -> list[str]:
    return ["devnet", "--config", str(tmp)]


def _config_unreadable(tmp: Path) -> list[str]:
    return ["devnet", "--config", "/proc/self/mem"]  # opens, but reading fails (EIO), even as root


def _config_not_utf8(tmp: Path) -> list[str]:
    path = tmp / "latin1.toml"
    path.write_bytes('[node]\nlog_level = "info" # caf\xe9\n'.encode("latin-1"))
    return ["devnet", "--config", str(path)]


def _config_missing(tmp: Path) -> list[str]:
    return ["devnet", "--config", str(tmp / "nope.toml")]


def _l1_rpc_not_a_url(tmp: Path) -> list[str]:
    return ["replica", "--l1-rpc", "notaurl", "--data-dir", str(tmp / "d")]


def _l1_rpc_wrong_scheme(tmp: Path) -> list[str]:
    return ["replica", "--l1-rpc", "ftp://127.0.0.1:8545", "--data-dir", str(tmp / "d")]


def _data_dir_is_a_file(tmp: Path) -> list[str]:
    (tmp / "file").write_text("x")
    return ["devnet", "--data-dir", str(tmp / "file")]


def _data_dir_under_a_file(tmp: Path) -> list[str]:
    (tmp / "file").write_text("x")
    return ["devnet", "--data-dir", str(tmp / "file" / "data")]


def _data_dir_unwritable(tmp: Path) -> list[str]:
    return ["devnet", "--data-dir", "/sys/rollup-node-data"]  # sysfs refuses files, even root's


def _foreign_chain_id(tmp: Path) -> list[str]:
    _l2_store(tmp / "data", RollupConfig(), identity=True)
    config = _replica_config(tmp, l2_chain_id=902)
    return ["replica", "--config", str(config), "--data-dir", str(tmp / "data")]


def _foreign_rollup_config(tmp: Path) -> list[str]:
    _l2_store(tmp / "data", RollupConfig(), identity=True)
    config = _replica_config(tmp, l1_fee_scalar=2_000_000)
    return ["replica", "--config", str(config), "--data-dir", str(tmp / "data")]


def _foreign_genesis(tmp: Path) -> list[str]:
    _l2_store(tmp / "data", RollupConfig(), identity=False)  # a store from before the check
    config = _replica_config(tmp, l2_genesis_timestamp=1_700_000_000)
    return ["replica", "--config", str(config), "--data-dir", str(tmp / "data")]


CASES: list[tuple[Callable[[Path], list[str]], str]] = [
    (_config_is_a_directory, "is a directory, not a file"),
    (_config_unreadable, "cannot read /proc/self/mem: Input/output error"),
    (_config_not_utf8, "is not UTF-8 text (at byte 31)"),
    (_config_missing, "not found"),
    (_l1_rpc_not_a_url, "node.l1_rpc: Value error, not an http(s):// or ws(s):// URL"),
    (_l1_rpc_wrong_scheme, "node.l1_rpc: Value error, not an http(s):// or ws(s):// URL"),
    (_data_dir_is_a_file, "node.data_dir: {tmp}/file is not a directory"),
    (_data_dir_under_a_file, "node.data_dir: {tmp}/file is not a directory"),
    (_data_dir_unwritable, "node.data_dir: /sys is not writable"),
    (_foreign_chain_id, "holds an L2 chain with chain id 901, the config says 902"),
    (_foreign_rollup_config, "holds an L2 chain with rollup config hash 0x"),
    (_foreign_genesis, "its L2 genesis is 0x"),
]


@pytest.mark.parametrize(("make_args", "expected"), CASES, ids=[c[0].__name__[1:] for c in CASES])
def test_a_bad_start_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, make_args: Callable[[Path], list[str]], expected: str
) -> None:
    args = make_args(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "rollup_node.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    lines = run.stderr.strip().splitlines()
    assert run.returncode != 0
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("rollup-node: "), lines[0]
    assert expected.format(tmp=tmp_path) in lines[0], lines[0]
    assert run.stdout == ""
