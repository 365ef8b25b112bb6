"""Fixtures shared by the contract tests (``chain_helpers`` is importable from here on)."""

from __future__ import annotations

import pytest
from chain_helpers import place_predeploy
from web3 import Web3
from web3.contract import Contract

L1_BLOCK = "0x4200000000000000000000000000000000000015"
GAS_PRICE_ORACLE = "0x420000000000000000000000000000000000000F"
MESSAGE_PASSER = "0x4200000000000000000000000000000000000016"
DEPOSITOR = "0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001"


@pytest.fixture
def l1_block(evm_w3: Web3) -> Contract:
    """The L1Block predeploy, placed as the genesis alloc places it (values all zero)."""
    return place_predeploy(evm_w3, "L1Block", L1_BLOCK)


@pytest.fixture
def message_passer(evm_w3: Web3) -> Contract:
    """The L2ToL1MessagePasser predeploy with empty storage."""
    return place_predeploy(evm_w3, "L2ToL1MessagePasser", MESSAGE_PASSER)
