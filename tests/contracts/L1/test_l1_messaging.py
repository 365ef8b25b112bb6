"""L1CrossDomainMessenger and L1StandardBridge: deposits through the CTC queue, withdrawals
proved against a final SCC element with a message-passer storage proof (SPEC §7)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import rlp
from eth_abi import decode, encode
from eth_utils import keccak
from trie import HexaryTrie
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from rollup_node.contracts import load_artifact
from tests.contracts.chain_helpers import (
    deploy,
    latest_timestamp,
    next_create_address,
    reverts,
    set_next_block_timestamp,
    transact,
)
from tests.contracts.deployments import (
    BOND,
    MAX_DEPOSIT_GAS,
    WINDOW,
    deploy_ctc,
    deploy_scc,
)
from tests.contracts.predeploys import L2_CROSS_DOMAIN_MESSENGER, L2_STANDARD_BRIDGE

ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
STATE_ROOT, BLOCK_HASH = b"\x51" * 32, b"\x52" * 32
RELAY_TYPES = ["uint256", "address", "address", "uint256", "uint256", "bytes"]


def withdrawal_hash(w: tuple) -> bytes:
    return keccak(encode(RELAY_TYPES, list(w)))


def storage_key(w_hash: bytes) -> bytes:
    """Trie key of sentMessages[w_hash] in the message passer's storage."""
    return keccak(keccak(w_hash + (0).to_bytes(32, "big")))


def passer_storage(hashes: list[bytes], filler: int = 0) -> HexaryTrie:
    """A message-passer storage trie holding `hashes` (value 1) and `filler` other slots."""
    trie = HexaryTrie(db={})
    for h in hashes:
        trie[storage_key(h)] = rlp.encode(1)
    for i in range(filler):
        trie[keccak(i.to_bytes(32, "big"))] = rlp.encode(i + 2)
    return trie


def proof_of(trie: HexaryTrie, w_hash: bytes) -> list[bytes]:
    return [rlp.encode(node) for node in trie.get_proof(storage_key(w_hash))]


@dataclass
class L1:
    w3: Web3
    ctc: Contract
    scc: Contract
    messenger: Contract
    bridge: Contract
    proposer: str
    nonce: int = 0
    headers: list = field(default_factory=list)

    def prove(self, storage_root: bytes, final: bool = True) -> tuple:
        """Propose an output root committing to `storage_root`; return (location, preimage)."""
        output_root = keccak(b"\x00" * 32 + STATE_ROOT + storage_root + BLOCK_HASH)
        start = self.scc.functions.totalElements().call()
        roots = [keccak(b"other"), output_root]
        receipt = transact(
            self.w3, self.scc.functions.appendStateBatch(roots, start), self.proposer
        )
        (event,) = self.scc.events.StateBatchAppended().process_receipt(receipt, errors=DISCARD)
        header = (event.args.batchIndex, event.args.batchRoot, 2, start, event.args.extraData)
        if final:
            set_next_block_timestamp(self.w3, latest_timestamp(self.w3) + WINDOW + 1)
            while not self.scc.functions.isBatchFinal(header[0]).call():
                transact(self.w3, self.scc.functions.finalizeBatch(), self.w3.eth.accounts[0])
        location = (start + 1, header, [roots[0]])
        return location, (STATE_ROOT, storage_root, BLOCK_HASH)

    def withdrawal(
        self, sender: str, target: str, value: int = 0, gas: int = 100_000, data: bytes = b""
    ) -> tuple:
        self.nonce += 1
        return (self.nonce, sender, target, value, gas, data)

    def finalize(self, w: tuple, trie: HexaryTrie | None = None, final: bool = True):
        trie = trie or passer_storage([withdrawal_hash(w)], filler=20)
        location, preimage = self.prove(trie.root_hash, final)
        call = self.messenger.functions.finalizeWithdrawal(
            w, location, preimage, proof_of(trie, withdrawal_hash(w))
        )
        # A dry run first, so a revert surfaces with its reason (an explicit gas limit would
        # otherwise mine a failed transaction).
        call.call({"from": self.w3.eth.accounts[0], "gas": 5_000_000})
        return transact(self.w3, call, self.w3.eth.accounts[0], gas=5_000_000)


@pytest.fixture
def l1(evm_w3: Web3) -> L1:
    w3, a = evm_w3, evm_w3.eth.accounts
    deployer, sequencer = a[0], a[1]
    messenger_address = next_create_address(w3, deployer, later=3)
    ctc = deploy_ctc(w3, sequencer, messenger_address)
    bonds, scc = deploy_scc(w3, ctc.address, sequencer, a[8])
    messenger = deploy(w3, "L1CrossDomainMessenger", ctc.address, scc.address)
    assert messenger.address == messenger_address
    bridge = deploy(w3, "L1StandardBridge", messenger.address)
    transact(w3, ctc.functions.appendSequencerBatch(b"", 100, 0, 0, 0, 2**64 - 1), sequencer)
    transact(w3, bonds.functions.deposit(), sequencer, value=BOND)
    # ETH deposited earlier, which withdrawals take out of the CTC.
    transact(w3, ctc.functions.enqueue(a[5], 100_000, False, b""), a[5], value=10**18)
    return L1(w3, ctc, scc, messenger, bridge, sequencer)


def _enqueued(l1: L1, receipt) -> dict:
    (event,) = l1.ctc.events.TransactionEnqueued().process_receipt(receipt, errors=DISCARD)
    return dict(event.args)


def _alias(address: str) -> str:
    return Web3.to_checksum_address(((int(address, 16) + ALIAS_OFFSET) % 2**160).to_bytes(20))


# ------------------------------------------------------------------ L1 -> L2


def test_send_message_enqueues_a_relay_deposit(l1: L1) -> None:
    w3, a = l1.w3, l1.w3.eth.accounts
    receipt = transact(
        w3, l1.messenger.functions.sendMessage(a[3], b"\xab\xcd", 50_000), a[2], value=77
    )
    deposit = _enqueued(l1, receipt)
    assert deposit["from"] == _alias(l1.messenger.address)
    assert deposit["to"] == Web3.to_checksum_address(L2_CROSS_DOMAIN_MESSENGER)
    assert deposit["mint"] == 77 and not deposit["isCreation"]
    relay = load_artifact("L2CrossDomainMessenger")
    l2_messenger = w3.eth.contract(abi=list(relay.abi))
    expected = l2_messenger.encode_abi("relayMessage", [0, a[2], a[3], 77, 50_000, b"\xab\xcd"])
    assert deposit["data"] == bytes.fromhex(expected[2:])
    intrinsic = l1.ctc.functions.intrinsicGas(deposit["data"], False).call()
    assert deposit["gasLimit"] == intrinsic + (50_000 * 64 + 62) // 63 + 80_000 + 20_000
    (sent,) = l1.messenger.events.SentMessage().process_receipt(receipt, errors=DISCARD)
    assert (sent.args.messageNonce, sent.args.value, sent.args.gasLimit) == (0, 77, 50_000)
    transact(w3, l1.messenger.functions.sendMessage(a[3], b"", 0), a[2])
    assert l1.messenger.functions.messageNonce().call() == 2


def test_message_gas_above_max_deposit_gas_is_rejected(l1: L1) -> None:
    with reverts("MessageGasTooHigh(uint256)"):
        transact(
            l1.w3,
            l1.messenger.functions.sendMessage(l1.w3.eth.accounts[3], b"", MAX_DEPOSIT_GAS),
            l1.w3.eth.accounts[2],
        )


def test_bridge_eth_and_erc20_deposits(l1: L1) -> None:
    w3, a = l1.w3, l1.w3.eth.accounts
    receipt = transact(w3, l1.bridge.functions.bridgeETHTo(a[3], 100_000, b"hi"), a[2], value=5)
    relay_args = decode(RELAY_TYPES, _enqueued(l1, receipt)["data"][4:])
    assert relay_args[1] == l1.bridge.address.lower()
    assert relay_args[2] == L2_STANDARD_BRIDGE.lower() and relay_args[3] == 5
    token = deploy(w3, "MintableERC20", a[0], "0x" + "00" * 20, "L1 token", "L1T", 18)
    transact(w3, token.functions.mint(a[2], 1_000), a[0])
    transact(w3, token.functions.approve(l1.bridge.address, 1_000), a[2])
    l2_token = Web3.to_checksum_address("0x" + "ee" * 20)
    transact(
        w3,
        l1.bridge.functions.bridgeERC20To(token.address, l2_token, a[3], 600, 100_000, b""),
        a[2],
    )
    assert token.functions.balanceOf(l1.bridge.address).call() == 600
    assert l1.bridge.functions.deposits(token.address, l2_token).call() == 600
    with reverts("InvalidTokenPair(address,address)"):
        transact(w3, l1.bridge.functions.bridgeERC20To(a[4], l2_token, a[3], 1, 100_000, b""), a[2])


# ------------------------------------------------------------------ L2 -> L1


def test_withdrawal_finalizes_once_against_a_final_root(l1: L1) -> None:
    w3, a = l1.w3, l1.w3.eth.accounts
    w = l1.withdrawal(a[2], a[6], value=12345)
    before = w3.eth.get_balance(a[6])
    receipt = l1.finalize(w)
    assert w3.eth.get_balance(a[6]) == before + 12345
    h = withdrawal_hash(w)
    assert l1.messenger.functions.finalizedWithdrawals(h).call()
    assert l1.messenger.functions.successfulMessages(h).call()
    (event,) = l1.messenger.events.WithdrawalFinalized().process_receipt(receipt, errors=DISCARD)
    assert event.args.withdrawalHash == h and event.args.success
    trie = passer_storage([h], filler=20)
    location, preimage = l1.prove(trie.root_hash)
    with reverts("AlreadyFinalized(bytes32)"):
        l1.messenger.functions.finalizeWithdrawal(w, location, preimage, proof_of(trie, h)).call()


def test_withdrawal_needs_a_final_root(l1: L1) -> None:
    w = l1.withdrawal(l1.w3.eth.accounts[2], l1.w3.eth.accounts[6])
    with reverts("OutputRootNotFinal(uint256)"):
        l1.finalize(w, final=False)


def test_withdrawal_against_a_deleted_root_cannot_finalize(l1: L1) -> None:
    """SPEC §11: after a game deletes a batch, a proof against its root is refused, even once
    the re-proposed batch at the same index is final."""
    w3, a = l1.w3, l1.w3.eth.accounts
    factory, game = a[8], a[7]
    w = l1.withdrawal(a[2], a[6])
    trie = passer_storage([withdrawal_hash(w)], filler=20)
    location, preimage = l1.prove(trie.root_hash, final=False)
    header = location[1]
    transact(w3, l1.scc.functions.registerGame(game, header), factory)
    transact(w3, l1.scc.functions.deleteStateBatch(header), game)
    bonds = l1.w3.eth.contract(
        address=l1.scc.functions.bondManager().call(), abi=load_artifact("BondManager").abi
    )
    transact(w3, bonds.functions.deposit(), l1.proposer, value=BOND)  # slashed: bond again
    transact(w3, l1.scc.functions.appendStateBatch([keccak(b"again")], header[3]), l1.proposer)
    set_next_block_timestamp(w3, latest_timestamp(w3) + WINDOW + 1)
    transact(w3, l1.scc.functions.finalizeBatch(), a[0])
    assert l1.scc.functions.isBatchFinal(header[0]).call()
    with reverts("InvalidOutputRootProof()"):
        l1.messenger.functions.finalizeWithdrawal(
            w, location, preimage, proof_of(trie, withdrawal_hash(w))
        ).call({"gas": 5_000_000})


def test_withdrawal_proofs_are_checked(l1: L1) -> None:
    a = l1.w3.eth.accounts
    w, other = l1.withdrawal(a[2], a[6]), l1.withdrawal(a[2], a[7])
    trie = passer_storage([withdrawal_hash(other)], filler=20)  # w was never sent
    location, preimage = l1.prove(trie.root_hash)
    finalize = l1.messenger.functions.finalizeWithdrawal
    with reverts("InvalidWithdrawalProof()"):
        finalize(w, location, preimage, proof_of(trie, withdrawal_hash(w))).call()
    bad_preimage = (preimage[0], preimage[1], b"\x00" * 32)
    with reverts("InvalidOutputRootProof()"):
        finalize(other, location, bad_preimage, proof_of(trie, withdrawal_hash(other))).call()
    tampered = proof_of(trie, withdrawal_hash(other))
    tampered[-1] = tampered[-1][:-1] + b"\x02"
    with reverts("InvalidProof(string)"):
        finalize(other, location, preimage, tampered).call()
    finalize(other, location, preimage, proof_of(trie, withdrawal_hash(other))).call(
        {"gas": 5_000_000}
    )


def test_withdrawal_targets_messenger_or_ctc_are_blocked(l1: L1) -> None:
    for target in (l1.messenger.address, l1.ctc.address):
        w = l1.withdrawal(l1.w3.eth.accounts[2], target)
        with reverts("BlockedTarget(address)"):
            l1.finalize(w)


def test_relay_gas_rule(l1: L1) -> None:
    w = l1.withdrawal(l1.w3.eth.accounts[2], l1.w3.eth.accounts[6], gas=2_000_000)
    trie = passer_storage([withdrawal_hash(w)])
    location, preimage = l1.prove(trie.root_hash)
    call = l1.messenger.functions.finalizeWithdrawal(
        w, location, preimage, proof_of(trie, withdrawal_hash(w))
    )
    with reverts("InsufficientRelayGas(uint256,uint256)"):
        call.call({"gas": 1_500_000})
    call.call({"gas": 3_000_000})


@pytest.mark.parametrize("filler", [0, 1, 2, 300])
def test_storage_proofs_of_any_trie_shape(l1: L1, filler: int) -> None:
    sent = [keccak(bytes([i])) for i in range(3)]
    trie = passer_storage(sent, filler)
    proven = l1.messenger.functions.isWithdrawalProven
    for h in sent:
        assert proven(trie.root_hash, h, proof_of(trie, h)).call()
    absent = keccak(b"absent")
    assert not proven(trie.root_hash, absent, proof_of(trie, absent)).call()


def test_erc20_withdrawal_through_the_bridges_and_replay(l1: L1) -> None:
    w3, a = l1.w3, l1.w3.eth.accounts
    token = deploy(w3, "MintableERC20", a[0], "0x" + "00" * 20, "L1 token", "L1T", 18)
    l2_token = Web3.to_checksum_address("0x" + "ee" * 20)
    data = l1.bridge.functions.finalizeBridgeERC20(
        token.address, l2_token, a[3], a[4], 250, b""
    )._encode_transaction_data()
    w = l1.withdrawal(
        L2_STANDARD_BRIDGE, l1.bridge.address, gas=200_000, data=bytes.fromhex(data[2:])
    )
    receipt = l1.finalize(w)
    (event,) = l1.messenger.events.WithdrawalFinalized().process_receipt(receipt, errors=DISCARD)
    assert not event.args.success  # nothing escrowed yet: recorded as failed
    h = withdrawal_hash(w)
    assert l1.messenger.functions.failedMessages(h).call()
    transact(w3, token.functions.mint(a[2], 1_000), a[0])
    transact(w3, token.functions.approve(l1.bridge.address, 1_000), a[2])
    transact(
        w3,
        l1.bridge.functions.bridgeERC20To(token.address, l2_token, a[3], 1_000, 100_000, b""),
        a[2],
    )
    transact(w3, l1.messenger.functions.replayMessage(*w), a[9], gas=3_000_000)
    assert l1.messenger.functions.successfulMessages(h).call()
    assert token.functions.balanceOf(a[4]).call() == 250
    assert l1.bridge.functions.deposits(token.address, l2_token).call() == 750


def test_eth_withdrawal_through_the_bridges(l1: L1) -> None:
    w3, a = l1.w3, l1.w3.eth.accounts
    data = l1.bridge.functions.finalizeBridgeETH(a[3], a[4], 999, b"")._encode_transaction_data()
    w = l1.withdrawal(
        L2_STANDARD_BRIDGE, l1.bridge.address, value=999, gas=200_000, data=bytes.fromhex(data[2:])
    )
    before = w3.eth.get_balance(a[4])
    l1.finalize(w)
    assert w3.eth.get_balance(a[4]) == before + 999
    # Anyone else calling the bridge's finalize directly is rejected.
    with reverts("OnlyOtherBridge(address)"):
        transact(w3, l1.bridge.functions.finalizeBridgeETH(a[3], a[4], 0, b""), a[3])


def test_only_the_ctc_pays_the_messenger(l1: L1) -> None:
    with reverts("OnlyCtc(address)"):
        l1.w3.eth.call({"from": l1.w3.eth.accounts[2], "to": l1.messenger.address, "value": 1})
