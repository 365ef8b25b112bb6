"""L2CrossDomainMessenger, L2StandardBridge and the MintableERC20 factory: L1 -> L2 messages
and deposits, failed-message replay, withdrawals through the message passer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_abi import decode
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from tests.contracts.chain_helpers import deploy_forwarder, place_predeploy, reverts, transact
from tests.contracts.predeploys import (
    ERC20_FACTORY,
    L2_CROSS_DOMAIN_MESSENGER,
    L2_STANDARD_BRIDGE,
)

ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
L1_TOKEN = "0x00000000000000000000000000000000000000A1"


@dataclass
class L2:
    w3: Web3
    messenger: Contract
    bridge: Contract
    factory: Contract
    passer: Contract
    aliased_l1_messenger: str  # an unlocked account whose un-aliased address is the L1 messenger
    l1_bridge: str
    nonce: int = 0

    def relay(self, sender: str, target: str, data: bytes, value: int = 0, gas: int = 300_000):
        """Deliver an L1 message as its deposit would; returns (receipt, message fields)."""
        fields = (self.nonce, sender, target, value, gas, data)
        self.nonce += 1
        receipt = transact(
            self.w3,
            self.messenger.functions.relayMessage(*fields),
            self.aliased_l1_messenger,
            value=value,
            gas=3_000_000,
        )
        return receipt, fields


@pytest.fixture
def l2(evm_w3: Web3, message_passer: Contract) -> L2:
    a = evm_w3.eth.accounts
    aliased = a[6]
    l1_messenger = (int(aliased, 16) - ALIAS_OFFSET) % 2**160
    l1_bridge = a[7]
    messenger = place_predeploy(
        evm_w3, "L2CrossDomainMessenger", L2_CROSS_DOMAIN_MESSENGER, {3: l1_messenger}
    )
    bridge = place_predeploy(
        evm_w3, "L2StandardBridge", L2_STANDARD_BRIDGE, {0: int(l1_bridge, 16)}
    )
    factory = place_predeploy(evm_w3, "MintableERC20Factory", ERC20_FACTORY)
    return L2(evm_w3, messenger, bridge, factory, message_passer, aliased, l1_bridge)


def _token(l2: L2) -> Contract:
    from rollup_node.contracts import load_artifact

    call = l2.factory.functions.createMintableERC20(L1_TOKEN, "Token", "TKN", 18)
    address = call.call({"from": l2.w3.eth.accounts[0]})
    receipt = transact(l2.w3, call, l2.w3.eth.accounts[0])
    (event,) = l2.factory.events.MintableERC20Created().process_receipt(receipt, errors=DISCARD)
    assert event.args.localToken == address and event.args.remoteToken == L1_TOKEN
    return l2.w3.eth.contract(address=address, abi=list(load_artifact("MintableERC20").abi))


# ------------------------------------------------------------------ messenger


def test_relay_delivers_with_the_l1_sender(l2: L2) -> None:
    w3 = l2.w3
    recipient = w3.eth.accounts[3]
    before = w3.eth.get_balance(recipient)
    receipt, fields = l2.relay(w3.eth.accounts[2], recipient, b"", value=5)
    message_hash = l2.messenger.functions.hashMessage(*fields).call()
    (event,) = l2.messenger.events.RelayedMessage().process_receipt(receipt, errors=DISCARD)
    assert event.args.messageHash == message_hash
    assert l2.messenger.functions.successfulMessages(message_hash).call()
    assert w3.eth.get_balance(recipient) == before + 5
    with reverts("NotRelaying()"):
        l2.messenger.functions.xDomainMessageSender().call()


def test_only_the_aliased_l1_messenger_relays(l2: L2) -> None:
    call = l2.messenger.functions.relayMessage(
        0, l2.w3.eth.accounts[2], l2.w3.eth.accounts[3], 0, 100_000, b""
    )
    with reverts("OnlyOtherMessenger(address)"):
        transact(l2.w3, call, l2.w3.eth.accounts[2])


def test_failed_message_is_recorded_and_replayable(l2: L2) -> None:
    w3 = l2.w3
    # A withdrawal to the bridge from the wrong L1 sender fails inside the bridge.
    data = l2.bridge.functions.finalizeBridgeETH(
        w3.eth.accounts[2], w3.eth.accounts[3], 7, b""
    )._encode_transaction_data()
    receipt, fields = l2.relay(w3.eth.accounts[2], l2.bridge.address, data, value=7)
    message_hash = l2.messenger.functions.hashMessage(*fields).call()
    (event,) = l2.messenger.events.FailedRelayedMessage().process_receipt(receipt, errors=DISCARD)
    assert event.args.messageHash == message_hash
    assert l2.messenger.functions.failedMessages(message_hash).call()
    assert w3.eth.get_balance(l2.messenger.address) == 7  # the ETH waits for the replay
    with reverts("NotAFailedMessage(bytes32)"):
        transact(w3, l2.messenger.functions.replayMessage(9, *fields[1:]), w3.eth.accounts[4])
    # Replaying still fails (the sender is still not the L1 bridge) and stays replayable.
    transact(w3, l2.messenger.functions.replayMessage(*fields), w3.eth.accounts[4])
    assert l2.messenger.functions.failedMessages(message_hash).call()


def test_message_without_enough_gas_fails_instead_of_reverting(l2: L2) -> None:
    w3 = l2.w3
    fields = (0, w3.eth.accounts[2], w3.eth.accounts[3], 0, 1_000_000, b"")
    call = l2.messenger.functions.relayMessage(*fields)
    tx = call.transact({"from": l2.aliased_l1_messenger, "gas": 200_000})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    message_hash = l2.messenger.functions.hashMessage(*fields).call()
    assert l2.messenger.functions.failedMessages(message_hash).call()
    with reverts("InsufficientRelayGas(uint256,uint256)"):
        l2.messenger.functions.replayMessage(*fields).call(
            {"from": w3.eth.accounts[4], "gas": 200_000}
        )
    transact(w3, l2.messenger.functions.replayMessage(*fields), w3.eth.accounts[4], gas=3_000_000)
    assert l2.messenger.functions.successfulMessages(message_hash).call()
    assert not l2.messenger.functions.failedMessages(message_hash).call()


def test_value_mismatch_and_self_target_fail(l2: L2) -> None:
    w3 = l2.w3
    for target, value, sent in [(w3.eth.accounts[3], 5, 0), (l2.messenger.address, 0, 0)]:
        fields = (l2.nonce, w3.eth.accounts[2], target, value, 100_000, b"")
        l2.nonce += 1
        transact(
            w3, l2.messenger.functions.relayMessage(*fields), l2.aliased_l1_messenger, value=sent
        )
        assert l2.messenger.functions.failedMessages(
            l2.messenger.functions.hashMessage(*fields).call()
        ).call()


# ------------------------------------------------------------------ bridge


def test_eth_deposit_is_finalized_for_the_l1_bridge_only(l2: L2) -> None:
    w3 = l2.w3
    recipient = w3.eth.accounts[3]
    data = l2.bridge.functions.finalizeBridgeETH(
        w3.eth.accounts[2], recipient, 9, b"x"
    )._encode_transaction_data()
    before = w3.eth.get_balance(recipient)
    receipt, _ = l2.relay(l2.l1_bridge, l2.bridge.address, data, value=9)
    (event,) = l2.bridge.events.ETHBridgeFinalized().process_receipt(receipt, errors=DISCARD)
    assert (event.args.to, event.args.amount, event.args.extraData) == (recipient, 9, b"x")
    assert w3.eth.get_balance(recipient) == before + 9
    with reverts("OnlyOtherBridge(address)"):
        transact(w3, l2.bridge.functions.finalizeBridgeETH(recipient, recipient, 0, b""), recipient)


def test_erc20_deposit_mints_and_withdrawal_burns(l2: L2) -> None:
    w3, a = l2.w3, l2.w3.eth.accounts
    token = _token(l2)
    assert (token.functions.bridge().call(), token.functions.remoteToken().call()) == (
        l2.bridge.address,
        L1_TOKEN,
    )
    data = l2.bridge.functions.finalizeBridgeERC20(
        token.address, L1_TOKEN, a[2], a[3], 1_000, b""
    )._encode_transaction_data()
    l2.relay(l2.l1_bridge, l2.bridge.address, data)
    assert token.functions.balanceOf(a[3]).call() == 1_000
    receipt = transact(
        w3,
        l2.bridge.functions.bridgeERC20To(token.address, L1_TOKEN, a[4], 400, 100_000, b""),
        a[3],
    )
    assert token.functions.balanceOf(a[3]).call() == 600
    assert token.functions.totalSupply().call() == 600
    (passed,) = l2.passer.events.MessagePassed().process_receipt(receipt, errors=DISCARD)
    assert (passed.args.sender, passed.args.target) == (l2.bridge.address, l2.l1_bridge)
    assert passed.args.gasLimit == 100_000
    selector = l2.bridge.functions.finalizeBridgeERC20(
        L1_TOKEN, token.address, a[3], a[4], 400, b""
    )._encode_transaction_data()
    assert passed.args.data == bytes.fromhex(selector[2:])
    with reverts("InvalidTokenPair(address,address)"):
        transact(
            w3,
            l2.bridge.functions.bridgeERC20To(token.address, a[9], a[4], 1, 100_000, b""),
            a[3],
        )


def test_erc20_deposit_for_an_invalid_pair_bounces_back(l2: L2) -> None:
    a = l2.w3.eth.accounts
    token = _token(l2)
    wrong_remote = a[9]
    data = l2.bridge.functions.finalizeBridgeERC20(
        token.address, wrong_remote, a[2], a[3], 50, b""
    )._encode_transaction_data()
    receipt, _ = l2.relay(l2.l1_bridge, l2.bridge.address, data)
    assert token.functions.totalSupply().call() == 0
    (passed,) = l2.passer.events.MessagePassed().process_receipt(receipt, errors=DISCARD)
    back = decode(
        ["address", "address", "address", "address", "uint256", "bytes"], passed.args.data[4:]
    )
    assert back[0].lower() == wrong_remote.lower() and back[1].lower() == token.address.lower()
    assert (back[2].lower(), back[3].lower(), back[4]) == (a[3].lower(), a[2].lower(), 50)


def test_eth_withdrawal_goes_through_the_passer(l2: L2) -> None:
    w3, a = l2.w3, l2.w3.eth.accounts
    receipt = transact(w3, l2.bridge.functions.bridgeETHTo(a[4], 50_000, b""), a[3], value=11)
    (passed,) = l2.passer.events.MessagePassed().process_receipt(receipt, errors=DISCARD)
    assert (passed.args.target, passed.args.value) == (l2.l1_bridge, 11)
    assert w3.eth.get_balance(l2.passer.address) == 11


def test_token_mint_and_burn_only_by_bridge(l2: L2) -> None:
    token = _token(l2)
    with reverts("OnlyBridge(address)"):
        transact(l2.w3, token.functions.mint(l2.w3.eth.accounts[2], 1), l2.w3.eth.accounts[2])
    with reverts("ZeroRemoteToken()"):
        l2.factory.functions.createMintableERC20("0x" + "00" * 20, "a", "b", 18).call()


def test_contract_caller_goes_through_forwarder(l2: L2) -> None:
    # A relay through any other address, even a contract forwarding the aliased account's call,
    # is rejected: only the alias itself may call.
    forwarder = deploy_forwarder(l2.w3, l2.messenger.address)
    call = l2.messenger.functions.relayMessage(
        0, l2.w3.eth.accounts[2], l2.w3.eth.accounts[3], 0, 100_000, b""
    )
    with reverts("OnlyOtherMessenger(address)"):
        l2.w3.eth.call(
            {
                "from": l2.aliased_l1_messenger,
                "to": forwarder,
                "data": call._encode_transaction_data(),
                "gas": 500_000,
            }
        )
