"""The L1 data fee (SPEC §3.4) as receipts, balances, the fee vault and GasPriceOracle show it."""

from __future__ import annotations

from collections import defaultdict

from eth_utils import to_checksum_address
from hexbytes import HexBytes

from rollup_node.contracts import load_artifact
from rollup_node.protocol.predeploys import GAS_PRICE_ORACLE, L1_BLOCK, L1_FEE_VAULT
from tests.integration.helpers import (
    GWEI,
    L1_FEE_OVERHEAD,
    L1_FEE_SCALAR,
    account,
    calldata_gas,
    sign,
    wait_receipts,
)

RECIPIENT = to_checksum_address("0x" + "f1" * 20)
VAULT = to_checksum_address(L1_FEE_VAULT)
SEQUENCER_VAULT = to_checksum_address("0x4200000000000000000000000000000000000011")


def signed_batch(w3) -> list[tuple[str, bytes]]:  # noqa: ANN001 - Web3
    """One transaction of each user type, from distinct senders: (sender, raw)."""
    out = []
    legacy_sender, key = account(1)
    nonce = w3.eth.get_transaction_count(legacy_sender, "pending")
    out.append((legacy_sender, sign(key, to=RECIPIENT, value=7, nonce=nonce, gasPrice=3 * GWEI)))
    access_sender, key = account(2)
    access_list = [{"address": RECIPIENT, "storageKeys": ["0x" + "00" * 31 + "01"]}]
    out.append(
        (
            access_sender,
            sign(
                key,
                type=1,
                to=RECIPIENT,
                nonce=w3.eth.get_transaction_count(access_sender, "pending"),
                gasPrice=2 * GWEI,
                accessList=access_list,
                data=b"\x00\x00\x00\x01",
            ),
        )
    )
    dynamic_sender, key = account(3)
    out.append(
        (
            dynamic_sender,
            sign(
                key,
                to=RECIPIENT,
                value=11,
                nonce=w3.eth.get_transaction_count(dynamic_sender, "pending"),
                data=bytes(range(256)) + bytes(300),
                gas=200_000,
            ),
        )
    )
    return out


def test_receipts_fees_balances_and_oracle_agree_with_the_formula(devnet) -> None:
    w3 = devnet.w3
    oracle = w3.eth.contract(
        to_checksum_address(GAS_PRICE_ORACLE), abi=load_artifact("GasPriceOracle").abi
    )
    batch = signed_batch(w3)
    hashes = [w3.eth.send_raw_transaction(raw) for _, raw in batch]
    receipts = wait_receipts(w3, hashes)

    l1_fees_by_block: dict[int, int] = defaultdict(int)
    for (sender, raw), receipt in zip(batch, receipts, strict=True):
        assert receipt["status"] == 1
        number = receipt["blockNumber"]
        l1_base_fee = int.from_bytes(
            w3.eth.get_storage_at(to_checksum_address(L1_BLOCK), 2, number), "big"
        )
        assert l1_base_fee > 0
        l1_gas = calldata_gas(raw) + L1_FEE_OVERHEAD
        l1_fee = l1_gas * l1_base_fee * L1_FEE_SCALAR // 1_000_000
        assert int(receipt["l1GasUsed"], 16) == l1_gas
        assert int(receipt["l1GasPrice"], 16) == l1_base_fee
        assert int(receipt["l1Fee"], 16) == l1_fee
        assert receipt["l1FeeScalar"] == "1"
        assert oracle.functions.getL1Fee(raw).call(block_identifier=number) == l1_fee
        assert oracle.functions.getL1GasUsed(raw).call(block_identifier=number) == l1_gas
        l1_fees_by_block[number] += l1_fee

        tx = w3.eth.get_transaction(HexBytes(receipt["transactionHash"]))
        spent = receipt["gasUsed"] * receipt["effectiveGasPrice"] + tx["value"] + l1_fee
        before = w3.eth.get_balance(sender, number - 1)
        assert before - w3.eth.get_balance(sender, number) == spent

    for number, l1_fees in l1_fees_by_block.items():
        block = w3.eth.get_block(number, full_transactions=True)
        vault_gain = w3.eth.get_balance(VAULT, number) - w3.eth.get_balance(VAULT, number - 1)
        assert vault_gain == l1_fees
        tips = 0
        for tx in block["transactions"]:
            receipt = w3.eth.get_transaction_receipt(tx["hash"])
            tips += receipt["gasUsed"] * (
                receipt["effectiveGasPrice"] - block["baseFeePerGas"] if tx["type"] != 0x7E else 0
            )
        sequencer_gain = w3.eth.get_balance(SEQUENCER_VAULT, number) - w3.eth.get_balance(
            SEQUENCER_VAULT, number - 1
        )
        assert sequencer_gain == tips  # the base fee is burnt, the tip goes to the coinbase


def test_deposits_pay_no_l1_fee(devnet) -> None:
    w3 = devnet.w3
    sender = bytes.fromhex("d0" * 20)
    deposit = devnet.node.deposits.inject(sender, sender, 10**18, 0, 50_000, b"\x01" * 100)
    (receipt,) = wait_receipts(w3, [deposit.hash])
    assert receipt["status"] == 1
    assert "l1Fee" not in receipt and "l1GasUsed" not in receipt
    number = receipt["blockNumber"]
    assert w3.eth.get_balance(to_checksum_address(sender), number) == 10**18
    block = w3.eth.get_block(number, full_transactions=True)
    assert all(tx["type"] == 0x7E for tx in block["transactions"])
    assert w3.eth.get_balance(VAULT, number) == w3.eth.get_balance(VAULT, number - 1)
