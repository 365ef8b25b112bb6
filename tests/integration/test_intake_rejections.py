"""Every reason the sequencer's intake refuses a transaction (SPEC §3.1), through web3.py.

Each rejection must be a -32000 error whose message names the reason in geth's words (wallets
match on them), must leave no trace (the hash is unknown afterwards), and must not disturb
the node: the last test sends valid transactions from every account used here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import rlp
from eth_account import Account
from eth_hash.auto import keccak
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3RPCError

import rollup_node.chain.genesis
from rollup_node.chain.builder import GenesisAccount
from rollup_node.protocol.deposits import DepositTx
from tests.integration.helpers import (
    GWEI,
    L1_FEE_OVERHEAD,
    account,
    calldata_gas,
    send,
    sign,
    wait_block,
    wait_receipts,
)
from tests.node_harness import RunningNode

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SECP256K1_P = 2**256 - 2**32 - 977
RECIPIENT = Web3.to_checksum_address("0x" + "3c" * 20)
#: A devnet account that the genesis of this module's node gives code (as a smart account).
CODE_ACCOUNT = 9


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    """The devnet, with devnet account 9 holding code in the L2 genesis alloc."""
    real_alloc = rollup_node.chain.genesis.l2_genesis_alloc

    def alloc_with_code(*args: Any) -> dict[bytes, GenesisAccount]:
        alloc = real_alloc(*args)
        address = bytes.fromhex(account(CODE_ACCOUNT)[0][2:])
        alloc[address] = GenesisAccount(balance=alloc[address].balance, code=b"\x00")
        return alloc

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rollup_node.chain.genesis, "l2_genesis_alloc", alloc_with_code)
        node = RunningNode(tmp_path_factory.mktemp("devnet"), rollup_services=False)
    yield node
    node.stop()


def assert_rejected(w3: Web3, raw: bytes, reason: str) -> str:
    """Submit ``raw``, expect a -32000 error naming ``reason``; return the message."""
    with pytest.raises(Web3RPCError) as raised:
        w3.eth.send_raw_transaction(raw)
    error = raised.value.rpc_response["error"]
    assert error["code"] == -32000, error
    assert error["message"].startswith(reason), error["message"]
    with pytest.raises(TransactionNotFound):
        w3.eth.get_transaction(keccak(raw))
    return error["message"]


def pending_nonce(w3: Web3, index: int) -> int:
    return w3.eth.get_transaction_count(account(index)[0], "pending")


def resign_typed(raw: bytes, **changes: int) -> bytes:
    """A type-2 transaction with signature fields replaced (``y``, ``r``, ``s``)."""
    fields = rlp.decode(raw[1:])
    assert raw[0] == 2 and len(fields) == 12
    for position, name in ((9, "y"), (10, "r"), (11, "s")):
        if name in changes:
            value = changes[name]
            fields[position] = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return raw[:1] + rlp.encode(fields)


def test_high_s_signature_is_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(1)
    raw = sign(key, to=RECIPIENT, nonce=pending_nonce(w3, 1), gas=21_000)
    fields = rlp.decode(raw[1:])
    y, s = int.from_bytes(fields[9], "big"), int.from_bytes(fields[11], "big")
    # (r, N - s) with the other parity is the same signer: only the low-s rule refuses it.
    assert_rejected(w3, resign_typed(raw, y=1 - y, s=SECP256K1_N - s), "invalid signature")


@pytest.mark.parametrize("change", [{"y": 5}, {"r": 0}, {"s": 0}, {"s": SECP256K1_N}])
def test_out_of_range_signature_values_are_rejected(devnet, change: dict[str, int]) -> None:
    w3 = devnet.w3
    _, key = account(1)
    raw = sign(key, to=RECIPIENT, nonce=pending_nonce(w3, 1), gas=21_000)
    assert_rejected(w3, resign_typed(raw, **change), "invalid signature")


def test_unrecoverable_signature_is_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(1)
    raw = sign(key, to=RECIPIENT, nonce=pending_nonce(w3, 1), gas=21_000)
    # An r that is no x coordinate on the curve: x^3 + 7 is not a square mod p.
    r = next(
        x
        for x in range(1, 100)
        if pow((x**3 + 7) % SECP256K1_P, (SECP256K1_P - 1) // 2, SECP256K1_P) != 1
    )
    assert_rejected(w3, resign_typed(raw, r=r), "invalid signature")


def test_wrong_chain_id_is_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(1)
    nonce = pending_nonce(w3, 1)
    message = assert_rejected(
        w3, sign(key, to=RECIPIENT, nonce=nonce, chainId=900, gas=21_000), "invalid chain id"
    )
    assert "900" in message and "901" in message
    legacy = {"to": RECIPIENT, "nonce": nonce, "gas": 21_000, "gasPrice": 2 * GWEI, "value": 0}
    unprotected = bytes(Account.sign_transaction(legacy, key).raw_transaction)
    assert_rejected(w3, unprotected, "invalid chain id")


def test_nonce_too_low_and_nonce_gap_are_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(2)
    nonce = pending_nonce(w3, 2)
    (receipt,) = wait_receipts(w3, [send(w3, key, to=RECIPIENT, value=1, gas=21_000)])
    assert receipt["status"] == 1
    assert_rejected(w3, sign(key, to=RECIPIENT, value=2, nonce=nonce, gas=21_000), "nonce too low")
    assert_rejected(
        w3, sign(key, to=RECIPIENT, value=2, nonce=nonce + 2, gas=21_000), "nonce too high"
    )


def test_insufficient_funds_counts_the_l1_fee(devnet) -> None:
    w3 = devnet.w3
    funder, funder_key = account(3)
    poor = Account.create()
    tx = {"to": RECIPIENT, "value": 10**12, "gas": 21_000, "nonce": 0}
    raw = sign(poor.key, **tx)
    gas_and_value = 21_000 * 2 * GWEI + 10**12
    (funding,) = wait_receipts(w3, [send(w3, funder_key, to=poor.address, value=gas_and_value)])
    assert w3.eth.get_balance(poor.address) == gas_and_value
    message = assert_rejected(w3, raw, "insufficient funds for gas * price + value")
    assert "l1 fee" in message

    # A generous top-up: the L1 origin (and its base fee) may move before inclusion.
    l1_base_fee = int.from_bytes(
        w3.eth.get_storage_at("0x4200000000000000000000000000000000000015", 2), "big"
    )
    l1_fee_now = (calldata_gas(raw) + L1_FEE_OVERHEAD) * l1_base_fee
    topup_value = 100 * l1_fee_now
    (topup,) = wait_receipts(w3, [send(w3, funder_key, to=poor.address, value=topup_value)])
    assert topup["status"] == 1
    (receipt,) = wait_receipts(w3, [w3.eth.send_raw_transaction(raw)])
    assert receipt["status"] == 1
    assert 0 < int(receipt["l1Fee"], 16) <= topup_value
    assert funding["status"] == 1


def test_max_fee_below_base_fee_is_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(4)
    raw = sign(
        key,
        to=RECIPIENT,
        nonce=pending_nonce(w3, 4),
        gas=21_000,
        maxFeePerGas=1,
        maxPriorityFeePerGas=0,
    )
    assert_rejected(w3, raw, "max fee per gas less than block base fee")
    legacy = sign(key, to=RECIPIENT, nonce=pending_nonce(w3, 4), gas=21_000, gasPrice=1)
    assert_rejected(w3, legacy, "max fee per gas less than block base fee")


def test_priority_fee_above_max_fee_is_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(4)
    raw = sign(
        key,
        to=RECIPIENT,
        nonce=pending_nonce(w3, 4),
        gas=21_000,
        maxFeePerGas=2 * GWEI,
        maxPriorityFeePerGas=2 * GWEI + 1,
    )
    assert_rejected(w3, raw, "max priority fee per gas higher than max fee per gas")


def test_sender_with_code_is_rejected(devnet) -> None:
    w3 = devnet.w3
    sender, key = account(CODE_ACCOUNT)
    assert w3.eth.get_code(sender) == b"\x00"
    assert_rejected(w3, sign(key, to=RECIPIENT, nonce=0, gas=21_000), "sender not an eoa")


def test_intrinsic_gas_too_low_is_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(5)
    nonce = pending_nonce(w3, 5)
    assert_rejected(w3, sign(key, to=RECIPIENT, nonce=nonce, gas=20_999), "intrinsic gas too low")
    # Calldata counts: 16 per non-zero byte on top of 21,000.
    raw = sign(key, to=RECIPIENT, nonce=nonce, gas=21_000 + 16 * 10 - 1, data=b"\x01" * 10)
    assert_rejected(w3, raw, "intrinsic gas too low")
    # A creation costs 32,000 more, plus 2 per word of init code.
    creation = sign(key, nonce=nonce, gas=53_000 + 4 * 32 + 1, data=b"\x00" * 64)
    assert_rejected(w3, creation, "intrinsic gas too low")


def test_gas_above_the_block_limit_is_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(5)
    limit = w3.eth.get_block("latest")["gasLimit"]
    raw = sign(key, to=RECIPIENT, nonce=pending_nonce(w3, 5), gas=limit + 1)
    assert_rejected(w3, raw, "exceeds block gas limit")


def test_oversized_transaction_is_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(5)
    raw = sign(
        key, to=RECIPIENT, nonce=pending_nonce(w3, 5), gas=1_000_000, data=b"\x00" * (128 * 1024)
    )
    assert len(raw) > 128 * 1024
    assert_rejected(w3, raw, "oversized data")


def test_init_code_over_the_limit_is_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(5)
    raw = sign(key, nonce=pending_nonce(w3, 5), gas=1_000_000, data=b"\x00" * 49_153)
    assert_rejected(w3, raw, "max initcode size exceeded")


def test_unsupported_types_are_rejected(devnet) -> None:
    w3 = devnet.w3
    sender, _ = account(6)
    blob_fields = [
        901,
        0,
        1,
        2 * GWEI,
        21_000,
        bytes(20),
        0,
        b"",
        [],
        2 * GWEI,
        [b"\x01" + bytes(31)],
        0,
        1,
        1,
    ]
    assert_rejected(w3, b"\x03" + rlp.encode(blob_fields), "transaction type not supported")
    deposit = DepositTx(
        source_hash=bytes(32),
        sender=bytes.fromhex(sender[2:]),
        to=bytes.fromhex(RECIPIENT[2:]),
        mint=10**18,
        value=10**18,
        gas=21_000,
        is_system_tx=False,
        data=b"",
    )
    assert_rejected(w3, deposit.encode(), "transaction type not supported")
    assert w3.eth.get_balance(RECIPIENT) < 10**18  # nothing was minted


def test_malformed_and_duplicate_transactions_are_rejected(devnet) -> None:
    w3 = devnet.w3
    _, key = account(7)
    assert_rejected(w3, b"\x02\xc0", "malformed transaction")
    assert_rejected(w3, b"\xf8\x01", "malformed transaction")
    raw = sign(key, to=RECIPIENT, nonce=pending_nonce(w3, 7), gas=21_000)
    tx_hash = w3.eth.send_raw_transaction(raw)
    with pytest.raises(Web3RPCError) as raised:
        w3.eth.send_raw_transaction(raw)
    assert raised.value.rpc_response["error"]["message"].startswith("already known")
    wait_receipts(w3, [tx_hash])


def test_the_node_keeps_working_after_every_rejection(devnet) -> None:
    w3 = devnet.w3
    hashes = [send(w3, account(i)[1], to=RECIPIENT, value=i, gas=21_000) for i in range(1, 8)]
    receipts = wait_receipts(w3, hashes)
    assert [r["status"] for r in receipts] == [1] * len(hashes)
    head = w3.eth.block_number
    wait_block(w3, head + 1)
