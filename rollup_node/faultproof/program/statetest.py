"""Ethereum GeneralStateTests (Cancun) run through the C EVM.

Each Cancun post entry of a state-test JSON file becomes one *case*: the test's environment,
its pre-state and the entry's signed transaction (``txbytes``), RLP-encoded as
``src/statetest_main.c`` documents. The native ``statetest`` binary takes many cases on stdin
and prints one line per case (post-state root, logs hash, rejection reason); it runs under the
preimage-oracle host (``rollup_node.faultproof.oracle.run_native``) so that the precompiles the
program cannot compute (ecrecover, bn254, KZG) are served as precompile preimages, exactly as
in a fault proof. A case passes when both the state root and the logs hash match the fixture.

Cases the rollup cannot run are skipped with a reason: blob transactions (type 3) are invalid
on L2 (SPEC §3.1).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import rlp

from rollup_node.faultproof.oracle import host
from rollup_node.faultproof.oracle.source import DictSource
from rollup_node.faultproof.program.build import binary_path, build
from rollup_node.protocol.blob_fee import blob_base_fee

FORK = "Cancun"
BINARY = "statetest"
BATCH_SIZE = 400
TIMEOUT_SECONDS = 600
"""Cases per run of the binary: one process start per batch keeps the whole suite fast."""


@dataclass(frozen=True)
class StateTestCase:
    """One post entry of one state test, ready to run (or skipped with ``skip_reason``)."""

    name: str
    encoded: bytes
    expected_hash: bytes
    expected_logs: bytes
    skip_reason: str | None = None


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case: ``passed`` or a ``detail`` saying what differed."""

    case: StateTestCase
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Summary:
    """Counts over a run, and the failed and skipped results for reporting."""

    passed: int
    failed: list[CaseResult]
    skipped: list[StateTestCase]

    def line(self) -> str:
        """The one-line summary ``N passed, M failed, K skipped``."""
        return f"{self.passed} passed, {len(self.failed)} failed, {len(self.skipped)} skipped"


def _int(value: str) -> int:
    return int(value, 16) if value.startswith("0x") else int(value)


def _bytes(value: str) -> bytes:
    return bytes.fromhex(value[2:] if value.startswith("0x") else value)


@dataclass(frozen=True)
class L1FeeParams:
    """The L1 data fee inputs of SPEC §3.4 (off in Ethereum's own tests)."""

    l1_base_fee_wei: int
    overhead: int
    scalar: int
    vault: bytes


def _encode_env(env: dict, chain_id: int, l1_fee: L1FeeParams | None) -> list:
    excess_blob_gas = _int(env.get("currentExcessBlobGas", "0x00"))
    items = [
        _bytes(env["currentCoinbase"]),
        _int(env["currentNumber"]),
        _int(env["currentTimestamp"]),
        _int(env["currentGasLimit"]),
        chain_id,
        _int(env.get("currentBaseFee", "0x0a")),
        _int(env.get("currentRandom", "0x" + "00" * 32)).to_bytes(32, "big"),
        blob_base_fee(excess_blob_gas),
    ]
    if l1_fee is not None:
        items += [l1_fee.l1_base_fee_wei, l1_fee.overhead, l1_fee.scalar, l1_fee.vault]
    return items


def _encode_pre(pre: dict) -> list:
    accounts = []
    for address, account in sorted(pre.items()):
        storage = [
            [_int(key), _int(value)]
            for key, value in sorted(account.get("storage", {}).items(), key=lambda kv: _int(kv[0]))
        ]
        accounts.append(
            [
                _bytes(address),
                _int(account["nonce"]),
                _int(account["balance"]),
                _bytes(account["code"]),
                storage,
            ]
        )
    return accounts


def _skip_reason(txbytes: bytes) -> str | None:
    if not txbytes:
        return "post entry has no txbytes"
    if txbytes[0] == 0x03:
        return "blob transaction (type 3): invalid on L2 (SPEC §3.1)"
    return None


def encode_case(
    env: dict,
    pre: dict,
    txbytes: bytes | list[bytes],
    chain_id: int = 1,
    l1_fee: L1FeeParams | None = None,
) -> bytes:
    """The binary's input for one case: ``env`` and ``pre`` in the state-test JSON shape, and one
    transaction or (a list) a whole block's."""
    return rlp.encode([_encode_env(env, chain_id, l1_fee), _encode_pre(pre), txbytes])


@dataclass(frozen=True)
class BlockResult:
    """The header fields the EVM computes for a block (``evm_block_result`` in ``evm.h``)."""

    state_root: bytes
    transactions_root: bytes
    receipts_root: bytes
    gas_used: int
    transaction_count: int
    logs_bloom: bytes


def run_block(
    env: dict,
    pre: dict,
    transactions: list[bytes],
    chain_id: int = 1,
    l1_fee: L1FeeParams | None = None,
) -> BlockResult:
    """Execute ``transactions`` in order on ``pre`` as one block; rejected ones are left out."""
    build("native", (BINARY,))
    encoded = encode_case(env, pre, list(transactions), chain_id, l1_fee)
    outcome = host.run_native(
        [str(binary_path(BINARY, "native"))],
        DictSource(),
        stdin=len(encoded).to_bytes(4, "big") + encoded,
        timeout=TIMEOUT_SECONDS,
    )
    if outcome.exit_code != 0:
        raise RuntimeError(f"statetest exited {outcome.exit_code}: {outcome.stderr.decode()}")
    state, txs, receipts, gas, count, bloom = outcome.stdout.decode().split()
    return BlockResult(
        state_root=bytes.fromhex(state),
        transactions_root=bytes.fromhex(txs),
        receipts_root=bytes.fromhex(receipts),
        gas_used=int(gas),
        transaction_count=int(count),
        logs_bloom=bytes.fromhex(bloom),
    )


def load_cases(path: Path, chain_id: int = 1) -> list[StateTestCase]:
    """Every Cancun post entry of the state-test JSON file at ``path``."""
    with path.open() as handle:
        tests = json.load(handle)
    cases = []
    for test_name, test in tests.items():
        env = _encode_env(test["env"], chain_id, None)
        pre = _encode_pre(test["pre"])
        for index, post in enumerate(test.get("post", {}).get(FORK, [])):
            txbytes = _bytes(post.get("txbytes", "0x"))
            cases.append(
                StateTestCase(
                    name=f"{path.name}::{test_name}[{index}]",
                    encoded=rlp.encode([env, pre, txbytes]),
                    expected_hash=_bytes(post["hash"]),
                    expected_logs=_bytes(post["logs"]),
                    skip_reason=_skip_reason(txbytes),
                )
            )
    return cases


def find_test_files(paths: Iterable[Path]) -> list[Path]:
    """The JSON files named by ``paths``, directories searched recursively, in sorted order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.json")))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"no state test file or directory at {path}")
    return files


def _batches(cases: list[StateTestCase], size: int) -> Iterator[list[StateTestCase]]:
    for start in range(0, len(cases), size):
        yield cases[start : start + size]


def _run_batch(binary: Path, cases: list[StateTestCase]) -> list[CaseResult]:
    """Run cases in one process; after a crash, report that case and go on with the rest.

    A batch that runs past ``TIMEOUT_SECONDS`` is retried case by case, so only the slow case
    is reported (as failed).
    """
    results: list[CaseResult] = []
    while len(results) < len(cases):
        pending = cases[len(results) :]
        stdin = b"".join(len(c.encoded).to_bytes(4, "big") + c.encoded for c in pending)
        try:
            outcome = host.run_native(
                [str(binary)], DictSource(), stdin=stdin, timeout=TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired:
            if len(pending) == 1:
                results.append(CaseResult(pending[0], False, f"timed out ({TIMEOUT_SECONDS} s)"))
                continue
            for case in pending:
                results.extend(_run_batch(binary, [case]))
            break
        lines = outcome.stdout.decode().splitlines()
        for case, line in zip(pending, lines, strict=False):
            results.append(_judge(case, line))
        if outcome.exit_code != 0 and len(results) < len(cases):
            crashed = cases[len(results)]
            message = outcome.stderr.decode(errors="replace").strip().splitlines()
            reason = message[-1] if message else f"exit code {outcome.exit_code}"
            results.append(CaseResult(crashed, False, f"program crashed: {reason}"))
    return results


def _judge(case: StateTestCase, line: str) -> CaseResult:
    root_hex, logs_hex, error = line.split(" ", 2)
    root, logs = bytes.fromhex(root_hex), bytes.fromhex(logs_hex)
    problems = []
    if root != case.expected_hash:
        problems.append(f"state root {root.hex()} != {case.expected_hash.hex()}")
    if logs != case.expected_logs:
        problems.append(f"logs hash {logs.hex()} != {case.expected_logs.hex()}")
    if problems:
        return CaseResult(case, False, f"{'; '.join(problems)} (tx: {error})")
    return CaseResult(case, True)


def run_cases(cases: list[StateTestCase], batch_size: int = BATCH_SIZE) -> Summary:
    """Run every runnable case (building the native binary first) and summarise."""
    build("native", (BINARY,))
    binary = binary_path(BINARY, "native")
    skipped = [c for c in cases if c.skip_reason]
    runnable = [c for c in cases if not c.skip_reason]
    passed, failed = 0, []
    for batch in _batches(runnable, batch_size):
        for result in _run_batch(binary, batch):
            if result.passed:
                passed += 1
            else:
                failed.append(result)
    return Summary(passed=passed, failed=failed, skipped=skipped)


def run_paths(paths: Iterable[Path]) -> Summary:
    """Load and run every Cancun case under ``paths`` (files or directories)."""
    cases = [case for file in find_test_files(paths) for case in load_cases(file)]
    return run_cases(cases)
