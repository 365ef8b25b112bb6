"""L1Block predeploy: only the L1-info depositor writes; getters read fixed slots."""

from __future__ import annotations

from web3 import Web3
from web3.contract import Contract

from tests.contracts.chain_helpers import place_predeploy, reverts, set_account
from tests.contracts.predeploys import DEPOSITOR, L1_BLOCK

VALUES = (17, 1_700_000_000, 7_000_000_000, b"\x11" * 32, 3)


def test_depositor_may_set_values(evm_w3: Web3, l1_block: Contract) -> None:
    # eth_call needs no signature, so it can run as the keyless depositor account (funded so
    # that the call's gas purchase passes).
    set_account(evm_w3, DEPOSITOR, balance=10**18)
    l1_block.functions.setL1BlockValues(*VALUES).call({"from": DEPOSITOR})


def test_anyone_else_is_rejected(evm_w3: Web3, l1_block: Contract) -> None:
    sender = evm_w3.eth.accounts[1]
    with reverts("OnlyDepositor(address)"):
        l1_block.functions.setL1BlockValues(*VALUES).transact({"from": sender})


def test_getters_read_the_documented_slots(evm_w3: Web3) -> None:
    number, timestamp, basefee, block_hash, sequence_number = VALUES
    storage = {0: number, 1: timestamp, 2: basefee, 3: int.from_bytes(block_hash)}
    storage[4] = sequence_number
    contract = place_predeploy(evm_w3, "L1Block", L1_BLOCK, storage)
    assert contract.functions.number().call() == number
    assert contract.functions.timestamp().call() == timestamp
    assert contract.functions.basefee().call() == basefee
    assert contract.functions.hash().call() == block_hash
    assert contract.functions.sequenceNumber().call() == sequence_number
