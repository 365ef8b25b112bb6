"""geth-shaped JSON of blocks, transactions, receipts and logs."""

from __future__ import annotations

import dataclasses

from rollup_node.rpc.formatting import (
    fee_scalar_text,
    format_block,
    format_header,
    format_receipt,
    format_transaction,
    quantity,
)
from tests.unit.rpc.fake_backend import FakeChain


def test_quantity_has_no_leading_zeros() -> None:
    assert quantity(0) == "0x0"
    assert quantity(255) == "0xff"


def test_fee_scalar_prints_like_go_big_float() -> None:
    assert fee_scalar_text(1_000_000) == "1"
    assert fee_scalar_text(684_000) == "0.684"
    assert fee_scalar_text(123) == "0.000123"
    assert fee_scalar_text(1) == "1e-06"
    assert fee_scalar_text(1_500_000 * 10**6) == "1.5e+06"


def test_block_has_every_cancun_field(chain: FakeChain) -> None:
    block = chain.blocks[1]
    result = format_block(block, full_transactions=False)
    assert set(result) == set(format_header(block)) | {
        "size",
        "totalDifficulty",
        "transactions",
        "uncles",
        "withdrawals",
    }
    for key in ("withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot"):
        assert key in result
    assert result["transactions"] == ["0x" + tx.hash.hex() for tx in block.transactions]
    assert result["nonce"] == "0x0000000000000000"
    assert result["totalDifficulty"] == "0x0"
    assert result["uncles"] == [] and result["withdrawals"] == []
    full = format_block(block, full_transactions=True)
    assert [tx["hash"] for tx in full["transactions"]] == result["transactions"]


def test_dynamic_fee_tx_reports_effective_price_once_included(chain: FakeChain) -> None:
    block = chain.blocks[1]
    tx = block.transactions[1]
    included = format_transaction(tx, block.base_fee_per_gas)
    assert included["type"] == "0x2"
    assert included["gasPrice"] == quantity(block.base_fee_per_gas + tx.max_priority_fee_per_gas)
    assert included["yParity"] == included["v"]
    assert included["accessList"] == []
    assert included["chainId"] == "0x385"
    pending = format_transaction(
        dataclasses.replace(tx, block_hash=None, block_number=None, transaction_index=None)
    )
    assert pending["gasPrice"] == quantity(tx.max_fee_per_gas)
    assert pending["blockHash"] is None and pending["transactionIndex"] is None


def test_legacy_tx_has_no_typed_fields(chain: FakeChain) -> None:
    legacy = format_transaction(chain.blocks[1].transactions[2], chain.blocks[1].base_fee_per_gas)
    assert legacy["type"] == "0x0"
    assert legacy["chainId"] == "0x385"  # EIP-155 protected
    assert "yParity" not in legacy and "accessList" not in legacy
    assert "maxFeePerGas" not in legacy
    assert int(legacy["v"], 16) in (901 * 2 + 35, 901 * 2 + 36)


def test_deposit_tx_and_receipt_fields(chain: FakeChain) -> None:
    block = chain.blocks[1]
    deposit = format_transaction(block.transactions[0], block.base_fee_per_gas)
    assert deposit["type"] == "0x7e"
    assert deposit["sourceHash"] == "0x" + block.transactions[0].source_hash.hex()
    assert deposit["mint"] == quantity(5 * 10**18)
    assert deposit["isSystemTx"] is False
    assert deposit["gasPrice"] == "0x0"
    assert (deposit["v"], deposit["r"], deposit["s"]) == ("0x0", "0x0", "0x0")
    assert "chainId" not in deposit and "yParity" not in deposit
    receipts = chain.block_receipts(block.hash)
    deposit_receipt = format_receipt(receipts[0])
    assert deposit_receipt["depositNonce"] == "0x0"
    assert deposit_receipt["depositReceiptVersion"] == "0x1"
    assert "l1Fee" not in deposit_receipt
    user_receipt = format_receipt(receipts[1])
    assert user_receipt["l1Fee"] == quantity(1234)
    assert user_receipt["l1GasUsed"] == quantity(1600)
    assert user_receipt["l1GasPrice"] == "0x7"
    assert user_receipt["l1FeeScalar"] == "1"
    assert user_receipt["contractAddress"] is None
    assert user_receipt["logs"][0]["logIndex"] == "0x0"
    assert user_receipt["status"] == "0x1"
    assert "depositNonce" not in user_receipt
