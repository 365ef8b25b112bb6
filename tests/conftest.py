"""Shared pytest fixtures.

``evm_w3`` is a web3 connected to an in-process Cancun L1 for contract tests.
"""

from __future__ import annotations

import pytest
from web3 import Web3


@pytest.fixture
def evm_w3() -> Web3:
    """A fresh in-process Cancun chain with ten funded, unlocked accounts."""
    from web3 import EthereumTesterProvider

    return Web3(EthereumTesterProvider())


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - RunningNode
    """A devnet node (embedded L1 + L2 sequencer, 1 s blocks) shared by a test module."""
    from tests.node_harness import RunningNode

    node = RunningNode(tmp_path_factory.mktemp("devnet"))
    yield node
    node.stop()
