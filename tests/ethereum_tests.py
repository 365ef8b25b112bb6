"""Where the ethereum/tests fixtures are, for the conformance tests that read them.

The fixtures are not part of the repository (several hundred MB): the tests look in
``$ETHEREUM_TESTS`` when it is set, else in ``tests/fixtures/ethereum-tests`` of this checkout
(ignored by git; a shallow clone of ethereum/tests there will do), else in
``../shared/fixtures/ethereum-tests`` beside the checkout (where this project's CI lays them). A
test whose fixture is absent is skipped with a reason naming the path and the variable, never
failed or errored at collection.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV_VAR = "ETHEREUM_TESTS"
DEFAULT_LOCATION = Path(__file__).resolve().parent / "fixtures" / "ethereum-tests"
#: Where CI lays the fixtures: a ``shared/`` folder beside the checkout.
SHARED_LOCATION = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "ethereum-tests"


def ethereum_tests_root() -> Path:
    """The ethereum/tests checkout: ``$ETHEREUM_TESTS``, else ``tests/fixtures/ethereum-tests``,
    else ``../shared/fixtures/ethereum-tests`` beside the checkout."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    if not DEFAULT_LOCATION.exists() and SHARED_LOCATION.exists():
        return SHARED_LOCATION
    return DEFAULT_LOCATION


def missing_reason(path: Path) -> str:
    """Why a test that needs ``path`` is skipped (where the fixtures were looked for)."""
    return (
        f"ethereum/tests fixture {path} not present (clone ethereum/tests into "
        f"tests/fixtures/ethereum-tests or set {ENV_VAR})"
    )


def fixture_path(*parts: str) -> Path:
    """A fixture file or directory; inside a test, skips it with a reason when absent."""
    path = ethereum_tests_root().joinpath(*parts)
    if not path.exists():
        pytest.skip(missing_reason(path))
    return path


def absent_params(arg_count: int, *parts: str) -> list | None:
    """For a parametrize list built at collection time: ``None`` when the fixture is present,
    else one parameter set of ``arg_count`` placeholders marked skipped with the reason (a
    ``pytest.skip`` at collection would error the whole module)."""
    path = ethereum_tests_root().joinpath(*parts)
    if path.exists():
        return None
    skip = pytest.mark.skip(reason=missing_reason(path))
    return [pytest.param(*([None] * arg_count), id="/".join(parts), marks=skip)]
