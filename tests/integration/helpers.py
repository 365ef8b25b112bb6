"""What the integration tests share: signing, raw JSON-RPC, receipts, tiny contracts.

The tests drive a real devnet node (the ``devnet`` fixture) as a wallet would. Contracts are
assembled here from a few opcodes rather than compiled, so that a test states exactly what
the code does (emit a log, revert with some data, burn all its gas, read a slot).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from typing import Any

import requests
from eth_account import Account
from eth_hash.auto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound
from web3.types import TxReceipt

from rollup_node.chain.genesis import devnet_accounts

L2_CHAIN_ID = 901
GWEI = 10**9
#: The L1 fee parameters of the devnet config (SPEC §2).
L1_FEE_OVERHEAD = 188
L1_FEE_SCALAR = 1_000_000

ACCOUNTS = devnet_accounts()


def account(index: int) -> tuple[str, str]:
    """(checksummed address, private key) of devnet account ``index``."""
    address, key = ACCOUNTS[index]
    return Web3.to_checksum_address(address), key


def sign(key: str, **fields: Any) -> bytes:
    """A signed raw transaction; an EIP-1559 one on L2 unless ``fields`` say otherwise."""
    tx: dict[str, Any] = {"chainId": L2_CHAIN_ID, "value": 0, "gas": 100_000}
    if "gasPrice" not in fields:
        tx.update({"maxFeePerGas": 2 * GWEI, "maxPriorityFeePerGas": GWEI // 100})
    tx.update(fields)
    return bytes(Account.sign_transaction(tx, key).raw_transaction)


def send(w3: Web3, key: str, **fields: Any) -> HexBytes:
    """Sign and submit a transaction with the sender's pending nonce unless one is given."""
    if "nonce" not in fields:
        sender = Account.from_key(key).address
        fields["nonce"] = w3.eth.get_transaction_count(sender, "pending")
    return w3.eth.send_raw_transaction(sign(key, **fields))


def wait_receipts(w3: Web3, hashes: Iterable[bytes], timeout: float = 30) -> list[TxReceipt]:
    """Receipts of ``hashes`` in order, polling until all are included."""
    pending = [HexBytes(h) for h in hashes]
    found: dict[HexBytes, TxReceipt] = {}
    deadline = time.monotonic() + timeout
    while len(found) < len(pending):
        for tx_hash in pending:
            if tx_hash not in found:
                with contextlib.suppress(TransactionNotFound):
                    found[tx_hash] = w3.eth.get_transaction_receipt(tx_hash)
        if len(found) < len(pending):
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(pending) - len(found)} transactions not included")
            time.sleep(0.1)
    return [found[h] for h in pending]


def wait_block(w3: Web3, number: int, timeout: float = 30) -> None:
    """Wait until the head is at least ``number``."""
    deadline = time.monotonic() + timeout
    while w3.eth.block_number < number:
        if time.monotonic() > deadline:
            raise AssertionError(f"block {number} not produced in {timeout} s")
        time.sleep(0.1)


def rpc(url: str, method: str, params: list[Any] | None = None) -> dict[str, Any]:
    """One raw JSON-RPC call; returns the whole response object (result or error)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    response = requests.post(url, json=body, timeout=30)
    return response.json()


def rpc_error(url: str, method: str, params: list[Any] | None = None) -> dict[str, Any]:
    """The ``error`` member of a call expected to fail."""
    response = rpc(url, method, params)
    assert "error" in response, f"{method} succeeded: {response}"
    return response["error"]


def calldata_gas(raw: bytes) -> int:
    """SPEC §3.4: 4 per zero byte, 16 per non-zero byte."""
    zeros = raw.count(0)
    return 4 * zeros + 16 * (len(raw) - zeros)


# --- tiny contracts ----------------------------------------------------------------------


def push(value: int | bytes) -> bytes:
    """The shortest PUSH of ``value``."""
    raw = (
        value
        if isinstance(value, bytes)
        else value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    )
    return bytes([0x5F + len(raw)]) + raw


def init_code(runtime: bytes) -> bytes:
    """Creation code that deploys ``runtime`` as the contract's code."""
    prefix_length = 13
    return (
        push(len(runtime).to_bytes(2, "big"))
        + b"\x80"  # DUP1
        + push(prefix_length.to_bytes(2, "big"))
        + push(0)
        + b"\x39"  # CODECOPY(0, prefix, len)
        + push(0)
        + b"\xf3"  # RETURN(0, len)
        + runtime
    )


#: topic0 of the logger's event.
LOGGER_TOPIC = keccak(b"Logged(bytes)")


def logger_code() -> bytes:
    """Emits LOG1(LOGGER_TOPIC, calldata) and stores calldata word 0 in slot 0."""
    return (
        b"\x36" + push(0) + push(0) + b"\x37"  # CALLDATACOPY(0, 0, size)
        + push(LOGGER_TOPIC) + b"\x36" + push(0) + b"\xa1"  # LOG1(0, size, topic)
        + push(0) + b"\x35" + push(0) + b"\x55"  # SSTORE(0, calldataload(0))
        + b"\x00"
    )  # fmt: skip


def reverter_code(revert_data: bytes) -> bytes:
    """Always reverts with ``revert_data``."""
    prefix_length = 15
    size = len(revert_data).to_bytes(2, "big")
    return (
        push(size) + push(prefix_length.to_bytes(2, "big")) + push(0) + b"\x39"  # CODECOPY
        + push(size) + push(0) + b"\xfd"  # REVERT(0, size)
        + revert_data
    )  # fmt: skip


#: Code that halts exceptionally at once: a call to it uses all the gas it is given.
GAS_BURNER_CODE = b"\xfe"

#: Returns storage slot 0 as one word.
SLOT0_READER_CODE = push(0) + b"\x54" + push(0) + b"\x52" + push(32) + push(0) + b"\xf3"

#: Returns the balance of the address in calldata word 0.
BALANCE_READER_CODE = push(0) + b"\x35\x31" + push(0) + b"\x52" + push(32) + push(0) + b"\xf3"


def error_string(message: str) -> bytes:
    """ABI-encoded ``Error(string)`` revert data."""
    text = message.encode()
    padded = text + b"\x00" * (-len(text) % 32)
    return (
        bytes.fromhex("08c379a0")
        + (32).to_bytes(32, "big")
        + len(text).to_bytes(32, "big")
        + padded
    )


def deploy(w3: Web3, key: str, runtime: bytes) -> str:
    """Deploy ``runtime`` with a user transaction; return the contract's address."""
    tx_hash = send(w3, key, data=init_code(runtime), gas=200_000 + 200 * len(runtime))
    (receipt,) = wait_receipts(w3, [tx_hash])
    assert receipt["status"] == 1
    assert w3.eth.get_code(receipt["contractAddress"]) == runtime
    return receipt["contractAddress"]
