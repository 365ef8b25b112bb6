"""Deposits (SPEC §3.2, §3.3) on a running devnet: injected user deposits and the L1-info deposit.

User deposits go in through the node's internal injection API (until deposits are read from
the CTC queue); everything is then observed through web3.py as a wallet would.
"""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3RPCError

from rollup_node.protocol.predeploys import L1_BLOCK, L1_INFO_DEPOSITOR
from tests.integration.helpers import (
    LOGGER_TOPIC,
    account,
    deploy,
    init_code,
    logger_code,
    send,
    sign,
    wait_block,
    wait_receipts,
)

ETH = 10**18


DEPOSIT_TYPE = 0x7E
SET_L1_BLOCK_VALUES = keccak(b"setL1BlockValues(uint64,uint64,uint256,bytes32,uint64)")[:4]


def fresh() -> bytes:
    """A new address with no history."""
    return bytes.fromhex(Account.create().address[2:])


def checksum(address: bytes) -> str:
    return to_checksum_address(address)


def test_deposit_mints_then_transfers_and_pays_no_fee(devnet) -> None:
    w3 = devnet.w3
    sender, recipient = fresh(), fresh()
    deposit = devnet.node.deposits.inject(sender, recipient, 5 * ETH, ETH, 100_000)
    (receipt,) = wait_receipts(w3, [deposit.hash])
    assert receipt["status"] == 1
    assert receipt["type"] == DEPOSIT_TYPE
    assert receipt["gasUsed"] == 21_000
    assert receipt["effectiveGasPrice"] == 0
    assert receipt["depositNonce"] == "0x0"
    assert receipt["depositReceiptVersion"] == "0x1"
    assert "l1Fee" not in receipt
    number = receipt["blockNumber"]
    assert w3.eth.get_balance(checksum(sender), number) == 4 * ETH
    assert w3.eth.get_balance(checksum(recipient), number) == ETH
    assert w3.eth.get_transaction_count(checksum(sender), number) == 1

    tx = w3.eth.get_transaction(deposit.hash)
    assert tx["type"] == DEPOSIT_TYPE
    assert tx["from"] == checksum(sender) and tx["to"] == checksum(recipient)
    assert tx["sourceHash"] == "0x" + deposit.source_hash.hex()
    assert tx["mint"] == hex(5 * ETH)
    assert tx["isSystemTx"] is False
    assert tx["gasPrice"] == 0 and tx["gas"] == 100_000 and tx["value"] == ETH
    assert tx["input"] == b""
    block = w3.eth.get_block(number)
    assert block["transactions"][receipt["transactionIndex"]] == deposit.hash


def test_failed_deposit_keeps_the_mint_and_uses_all_its_gas(devnet) -> None:
    w3 = devnet.w3
    sender = fresh()
    # L1Block refuses every caller but the L1-info depositor: this call reverts.
    calldata = SET_L1_BLOCK_VALUES + bytes(32 * 5)
    reverted = devnet.node.deposits.inject(sender, L1_BLOCK, 3 * ETH, ETH, 200_000, calldata)
    # A value beyond what the sender holds after the mint: the transfer itself fails.
    too_much = devnet.node.deposits.inject(sender, fresh(), ETH, 10 * ETH, 50_000)
    # Init code over the Cancun limit (49,152 bytes) fails the creation.
    oversized = devnet.node.deposits.inject(sender, None, ETH, 0, 300_000, bytes(49_153))
    receipts = wait_receipts(w3, [reverted.hash, too_much.hash, oversized.hash])
    assert [r["status"] for r in receipts] == [0, 0, 0]
    assert [r["gasUsed"] for r in receipts] == [200_000, 50_000, 300_000]
    assert [r["depositNonce"] for r in receipts] == ["0x0", "0x1", "0x2"]
    assert all(r["logs"] == [] for r in receipts)
    number = receipts[-1]["blockNumber"]
    assert w3.eth.get_balance(checksum(sender), number) == 5 * ETH  # the mints, no transfer
    assert w3.eth.get_transaction_count(checksum(sender), number) == 3
    created = keccak(b"\xd6\x94" + sender + b"\x02")[12:]
    assert w3.eth.get_code(checksum(created), number) == b""
    assert w3.eth.get_transaction_count(checksum(created), number) == 0
    assert w3.eth.get_balance(checksum(L1_BLOCK), number) == 0


def test_deposit_creates_a_contract(devnet) -> None:
    w3 = devnet.w3
    sender = fresh()
    deposit = devnet.node.deposits.inject(sender, None, 0, 0, 500_000, init_code(logger_code()))
    (receipt,) = wait_receipts(w3, [deposit.hash])
    assert receipt["status"] == 1
    expected = Web3.to_checksum_address(keccak(b"\xd6\x94" + sender + b"\x80")[12:])
    assert receipt["contractAddress"] == expected
    assert w3.eth.get_code(expected) == logger_code()
    assert w3.eth.get_transaction(deposit.hash)["to"] is None


def test_deposits_come_in_queue_order_before_user_transactions(devnet) -> None:
    w3 = devnet.w3
    _, key = account(1)
    senders = [fresh() for _ in range(6)]
    deposits = [
        devnet.node.deposits.inject(s, s, ETH, 0, 5_000_000 if i % 2 else 30_000)
        for i, s in enumerate(senders)
    ]
    user = send(w3, key, to=checksum(senders[0]), value=1, gas=21_000)
    receipts = wait_receipts(w3, [d.hash for d in deposits] + [user])
    positions = [(r["blockNumber"], r["transactionIndex"]) for r in receipts[:-1]]
    assert positions == sorted(positions)  # queue order, across blocks if need be
    budget = devnet.node.rollup.deposit_gas_per_block
    for number in range(receipts[0]["blockNumber"], receipts[-1]["blockNumber"] + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        types = [tx["type"] for tx in block["transactions"]]
        user_deposits = [tx for tx in block["transactions"][1:] if tx["type"] == DEPOSIT_TYPE]
        assert sum(tx["gas"] for tx in user_deposits) <= budget
        first_user = next((i for i, t in enumerate(types) if t != DEPOSIT_TYPE), len(types))
        assert all(t != DEPOSIT_TYPE for t in types[first_user:])
        receipts_here = [w3.eth.get_transaction_receipt(tx["hash"]) for tx in block["transactions"]]
        assert block["gasUsed"] == receipts_here[-1]["cumulativeGasUsed"]
        assert block["gasUsed"] == sum(r["gasUsed"] for r in receipts_here)


def test_l1_info_deposit_opens_every_block(devnet) -> None:
    w3, l1 = devnet.w3, devnet.l1_w3
    wait_block(w3, 3)
    head = w3.eth.block_number
    parent_origin, parent_sequence = devnet.node.rollup.genesis_l1.number, 0
    for number in range(1, head + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        info = block["transactions"][0]
        assert info["type"] == DEPOSIT_TYPE
        assert info["from"] == checksum(L1_INFO_DEPOSITOR)
        assert info["to"] == checksum(L1_BLOCK)
        assert info["gas"] == 1_000_000 and info["value"] == 0 and info["mint"] == "0x0"
        assert info["isSystemTx"] is False
        calldata = bytes(info["input"])
        assert len(calldata) == 4 + 5 * 32 and calldata[:4] == SET_L1_BLOCK_VALUES
        words = [calldata[4 + 32 * i : 36 + 32 * i] for i in range(5)]
        origin_number, origin_time, base_fee = (int.from_bytes(w, "big") for w in words[:3])
        origin_hash, sequence = words[3], int.from_bytes(words[4], "big")

        origin = l1.eth.get_block(origin_number)
        assert origin["hash"] == origin_hash
        assert origin["timestamp"] == origin_time <= block["timestamp"]
        assert origin["baseFeePerGas"] == base_fee
        assert block["mixHash"] == origin["mixHash"]
        assert origin_number >= parent_origin
        assert sequence == (0 if origin_number != parent_origin else parent_sequence + 1)
        inner = keccak(origin_hash + number.to_bytes(32, "big"))
        assert info["sourceHash"] == "0x" + keccak((1).to_bytes(32, "big") + inner).hex()

        receipt = w3.eth.get_transaction_receipt(info["hash"])
        assert receipt["status"] == 1 and receipt["transactionIndex"] == 0
        stored = [w3.eth.get_storage_at(checksum(L1_BLOCK), slot, number) for slot in range(5)]
        assert stored == words
        parent_origin, parent_sequence = origin_number, sequence


def test_queued_transaction_invalidated_by_a_deposit_is_dropped(devnet) -> None:
    """A deposit runs before queued transactions and takes its sender's nonce (and here its
    balance): the sender's queued transaction is refused at intake or dropped at its
    position, never included, and the node goes on."""
    w3 = devnet.w3
    _, funder_key = account(2)
    spender = Account.create()
    address = bytes.fromhex(spender.address[2:])
    (funded,) = wait_receipts(w3, [send(w3, funder_key, to=spender.address, value=ETH)])
    assert funded["status"] == 1
    raw = sign(spender.key, to=checksum(fresh()), value=1, gas=21_000, nonce=0)
    # The deposit (queued first) sends the whole balance away; mint 0.
    drain = devnet.node.deposits.inject(address, fresh(), 0, ETH, 50_000)
    try:
        tx_hash = w3.eth.send_raw_transaction(raw)
    except Web3RPCError as exc:  # the deposit's block came first: refused at intake
        message = exc.rpc_response["error"]["message"]
        assert message.startswith(("nonce too low", "insufficient funds")), message
        tx_hash = None
    (receipt,) = wait_receipts(w3, [drain.hash])
    assert receipt["status"] == 1
    wait_block(w3, receipt["blockNumber"] + 2)
    if tx_hash is not None:
        with pytest.raises(TransactionNotFound):
            w3.eth.get_transaction_receipt(tx_hash)
        with pytest.raises(TransactionNotFound):
            w3.eth.get_transaction(tx_hash)
    # The sender's nonce counts the deposit only; the pending count forgot the dropped one.
    assert w3.eth.get_transaction_count(spender.address) == 1
    assert w3.eth.get_transaction_count(spender.address, "pending") == 1
    assert w3.eth.get_balance(spender.address) == 0


def test_deposit_gas_logs_and_refunds_match_a_user_transaction(devnet) -> None:
    """The same call costs a deposit what it costs a user transaction (Cancun's gas, after the
    refund of a cleared slot), and its logs are logs like any other."""
    w3 = devnet.w3
    _, key = account(3)
    by_deposit = deploy(w3, key, logger_code())
    by_user = deploy(w3, key, logger_code())
    sender = fresh()
    results = []
    for word in (b"\x09" * 32, bytes(32)):  # set the slot, then clear it (a refund)
        deposit = devnet.node.deposits.inject(
            sender, bytes.fromhex(by_deposit[2:]), 0, 0, 200_000, word
        )
        user_tx = send(w3, key, to=by_user, data=word, gas=200_000)
        results.append(wait_receipts(w3, [deposit.hash, user_tx]))
    for deposit_receipt, user_receipt in results:
        assert deposit_receipt["status"] == user_receipt["status"] == 1
        assert deposit_receipt["gasUsed"] == user_receipt["gasUsed"]
        (log,) = deposit_receipt["logs"]
        assert log["address"] == by_deposit and log["topics"] == [LOGGER_TOPIC]
        logs = w3.eth.get_logs({"blockHash": deposit_receipt["blockHash"], "address": by_deposit})
        assert [entry["transactionHash"] for entry in logs] == [deposit_receipt["transactionHash"]]
    setting, clearing = (pair[0]["gasUsed"] for pair in results)
    assert clearing < setting
    assert w3.eth.get_storage_at(by_deposit, 0) == bytes(32)
