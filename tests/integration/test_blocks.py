"""L2 block headers (SPEC §2, §3.5) and how the sequencer fills blocks (SPEC §3.3)."""

from __future__ import annotations

import requests
import rlp
from eth.vm.forks.cancun.blocks import CancunBlockHeader
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from trie import HexaryTrie

from rollup_node.protocol.predeploys import SEQUENCER_FEE_VAULT
from tests.integration.helpers import (
    GAS_BURNER_CODE,
    GWEI,
    account,
    deploy,
    logger_code,
    push,
    send,
    sign,
    wait_block,
    wait_receipts,
)

EMPTY_LIST_HASH = keccak(rlp.encode([]))
EMPTY_TRIE_ROOT = keccak(rlp.encode(b""))
GAS_LIMIT = 30_000_000
GENESIS_BASE_FEE = GWEI
BURN_GAS = 9_000_000


def expected_base_fee(parent) -> int:  # noqa: ANN001 - web3 block
    """EIP-1559 with Cancun's constants (elasticity 2, change denominator 8)."""
    target = parent["gasLimit"] // 2
    base, used = parent["baseFeePerGas"], parent["gasUsed"]
    if used == target:
        return base
    if used > target:
        return base + max(base * (used - target) // target // 8, 1)
    return base - base * (target - used) // target // 8


def header_hash(block) -> bytes:  # noqa: ANN001 - web3 block
    """keccak of the RLP header rebuilt from the RPC fields."""
    header = CancunBlockHeader(
        parent_hash=block["parentHash"],
        uncles_hash=block["sha3Uncles"],
        coinbase=bytes.fromhex(block["miner"][2:]),
        state_root=block["stateRoot"],
        transaction_root=block["transactionsRoot"],
        receipt_root=block["receiptsRoot"],
        bloom=int.from_bytes(block["logsBloom"], "big"),
        difficulty=block["difficulty"],
        block_number=block["number"],
        gas_limit=block["gasLimit"],
        gas_used=block["gasUsed"],
        timestamp=block["timestamp"],
        extra_data=block["extraData"],
        mix_hash=block["mixHash"],
        nonce=block["nonce"],
        base_fee_per_gas=block["baseFeePerGas"],
        withdrawals_root=block["withdrawalsRoot"],
        blob_gas_used=block["blobGasUsed"],
        excess_blob_gas=block["excessBlobGas"],
        parent_beacon_block_root=block["parentBeaconBlockRoot"],
    )
    return keccak(rlp.encode(header))


def test_blocks_fill_to_the_gas_limit_and_the_rest_waits_in_order(devnet) -> None:
    w3 = devnet.w3
    burner = deploy(w3, account(1)[1], GAS_BURNER_CODE)
    senders = [account(i) for i in (2, 3, 4)]
    nonces = {address: w3.eth.get_transaction_count(address, "pending") for address, _ in senders}
    raws = []
    for i in range(9):
        address, key = senders[i % 3]
        raws.append(sign(key, to=burner, gas=BURN_GAS, nonce=nonces[address] + i // 3))
    batch = [
        {"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": ["0x" + r.hex()]}
        for i, r in enumerate(raws)
    ]
    answers = requests.post(devnet.url, json=batch, timeout=30).json()
    hashes = [answer["result"] for answer in answers]
    assert hashes == ["0x" + keccak(raw).hex() for raw in raws]
    receipts = wait_receipts(w3, hashes)
    assert [r["gasUsed"] for r in receipts] == [BURN_GAS] * 9  # INVALID burns all gas
    positions = [(r["blockNumber"], r["transactionIndex"]) for r in receipts]
    assert positions == sorted(positions)  # arrival order, across blocks

    numbers = sorted({r["blockNumber"] for r in receipts})
    assert len(numbers) >= 3  # at most three 9M transactions fit in 30M
    assert numbers == list(range(numbers[0], numbers[-1] + 1))  # no block skipped
    for number in numbers:
        block = w3.eth.get_block(number)
        assert block["gasUsed"] <= GAS_LIMIT
        ours = [r for r in receipts if r["blockNumber"] == number]
        assert len(ours) <= 3
        if number not in (numbers[0], numbers[-1]):
            # The submission may straddle the first block; after that a block closes only
            # when the next waiting transaction does not fit.
            assert block["gasUsed"] + BURN_GAS > GAS_LIMIT
            assert len(ours) == 3
    full = [n for n in numbers if w3.eth.get_block(n)["gasUsed"] > GAS_LIMIT // 2]
    assert full
    for number in full:  # above the target the base fee rises
        wait_block(w3, number + 1)
        after = w3.eth.get_block(number + 1)["baseFeePerGas"]
        assert after > w3.eth.get_block(number)["baseFeePerGas"]


def test_header_fields(devnet) -> None:
    w3 = devnet.w3
    wait_block(w3, 3)
    head = w3.eth.block_number
    genesis = w3.eth.get_block(0)
    rollup = devnet.node.rollup
    assert genesis["timestamp"] == rollup.l2_genesis_timestamp
    assert genesis["baseFeePerGas"] == GENESIS_BASE_FEE
    parent = None
    for number in range(head + 1):
        block = w3.eth.get_block(number)
        assert block["number"] == number
        assert block["timestamp"] == rollup.l2_genesis_timestamp + number * rollup.l2_block_time
        assert block["miner"] == to_checksum_address(SEQUENCER_FEE_VAULT)
        assert block["difficulty"] == 0
        assert block["nonce"] == b"\x00" * 8
        assert block["extraData"] == b""
        assert block["sha3Uncles"] == EMPTY_LIST_HASH
        assert block["withdrawalsRoot"] == EMPTY_TRIE_ROOT
        assert block["blobGasUsed"] == 0 and block["excessBlobGas"] == 0
        assert block["parentBeaconBlockRoot"] == b"\x00" * 32
        assert block["gasLimit"] == GAS_LIMIT
        assert block["uncles"] == [] and block["withdrawals"] == []
        assert header_hash(block) == block["hash"]
        if parent is not None:
            assert block["parentHash"] == parent["hash"]
            assert block["baseFeePerGas"] == expected_base_fee(parent)
            assert len(block["transactions"]) >= 1  # the L1-info deposit
        parent = block


def test_base_fee_moves_with_gas_used_against_the_target(devnet) -> None:
    w3 = devnet.w3
    wait_block(w3, 3)  # some deposit-only blocks, whatever ran before
    head = w3.eth.block_number
    blocks = [w3.eth.get_block(n) for n in range(head + 1)]
    falls = 0
    for parent, block in zip(blocks, blocks[1:], strict=False):
        change = block["baseFeePerGas"] - parent["baseFeePerGas"]
        excess = parent["gasUsed"] - GAS_LIMIT // 2
        if excess > 0:
            assert change > 0
        elif excess < 0:
            assert change <= 0
        else:
            assert change == 0
        falls += change < 0
    assert falls  # blocks holding only the L1-info deposit lower it


def ordered_root(items: list[bytes]) -> bytes:
    """The root of the trie mapping ``rlp(index)`` to each item."""
    trie = HexaryTrie({})
    for index, item in enumerate(items):
        trie[rlp.encode(index)] = item
    return trie.root_hash


def deposit_bytes(tx) -> bytes:  # noqa: ANN001 - web3 transaction
    """SPEC §3.2's encoding, rebuilt from the RPC fields."""
    fields = [
        bytes.fromhex(tx["sourceHash"][2:]),
        bytes.fromhex(tx["from"][2:]),
        bytes.fromhex(tx["to"][2:]) if tx["to"] else b"",
        int(tx["mint"], 16),
        tx["value"],
        tx["gas"],
        1 if tx["isSystemTx"] else 0,
        bytes(tx["input"]),
    ]
    return b"\x7e" + rlp.encode(fields)


def receipt_bytes(receipt) -> bytes:  # noqa: ANN001 - web3 receipt
    """The consensus encoding of a receipt (deposits: with depositNonce and version 1)."""
    logs = [
        [bytes.fromhex(log["address"][2:]), [bytes(t) for t in log["topics"]], bytes(log["data"])]
        for log in receipt["logs"]
    ]
    fields = [receipt["status"], receipt["cumulativeGasUsed"], bytes(receipt["logsBloom"]), logs]
    if receipt["type"] == 0x7E:
        fields += [int(receipt["depositNonce"], 16), 1]
    encoded = rlp.encode(fields)
    return encoded if receipt["type"] == 0 else bytes([receipt["type"]]) + encoded


def test_transaction_and_receipt_roots_commit_to_what_rpc_serves(devnet) -> None:
    w3 = devnet.w3
    _, key = account(5)
    logger = deploy(w3, key, logger_code())
    nonce = w3.eth.get_transaction_count(account(5)[0], "pending")
    raws = {}
    for i, fields in enumerate(
        [
            {"gasPrice": 2 * GWEI},
            {"type": 1, "gasPrice": 2 * GWEI, "accessList": []},
            {},
        ]
    ):
        raw = sign(key, to=logger, data=bytes([i + 1]) * 40, gas=100_000, nonce=nonce + i, **fields)
        raws["0x" + keccak(raw).hex()] = raw
    sender = bytes.fromhex("ab" * 20)
    deposit = devnet.node.deposits.inject(sender, bytes.fromhex(logger[2:]), 10, 5, 90_000, b"\x07")
    hashes = [w3.eth.send_raw_transaction(raw) for raw in raws.values()]
    receipts = wait_receipts(w3, [*hashes, deposit.hash])
    checked = 0
    for number in sorted({r["blockNumber"] for r in receipts}):
        block = w3.eth.get_block(number, full_transactions=True)
        encoded = []
        for tx in block["transactions"]:
            if tx["type"] == 0x7E:
                encoded.append(deposit_bytes(tx))
            else:
                encoded.append(raws["0x" + tx["hash"].hex().removeprefix("0x")])
        assert [keccak(e) for e in encoded] == [tx["hash"] for tx in block["transactions"]]
        assert ordered_root(encoded) == block["transactionsRoot"]
        block_receipts = [
            w3.eth.get_transaction_receipt(tx["hash"]) for tx in block["transactions"]
        ]
        assert ordered_root([receipt_bytes(r) for r in block_receipts]) == block["receiptsRoot"]
        bloom = 0
        for receipt in block_receipts:
            bloom |= int.from_bytes(receipt["logsBloom"], "big")
        assert bloom == int.from_bytes(block["logsBloom"], "big")
        checked += len(block["transactions"])
    assert checked >= 5


#: Opcodes whose values a transaction records, by storage slot.
ENVIRONMENT = {
    "NUMBER": b"\x43",
    "TIMESTAMP": b"\x42",
    "COINBASE": b"\x41",
    "BASEFEE": b"\x48",
    "CHAINID": b"\x46",
    "PREVRANDAO": b"\x44",
    "GASLIMIT": b"\x45",
    "ORIGIN": b"\x32",
    "GASPRICE": b"\x3a",
    "BLOBBASEFEE": b"\x4a",
    "PARENT_BLOCKHASH": push(1) + b"\x43\x03\x40",  # BLOCKHASH(NUMBER - 1)
    "OWN_BLOCKHASH": b"\x43\x40",  # BLOCKHASH(NUMBER): zero
}


def recorder_code() -> bytes:
    """Stores each ``ENVIRONMENT`` value in its slot (in dictionary order)."""
    code = b""
    for slot, opcodes in enumerate(ENVIRONMENT.values()):
        code += opcodes + push(slot) + b"\x55"
    return code + b"\x00"


def recorded(w3, contract: str, number: int) -> dict[str, int]:  # noqa: ANN001 - Web3
    return {
        name: int.from_bytes(w3.eth.get_storage_at(contract, slot, number), "big")
        for slot, name in enumerate(ENVIRONMENT)
    }


def test_transactions_see_the_block_environment_of_their_header(devnet) -> None:
    w3 = devnet.w3
    user, key = account(6)
    by_user = deploy(w3, key, recorder_code())
    by_deposit = deploy(w3, key, recorder_code())
    depositor = bytes.fromhex("cd" * 20)
    tip = GWEI // 10
    user_tx = send(w3, key, to=by_user, gas=400_000, maxPriorityFeePerGas=tip)
    deposit = devnet.node.deposits.inject(depositor, bytes.fromhex(by_deposit[2:]), 0, 0, 400_000)
    for contract, tx_hash in ((by_user, user_tx), (by_deposit, deposit.hash)):
        (receipt,) = wait_receipts(w3, [tx_hash])
        assert receipt["status"] == 1
        block = w3.eth.get_block(receipt["blockNumber"])
        seen = recorded(w3, contract, block["number"])
        is_user = contract == by_user
        assert seen == {
            "NUMBER": block["number"],
            "TIMESTAMP": block["timestamp"],
            "COINBASE": int(block["miner"], 16),
            "BASEFEE": block["baseFeePerGas"],
            "CHAINID": 901,
            "PREVRANDAO": int.from_bytes(block["mixHash"], "big"),
            "GASLIMIT": block["gasLimit"],
            "ORIGIN": int(user, 16) if is_user else int.from_bytes(depositor, "big"),
            "GASPRICE": block["baseFeePerGas"] + tip if is_user else 0,
            "BLOBBASEFEE": 1,
            "PARENT_BLOCKHASH": int.from_bytes(block["parentHash"], "big"),
            "OWN_BLOCKHASH": 0,
        }


def test_calls_see_the_environment_of_the_block_they_read(devnet) -> None:
    w3 = devnet.w3
    number = w3.eth.block_number
    block = w3.eth.get_block(number)
    scratch = to_checksum_address("0x" + "e7" * 20)
    for name, opcodes in ENVIRONMENT.items():
        code = opcodes + push(0) + b"\x52" + push(32) + push(0) + b"\xf3"  # return the word
        value = w3.eth.call({"to": scratch}, number, {scratch: {"code": "0x" + code.hex()}})
        expected = {
            "NUMBER": number,
            "TIMESTAMP": block["timestamp"],
            "COINBASE": int(block["miner"], 16),
            "BASEFEE": block["baseFeePerGas"],
            "CHAINID": 901,
            "PREVRANDAO": int.from_bytes(block["mixHash"], "big"),
            "GASLIMIT": block["gasLimit"],
            "PARENT_BLOCKHASH": int.from_bytes(block["parentHash"], "big"),
            "OWN_BLOCKHASH": 0,
        }
        if name in expected:
            assert int.from_bytes(value, "big") == expected[name], name
