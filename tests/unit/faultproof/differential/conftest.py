"""Fixtures for the differential fuzzer: one runner (py-evm on a scratch store, the program's
native build) per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rollup_node.faultproof.differential.runner import Differential
from rollup_node.faultproof.program.build import binary_path, build


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Differential]:
    """The real program's native build against py-evm."""
    build("native", ("fpp", "derive"))
    differential = Differential(
        tmp_path_factory.mktemp("differential"),
        binary_path("fpp", "native"),
        binary_path("derive", "native"),
    )
    yield differential
    differential.close()
