"""Shared pytest fixtures.

``evm_w3`` is a web3 connected over HTTP to a fresh embedded L1 for contract tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3


@pytest.fixture
def evm_w3(tmp_path: Path) -> Iterator[Web3]:
    """A fresh embedded L1 (Cancun, automine, ten funded unlocked accounts) served by the
    project's RPC server on a random port."""
    from tests.l1_harness import ServedL1

    served = ServedL1(tmp_path / "evm-l1")
    yield served.w3
    served.close()


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - RunningNode
    """A devnet node (embedded L1 + L2 sequencer, 1 s blocks) shared by a test module."""
    from tests.node_harness import RunningNode

    node = RunningNode(tmp_path_factory.mktemp("devnet"))
    yield node
    node.stop()
