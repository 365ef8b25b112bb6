"""Chain records as geth-shaped JSON (quantities as minimal hex, bytes as ``0x`` hex).

Field sets and their presence rules follow geth's ``RPCMarshalBlock``, ``newRPCTransaction``
and ``MarshalReceipt``, with op-geth's additions for deposit transactions (type ``0x7e``:
``sourceHash``, ``mint``, ``isSystemTx``, zero signature) and for receipts (the L1 data fee:
``l1Fee``, ``l1GasUsed``, ``l1GasPrice``, ``l1FeeScalar``; deposits: ``depositNonce``,
``depositReceiptVersion``). Addresses are lower-case hex, as geth writes them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import rlp

from rollup_node.chain.records import BlockRecord, LogRecord, ReceiptRecord, TxRecord

DEPOSIT_TX_TYPE = 0x7E
LEGACY_TX_TYPE = 0
DYNAMIC_FEE_TX_TYPE = 2
L1_FEE_SCALAR_UNIT = 1_000_000  # the rollup config's l1_fee_scalar is in millionths (SPEC §2)


def quantity(value: int) -> str:
    """An integer as a JSON-RPC quantity: ``0x`` and hex digits without leading zeros."""
    return hex(value)


def data(value: bytes) -> str:
    """Bytes as ``0x``-prefixed lower-case hex."""
    return "0x" + value.hex()


def _optional_data(value: bytes | None) -> str | None:
    return None if value is None else data(value)


def _optional_quantity(value: int | None) -> str | None:
    return None if value is None else quantity(value)


def fee_scalar_text(scalar_millionths: int) -> str:
    """The L1 fee scalar as op-geth prints its ``big.Float``: shortest decimal, Go ``%g`` form.

    op-geth divides the scalar by 10^6 and marshals the float as text (``"1"``, ``"0.684"``);
    Go's ``%g`` switches to exponent form below 1e-4 and from 1e6 on (``"1.5e+06"``).
    """
    value = (Decimal(scalar_millionths) / L1_FEE_SCALAR_UNIT).normalize()
    if value == 0:
        return "0"
    exponent = value.adjusted()
    if -4 <= exponent < 6:
        return format(value, "f")
    digits = value.as_tuple().digits
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    return f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"


def format_log(log: LogRecord) -> dict[str, Any]:
    """A log as geth writes it in receipts, ``eth_getLogs`` and subscriptions."""
    return {
        "address": data(log.address),
        "topics": [data(topic) for topic in log.topics],
        "data": data(log.data),
        "blockNumber": quantity(log.block_number),
        "transactionHash": data(log.transaction_hash),
        "transactionIndex": quantity(log.transaction_index),
        "blockHash": data(log.block_hash),
        "logIndex": quantity(log.log_index),
        "removed": log.removed,
    }


def effective_gas_price(tx: TxRecord, base_fee: int) -> int:
    """What the sender paid per gas in a block with ``base_fee``: ``min(maxFee, base + tip)``."""
    if tx.max_fee_per_gas is not None and tx.max_priority_fee_per_gas is not None:
        return min(tx.max_fee_per_gas, base_fee + tx.max_priority_fee_per_gas)
    return tx.gas_price or 0


def effective_priority_fee(tx: TxRecord, base_fee: int) -> int:
    """The miner's share per gas (zero for deposits, which pay no fee)."""
    if tx.type == DEPOSIT_TX_TYPE:
        return 0
    return max(effective_gas_price(tx, base_fee) - base_fee, 0)


def format_transaction(tx: TxRecord, base_fee: int | None = None) -> dict[str, Any]:
    """A transaction as geth's ``RPCTransaction``; ``base_fee`` is its block's, if included.

    A dynamic-fee transaction reports its effective gas price once included and its fee cap
    while pending; typed transactions carry ``yParity``, legacy ones a ``chainId`` only when
    replay-protected; deposits have zero signature values and op-geth's deposit fields.
    """
    included = tx.block_hash is not None
    gas_price = tx.gas_price
    if tx.type == DEPOSIT_TX_TYPE:
        gas_price = 0
    elif tx.max_fee_per_gas is not None:
        gas_price = (
            effective_gas_price(tx, base_fee)
            if included and base_fee is not None
            else tx.max_fee_per_gas
        )
    result: dict[str, Any] = {
        "blockHash": _optional_data(tx.block_hash),
        "blockNumber": _optional_quantity(tx.block_number),
        "from": data(tx.sender),
        "gas": quantity(tx.gas),
        "gasPrice": quantity(gas_price or 0),
    }
    if tx.max_fee_per_gas is not None:
        result["maxFeePerGas"] = quantity(tx.max_fee_per_gas)
        result["maxPriorityFeePerGas"] = quantity(tx.max_priority_fee_per_gas or 0)
    result.update(
        {
            "hash": data(tx.hash),
            "input": data(tx.data),
            "nonce": quantity(tx.nonce),
            "to": _optional_data(tx.to),
            "transactionIndex": _optional_quantity(tx.transaction_index),
            "value": quantity(tx.value),
            "type": quantity(tx.type),
        }
    )
    if tx.type == DEPOSIT_TX_TYPE:
        result["sourceHash"] = _optional_data(tx.source_hash)
        result["mint"] = quantity(tx.mint or 0)
        result["isSystemTx"] = bool(tx.is_system_tx)
    elif tx.type != LEGACY_TX_TYPE:
        result["accessList"] = [
            {"address": data(target), "storageKeys": [data(k.to_bytes(32, "big")) for k in keys]}
            for target, keys in tx.access_list
        ]
    if tx.chain_id is not None and tx.type != DEPOSIT_TX_TYPE:
        result["chainId"] = quantity(tx.chain_id)
    result["v"] = quantity(tx.v)
    result["r"] = quantity(tx.r)
    result["s"] = quantity(tx.s)
    if tx.type not in (LEGACY_TX_TYPE, DEPOSIT_TX_TYPE):
        result["yParity"] = quantity(tx.v)
    return result


def format_header(block: BlockRecord) -> dict[str, Any]:
    """A block header as geth's ``RPCMarshalHeader`` (also the ``newHeads`` notification)."""
    return {
        "number": quantity(block.number),
        "hash": data(block.hash),
        "parentHash": data(block.parent_hash),
        "nonce": data(block.nonce),
        "mixHash": data(block.mix_hash),
        "sha3Uncles": data(block.uncles_hash),
        "logsBloom": data(block.logs_bloom),
        "stateRoot": data(block.state_root),
        "miner": data(block.coinbase),
        "difficulty": quantity(block.difficulty),
        "extraData": data(block.extra_data),
        "gasLimit": quantity(block.gas_limit),
        "gasUsed": quantity(block.gas_used),
        "timestamp": quantity(block.timestamp),
        "transactionsRoot": data(block.transactions_root),
        "receiptsRoot": data(block.receipts_root),
        "baseFeePerGas": quantity(block.base_fee_per_gas),
        "withdrawalsRoot": data(block.withdrawals_root),
        "blobGasUsed": quantity(block.blob_gas_used),
        "excessBlobGas": quantity(block.excess_blob_gas),
        "parentBeaconBlockRoot": data(block.parent_beacon_block_root),
    }


def format_block(block: BlockRecord, full_transactions: bool) -> dict[str, Any]:
    """A block as geth's ``RPCMarshalBlock``: transactions as hashes or as full objects."""
    result = format_header(block)
    result["size"] = quantity(block.size)
    result["totalDifficulty"] = quantity(0)
    if full_transactions:
        result["transactions"] = [
            format_transaction(tx, block.base_fee_per_gas) for tx in block.transactions
        ]
    else:
        result["transactions"] = [data(tx.hash) for tx in block.transactions]
    result["uncles"] = []
    result["withdrawals"] = []
    return result


def format_receipt(receipt: ReceiptRecord) -> dict[str, Any]:
    """A receipt as geth's ``MarshalReceipt`` plus op-geth's L1-fee and deposit fields."""
    result: dict[str, Any] = {
        "blockHash": data(receipt.block_hash),
        "blockNumber": quantity(receipt.block_number),
        "transactionHash": data(receipt.transaction_hash),
        "transactionIndex": quantity(receipt.transaction_index),
        "from": data(receipt.sender),
        "to": _optional_data(receipt.to),
        "gasUsed": quantity(receipt.gas_used),
        "cumulativeGasUsed": quantity(receipt.cumulative_gas_used),
        "contractAddress": _optional_data(receipt.contract_address),
        "logs": [format_log(log) for log in receipt.logs],
        "logsBloom": data(receipt.logs_bloom),
        "type": quantity(receipt.type),
        "effectiveGasPrice": quantity(receipt.effective_gas_price),
        "status": quantity(receipt.status),
    }
    if receipt.l1_fee is not None:
        result["l1GasPrice"] = _optional_quantity(receipt.l1_gas_price)
        result["l1GasUsed"] = _optional_quantity(receipt.l1_gas_used)
        result["l1Fee"] = quantity(receipt.l1_fee)
        if receipt.l1_fee_scalar is not None:
            result["l1FeeScalar"] = fee_scalar_text(receipt.l1_fee_scalar)
    if receipt.deposit_nonce is not None:
        result["depositNonce"] = quantity(receipt.deposit_nonce)
    if receipt.deposit_receipt_version is not None:
        result["depositReceiptVersion"] = quantity(receipt.deposit_receipt_version)
    return result


def raw_block(block: BlockRecord) -> bytes:
    """The block's consensus encoding, as geth's ``debug_getRawBlock`` returns it:
    ``rlp([header, transactions, ommers, withdrawals])`` with typed transactions as byte
    strings and legacy ones as lists (L2 blocks have no ommers and no withdrawals)."""
    txs = [tx.raw if tx.raw[0] < 0xC0 else rlp.decode(tx.raw) for tx in block.transactions]
    return rlp.encode([rlp.decode(block.header_rlp), txs, [], []])
