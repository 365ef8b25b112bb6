"""Fixtures shared by the contract tests."""

from __future__ import annotations

import pytest
from web3 import Web3
from web3.contract import Contract

from tests.contracts.chain_helpers import place_predeploy
from tests.contracts.predeploys import L1_BLOCK, MESSAGE_PASSER


@pytest.fixture
def l1_block(evm_w3: Web3) -> Contract:
    """The L1Block predeploy, placed as the genesis alloc places it (values all zero)."""
    return place_predeploy(evm_w3, "L1Block", L1_BLOCK)


@pytest.fixture
def message_passer(evm_w3: Web3) -> Contract:
    """The L2ToL1MessagePasser predeploy with empty storage."""
    return place_predeploy(evm_w3, "L2ToL1MessagePasser", MESSAGE_PASSER)
