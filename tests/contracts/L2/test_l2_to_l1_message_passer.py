"""L2ToL1MessagePasser predeploy: withdrawal hash, sentMessages slot, nonce and event (SPEC §7)."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD


def _withdrawal_hash(nonce: int, sender: str, target: str, value: int, gas: int, data: bytes):
    return keccak(
        encode(
            ["uint256", "address", "address", "uint256", "uint256", "bytes"],
            [nonce, sender, target, value, gas, data],
        )
    )


def test_initiate_withdrawal_records_hash_nonce_and_event(
    evm_w3: Web3, message_passer: Contract
) -> None:
    sender, target = evm_w3.eth.accounts[1], evm_w3.eth.accounts[2]
    for nonce, (value, gas, data) in enumerate([(10**17, 100_000, b"\x12\x34"), (0, 1, b"")]):
        tx = message_passer.functions.initiateWithdrawal(target, gas, data).transact(
            {"from": sender, "value": value}
        )
        receipt = evm_w3.eth.wait_for_transaction_receipt(tx)
        expected = _withdrawal_hash(nonce, sender, target, value, gas, data)
        (event,) = message_passer.events.MessagePassed().process_receipt(receipt, errors=DISCARD)
        assert event.args.nonce == nonce
        assert (event.args.sender, event.args.target) == (sender, target)
        assert (event.args.value, event.args.gasLimit, event.args.data) == (value, gas, data)
        assert event.args.withdrawalHash == expected
        assert message_passer.functions.sentMessages(expected).call()
        assert (
            message_passer.functions.hashWithdrawal(nonce, sender, target, value, gas, data).call()
            == expected
        )
        # The documented slot: sentMessages[h] at keccak(h ‖ uint256(0)); the nonce at slot 1.
        slot = keccak(expected + (0).to_bytes(32, "big"))
        assert evm_w3.eth.get_storage_at(message_passer.address, slot)[-1] == 1
        assert int.from_bytes(evm_w3.eth.get_storage_at(message_passer.address, 1)) == nonce + 1
    assert evm_w3.eth.get_balance(message_passer.address) == 10**17


def test_unsent_message_is_absent(message_passer: Contract) -> None:
    assert not message_passer.functions.sentMessages(b"\x01" * 32).call()
