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
