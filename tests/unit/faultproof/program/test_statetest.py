"""Ethereum GeneralStateTests (Cancun) through the C EVM (rollup_node.faultproof.program.statetest).

The default suite runs a representative subset: every opcode group of VMTests, the Cancun and
Shanghai additions (transient storage, MCOPY, PUSH0, init-code metering, warm coinbase) and a few
classic directories (calls, creates, refunds, precompiles). The whole set is marked slow.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from rollup_node.faultproof.program import cli, statetest

from .conftest import ETHEREUM_TESTS, fixture_file

STATE_TESTS = ETHEREUM_TESTS / "GeneralStateTests"

REPRESENTATIVE = [
    "VMTests/vmArithmeticTest",
    "VMTests/vmBitwiseLogicOperation",
    "VMTests/vmIOandFlowOperations",
    "VMTests/vmLogTest",
    "Cancun/stEIP1153-transientStorage",
    "Cancun/stEIP5656-MCOPY",
    "Shanghai",
    "stExample",
    "stShift",
    "stSStoreTest",
    "stRefundTest",
    "stCreate2",
    "stStaticCall",
    "stPreCompiledContracts",
]


def _assert_all_pass(summary: statetest.Summary) -> None:
    details = "\n".join(f"{r.case.name}: {r.detail}" for r in summary.failed[:20])
    assert not summary.failed, f"{summary.line()}\n{details}"


@pytest.mark.parametrize("directory", REPRESENTATIVE)
def test_representative_directory(directory: str) -> None:
    summary = statetest.run_paths([fixture_file("GeneralStateTests", directory)])
    assert summary.passed > 0
    _assert_all_pass(summary)


def test_blob_transactions_are_skipped_with_a_reason() -> None:
    path = fixture_file("GeneralStateTests", "Cancun", "stEIP4844-blobtransactions")
    summary = statetest.run_paths([path])
    assert summary.skipped
    assert all("blob transaction" in (case.skip_reason or "") for case in summary.skipped)


def test_a_wrong_expectation_fails() -> None:
    path = fixture_file("GeneralStateTests", "stExample", "add11.json")
    case = statetest.load_cases(path)[0]
    wrong = statetest.StateTestCase(
        name=case.name,
        encoded=case.encoded,
        expected_hash=bytes(32),
        expected_logs=case.expected_logs,
    )
    summary = statetest.run_cases([case, wrong])
    assert summary.passed == 1
    assert len(summary.failed) == 1 and "state root" in summary.failed[0].detail


def test_cli_prints_one_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    path = fixture_file("GeneralStateTests", "stExample")
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["fpp", "statetest", str(path)])
    assert args.func(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].endswith(" passed, 0 failed, 0 skipped")
    assert int(lines[-1].split()[0]) > 0


def test_cli_rejects_a_missing_path() -> None:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["fpp", "statetest", "/nonexistent/state-tests"])
    with pytest.raises(FileNotFoundError):
        args.func(args)


@pytest.mark.slow
@pytest.mark.timeout(1800)  # the whole Cancun set takes ~8 minutes on 2 cores
def test_all_cancun_state_tests() -> None:
    if not STATE_TESTS.exists():
        pytest.skip("ethereum/tests fixtures not present")
    summary = statetest.run_paths([STATE_TESTS])
    total = summary.passed + len(summary.failed)
    assert summary.passed >= 0.99 * total, summary.line()


def test_find_test_files_sorts_and_recurses(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "y.json").write_text("{}")
    (tmp_path / "a.json").write_text("{}")
    assert statetest.find_test_files([tmp_path]) == [tmp_path / "a.json", tmp_path / "b" / "y.json"]
