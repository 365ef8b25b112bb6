"""Every end-to-end test runs on each L1 kind: the devnet's embedded L1 and anvil.

The autouse ``l1`` fixture is parametrized over the L1 kinds (test ids ``[embedded]`` and
``[anvil]``) and binds the L1 for ``rollup_helpers.sequencer``. It is module-scoped, so pytest
runs a module's tests per kind and one anvil serves a module (each sequencer deploys its own
contracts on it). A test that needs the L1 itself (``test_deploy``) takes ``l1`` as an
argument, and so must a module-scoped fixture that calls ``sequencer``: it is then set up
again for each kind (without it, it would be built once, before any L1 is bound).
anvil is stopped at teardown. Without the anvil npm package the anvil variants are skipped,
and so are those of tests marked ``l1_independent`` (they start no L1).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.l1 import ANVIL, L1
from tests.e2e.rollup_helpers import bind_l1

NO_ANVIL = "anvil not installed (npm install --prefix tests/e2e/anvil)"


@pytest.fixture(
    autouse=True,
    scope="module",
    params=[
        "embedded",
        pytest.param(
            "anvil", marks=[pytest.mark.anvil, pytest.mark.skipif(ANVIL is None, reason=NO_ANVIL)]
        ),
    ],
)
def l1(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[L1]:
    """The module's L1 (``request.param`` is its kind), bound for ``sequencer``."""
    chosen = L1(request.param, tmp_path_factory.mktemp(f"l1-{request.param}"))
    bind_l1(chosen)
    try:
        yield chosen
    finally:
        bind_l1(None)
        chosen.close()


def pytest_configure(config: pytest.Config) -> None:
    """Register this suite's marker."""
    config.addinivalue_line("markers", "l1_independent: an e2e test that starts no L1")
    config.addinivalue_line(
        "markers", "slow_on_anvil: [embedded] runs by default, [anvil] in the slow suite"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run ``l1_independent`` tests once (their ``[embedded]`` variant), and move the
    ``[anvil]`` variant of ``slow_on_anvil`` tests to the slow suite (a long test runs on both
    L1s in CI without costing the default suite twice; this hook runs before ``-m``
    deselects)."""
    once = pytest.mark.skip(reason="starts no L1: its [embedded] variant covers it")
    for item in items:
        kind = getattr(item, "callspec", None) and item.callspec.params.get("l1")
        if item.get_closest_marker("l1_independent") and kind == "anvil":
            item.add_marker(once)
        if item.get_closest_marker("slow_on_anvil") and kind == "anvil":
            item.add_marker(pytest.mark.slow)
