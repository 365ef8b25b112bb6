"""Fee vaults: collect ETH, withdraw the whole balance to the L1 recipient via the passer."""

from __future__ import annotations

import pytest
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from tests.contracts.chain_helpers import place_predeploy, reverts

VAULTS = {
    "SequencerFeeVault": "0x4200000000000000000000000000000000000011",
    "L1FeeVault": "0x420000000000000000000000000000000000001A",
}


@pytest.mark.parametrize("name", sorted(VAULTS))
def test_withdraw_sends_balance_to_recipient_on_l1(
    evm_w3: Web3, message_passer: Contract, name: str
) -> None:
    recipient = evm_w3.eth.accounts[5]
    vault = place_predeploy(evm_w3, name, VAULTS[name], {0: int(recipient, 16)})
    assert vault.functions.recipient().call() == recipient
    with reverts("NothingToWithdraw()"):
        vault.functions.withdraw().transact({"from": evm_w3.eth.accounts[1]})
    evm_w3.eth.send_transaction({"from": evm_w3.eth.accounts[1], "to": vault.address, "value": 7})
    receipt = evm_w3.eth.wait_for_transaction_receipt(
        vault.functions.withdraw().transact({"from": evm_w3.eth.accounts[2]})
    )
    (withdrawal,) = vault.events.Withdrawal().process_receipt(receipt, errors=DISCARD)
    assert (withdrawal.args.value, withdrawal.args.to) == (7, recipient)
    (passed,) = message_passer.events.MessagePassed().process_receipt(receipt, errors=DISCARD)
    assert (passed.args.sender, passed.args.target, passed.args.value) == (
        vault.address,
        recipient,
        7,
    )
    assert passed.args.gasLimit == vault.functions.WITHDRAWAL_GAS_LIMIT().call()
    assert evm_w3.eth.get_balance(vault.address) == 0
    assert evm_w3.eth.get_balance(message_passer.address) == 7
