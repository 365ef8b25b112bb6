"""The program check (verifier/program_check.py) on real parts, in a second or two: the node's
chain holding a random block of the differential fuzzer (rollup_node/faultproof/differential/:
deposits, contracts, precompiles, reverts, invalid transactions) built on its synthetic L1, and
the program's native build judging it with that L1's preimages. The devnet run through
``--check-with-program`` is tests/e2e/test_program_check.py (slow)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from rollup_node.chain.witness import StoreL2Reader
from rollup_node.cli import _faults, _overrides, build_parser
from rollup_node.config import load_config
from rollup_node.faultproof.differential.generator import batch_data, generate, materialize
from rollup_node.faultproof.differential.runner import ANCHOR, Differential, anchored_world
from rollup_node.faultproof.differential.world import World
from rollup_node.faultproof.oracle.host import HostError
from rollup_node.faultproof.oracle.source import PreimageNotFound
from rollup_node.faultproof.program.build import binary_path, build
from rollup_node.faultproof.program.host import Dispute, ProgramHost
from rollup_node.faultproof.program.run import ProgramRun
from rollup_node.verifier.program_check import ProgramChecker, l1_unavailable, web3_prover


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Differential]:
    build("native", ("fpp", "derive"))
    differential = Differential(
        tmp_path, binary_path("fpp", "native"), binary_path("derive", "native")
    )
    yield differential
    differential.close()


class SyntheticL1:
    """The synthetic L1 of the block the chain holds as block 1, and the program run against
    it (the node's prover runs against an L1 endpoint instead: ``program_check.web3_prover``)."""

    def __init__(self, runner: Differential) -> None:
        self.runner = runner
        self.world: World | None = None

    def commit(self, seed: int) -> None:
        """Make the random block of ``seed`` the chain's block 1 (the previous one rewound)."""
        runner = self.runner
        if runner.chain.head_number() == 1:
            runner.rewind()
        block = materialize(generate(seed, runner.config, ANCHOR), runner.config, ANCHOR)
        batch = batch_data(ANCHOR, len(block.queue), block.txs)
        self.world = anchored_world(batch, block.queue, len(block.queue), runner.config)
        assert not runner.run(block, keep=True).mismatch  # the fuzzer's own verdict

    def prove(self, number: int, disputed: bytes) -> ProgramRun:
        assert self.world is not None
        runner = self.runner
        config = runner.config
        dispute = Dispute(self.world.l1_hashes[-1], runner.pre_root, disputed, number, config)
        host = ProgramHost(dispute, None, StoreL2Reader(runner.chain))
        result = host.run_native(runner.fpp, self.world.source, timeout=120)
        return ProgramRun(result.exit_code, result.stderr.decode(errors="replace"))


def checking(
    checker: ProgramChecker, steps: list[tuple[Callable[[], bool], Callable[[], None]]]
) -> None:
    """Run ``checker`` and, for each step, wait until its condition holds, then do its action."""

    async def main() -> None:
        task = asyncio.create_task(checker.run())
        try:
            for condition, action in steps:
                for _ in range(600):
                    if condition():
                        break
                    if task.done():
                        task.result()
                    await asyncio.sleep(0.05)
                else:
                    raise AssertionError("the checker did not get there in 30 s")
                action()
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())


def value(registry: CollectorRegistry, name: str) -> float:
    return registry.get_sample_value(name) or 0.0


def test_a_safe_block_is_checked_and_agrees(runner: Differential) -> None:
    l1 = SyntheticL1(runner)
    l1.commit(seed=11)
    registry = CollectorRegistry()
    with ThreadPoolExecutor(1) as executor:
        checker = ProgramChecker(
            runner.config, runner.chain, l1.prove, executor, registry, poll_seconds=0.05
        )
        assert checker.behind() == 1
        checking(checker, [(lambda: checker.last_checked == 1, lambda: None)])
    assert value(registry, "verifier_program_checked_block") == 1
    assert value(registry, "verifier_program_checked_blocks_total") == 1
    assert value(registry, "verifier_program_mismatches_total") == 0
    assert value(registry, "verifier_program_check_seconds_count") == 1
    assert checker.status() == {"checkedL2": "0x1", "behind": 0, "mismatches": []}


def test_a_wrong_root_given_to_the_program_alerts(runner: Differential) -> None:
    l1 = SyntheticL1(runner)
    l1.commit(seed=12)
    registry = CollectorRegistry()
    with ThreadPoolExecutor(1) as executor:
        checker = ProgramChecker(
            runner.config, runner.chain, l1.prove, executor, registry, 0.05, wrong_root_at=1
        )
        checking(checker, [(lambda: checker.last_checked == 1, lambda: None)])
    assert value(registry, "verifier_program_mismatches_total") == 1
    (alert,) = checker.status()["mismatches"]  # type: ignore[misc]
    head = runner.chain.head()
    assert alert["l2BlockNumber"] == "0x1" and alert["blockHash"] == "0x" + head.hash.hex()
    assert (alert["verdict"], alert["exitCode"]) == ("invalid", 1)
    # the program reports the root it computed: the node's own, not the wrong one it was given
    assert checker.mismatches[0].report.splitlines()[-2].endswith(alert["localOutputRoot"][2:])


def test_a_replaced_block_is_checked_again(runner: Differential) -> None:
    """An L1 reorg re-derives a checked block: the cursor steps back and the new block is
    checked against its own L1."""
    l1 = SyntheticL1(runner)
    l1.commit(seed=13)
    first = runner.chain.head().hash
    registry = CollectorRegistry()
    with ThreadPoolExecutor(1) as executor:
        checker = ProgramChecker(
            runner.config, runner.chain, l1.prove, executor, registry, poll_seconds=0.05
        )
        checked = lambda: value(registry, "verifier_program_checked_blocks_total")  # noqa: E731
        checking(
            checker,
            [
                (lambda: checked() == 1, lambda: l1.commit(seed=14)),
                (lambda: checked() == 2, lambda: None),
            ],
        )
    assert runner.chain.head().hash != first
    assert list(checker.checked) == [(1, runner.chain.head().hash)]
    assert value(registry, "verifier_program_mismatches_total") == 0


def test_l1_unavailable_is_retried_not_alerted(runner: Differential) -> None:
    """The node's prover with nothing listening at its L1 URL: each run fails for want of L1;
    the checker retries (backing off) and neither alerts nor stops."""
    SyntheticL1(runner).commit(seed=15)
    registry = CollectorRegistry()
    prover = web3_prover(runner.config, runner.chain, "http://127.0.0.1:19499")
    attempts = []

    def counting(number: int, disputed: bytes) -> ProgramRun:
        attempts.append(number)
        return prover(number, disputed)

    with ThreadPoolExecutor(1) as executor:
        checker = ProgramChecker(
            runner.config, runner.chain, counting, executor, registry, poll_seconds=0.05
        )
        checking(checker, [(lambda: len(attempts) >= 3, lambda: None)])
    assert attempts == [1] * len(attempts)
    assert value(registry, "verifier_program_checked_blocks_total") == 0
    assert value(registry, "verifier_program_mismatches_total") == 0
    assert value(registry, "verifier_program_check_lag_blocks") == 1


def _host_error(cause: BaseException) -> HostError:
    try:
        raise HostError("host could not serve the program") from cause
    except HostError as error:
        return error


def test_which_host_failures_are_retried() -> None:
    """A preimage the host's L1 data lacked (seen on anvil under load, gone on the next try, as
    in the proposer's run) and L1 transport errors are retried; any other cause is a bug."""
    assert l1_unavailable(_host_error(PreimageNotFound("no preimage for key 02ab")))
    assert l1_unavailable(_host_error(ConnectionRefusedError("refused")))
    assert not l1_unavailable(_host_error(ValueError("a bug")))
    assert not l1_unavailable(ValueError("a bug"))


def test_the_flag_and_the_config_key() -> None:
    """``--check-with-program`` (verifier, replica) or ``check_with_program`` under [node] or
    ``ROLLUP_NODE_CHECK_WITH_PROGRAM``; off by default; a sequencer's proposer always checks."""
    parser = build_parser()
    for mode in ("verifier", "replica"):
        args = parser.parse_args([mode, "--check-with-program"])
        assert load_config(None, _overrides(args), environ={}).node.check_with_program
        args = parser.parse_args([mode])
        assert not load_config(None, _overrides(args), environ={}).node.check_with_program
    environ = {"ROLLUP_NODE_CHECK_WITH_PROGRAM": "true"}
    assert load_config(None, environ=environ).node.check_with_program
    for mode in ("sequencer", "devnet"):
        with pytest.raises(SystemExit):
            parser.parse_args([mode, "--check-with-program"])
    args = parser.parse_args(["verifier", "--fault-program-check-wrong-root", "3"])
    assert _faults(args).program_check_wrong_root_at == 3 and _faults(args).any
