"""Chain and state reads of SPEC §12 through web3.py against a running devnet node."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import rlp
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from hexbytes import HexBytes
from trie import HexaryTrie
from web3 import Web3

from rollup_node.contracts import load_artifact
from rollup_node.devnet.accounts import DevAccounts
from rollup_node.protocol.predeploys import GAS_PRICE_ORACLE, L1_BLOCK
from tests.integration.helpers import (
    GWEI,
    L1_FEE_OVERHEAD,
    L1_FEE_SCALAR,
    L2_CHAIN_ID,
    account,
    deploy,
    logger_code,
    rpc,
    send,
    sign,
    wait_block,
    wait_receipts,
)

RECIPIENT = to_checksum_address("0x" + "5e" * 20)
ORACLE = to_checksum_address(GAS_PRICE_ORACLE)


def test_chain_identity_and_static_answers(devnet) -> None:
    w3 = devnet.w3
    assert w3.eth.chain_id == L2_CHAIN_ID
    assert w3.net.version == str(L2_CHAIN_ID)
    assert w3.net.listening is True
    assert w3.eth.syncing is False
    # The devnet serves its ten dev accounts, as anvil does; other modes none (SPEC §12).
    assert w3.eth.accounts == [to_checksum_address(a) for a in DevAccounts().accounts()]
    assert w3.client_version.startswith("rollup-node/")
    assert w3.eth.block_number >= 0
    assert w3.eth.max_priority_fee > 0
    assert w3.eth.gas_price > w3.eth.get_block("latest")["baseFeePerGas"] // 2


def test_web3_sha3_hashes_the_bytes(devnet) -> None:
    answer = rpc(devnet.url, "web3_sha3", ["0x68656c6c6f"])
    assert answer["result"] == "0x" + keccak(b"hello").hex()


def test_predeploy_code_and_storage(devnet) -> None:
    w3 = devnet.w3
    assert w3.eth.get_code(ORACLE) == load_artifact("GasPriceOracle").deployed_bytecode
    assert w3.eth.get_code(RECIPIENT) == b""
    assert int.from_bytes(w3.eth.get_storage_at(ORACLE, 0), "big") == L1_FEE_OVERHEAD
    assert int.from_bytes(w3.eth.get_storage_at(ORACLE, 1), "big") == L1_FEE_SCALAR
    assert w3.eth.get_storage_at(ORACLE, 7) == b"\x00" * 32


def test_transfer_reads_balances_nonces_transactions_and_blocks(devnet) -> None:
    w3 = devnet.w3
    sender, key = account(1)
    nonce = w3.eth.get_transaction_count(sender)
    hashes = [send(w3, key, to=RECIPIENT, value=1000 + i, gas=21_000) for i in range(5)]
    latest_and_pending = w3.batch_requests()
    latest_and_pending.add(w3.eth.get_transaction_count(sender, "latest"))
    latest_and_pending.add(w3.eth.get_transaction_count(sender, "pending"))
    latest, pending = latest_and_pending.execute()
    assert pending == nonce + 5
    assert nonce <= latest <= pending
    queued = w3.eth.get_transaction(hashes[-1])
    assert queued["from"] == sender and queued["nonce"] == nonce + 4

    receipts = wait_receipts(w3, hashes)
    assert [r["status"] for r in receipts] == [1] * 5
    assert w3.eth.get_transaction_count(sender) == nonce + 5
    first_block = receipts[0]["blockNumber"]
    last_block = receipts[-1]["blockNumber"]
    assert w3.eth.get_balance(RECIPIENT, first_block - 1) == 0
    assert w3.eth.get_balance(RECIPIENT, last_block) == sum(1000 + i for i in range(5))
    assert w3.eth.get_transaction_count(sender, first_block - 1) == nonce

    receipt = receipts[0]
    tx = w3.eth.get_transaction(hashes[0])
    assert tx["hash"] == hashes[0] and tx["blockNumber"] == receipt["blockNumber"]
    assert tx["to"] == to_checksum_address(RECIPIENT) and tx["value"] == 1000
    assert tx["type"] == 2 and tx["chainId"] == L2_CHAIN_ID

    block = w3.eth.get_block(receipt["blockNumber"], full_transactions=True)
    by_hash = w3.eth.get_block(block["hash"])
    assert by_hash["number"] == block["number"]
    assert by_hash["transactions"] == [t["hash"] for t in block["transactions"]]
    index = receipt["transactionIndex"]
    assert block["transactions"][index]["hash"] == hashes[0]
    count = len(block["transactions"])
    assert w3.eth.get_block_transaction_count(block["number"]) == count
    assert w3.eth.get_block_transaction_count(block["hash"]) == count
    assert w3.eth.get_transaction_by_block(block["number"], index)["hash"] == hashes[0]
    assert w3.eth.get_transaction_by_block(block["hash"], index)["hash"] == hashes[0]
    assert (
        rpc(
            devnet.url,
            "eth_getTransactionByBlockNumberAndIndex",
            [hex(block["number"]), hex(count)],
        )["result"]
        is None
    )
    assert rpc(devnet.url, "eth_getBlockByNumber", ["0xffffff", False])["result"] is None
    assert rpc(devnet.url, "eth_getTransactionReceipt", ["0x" + "00" * 32])["result"] is None
    assert rpc(devnet.url, "eth_getTransactionByHash", ["0x" + "00" * 32])["result"] is None
    assert w3.eth.get_block("earliest")["number"] == 0
    assert w3.eth.get_block("latest")["number"] >= block["number"]


def test_receipt_logs_and_contract_address(devnet) -> None:
    w3 = devnet.w3
    _, key = account(2)
    logger = deploy(w3, key, logger_code())
    tx_hash = send(w3, key, to=logger, data=b"\x01" * 32, gas=100_000)
    (receipt,) = wait_receipts(w3, [tx_hash])
    assert receipt["contractAddress"] is None
    (log,) = receipt["logs"]
    assert log["address"] == logger and log["data"] == b"\x01" * 32
    assert log["transactionHash"] == tx_hash and log["blockHash"] == receipt["blockHash"]
    assert int.from_bytes(w3.eth.get_storage_at(logger, 0), "big") == int.from_bytes(
        b"\x01" * 32, "big"
    )


def test_get_proof_verifies_against_the_state_root(devnet) -> None:
    w3 = devnet.w3
    block = w3.eth.get_block("latest")
    proof = w3.eth.get_proof(ORACLE, [0, 1, 99], block["number"])
    account_rlp = HexaryTrie.get_from_proof(
        block["stateRoot"], keccak(GAS_PRICE_ORACLE), [rlp.decode(n) for n in proof["accountProof"]]
    )
    nonce, balance, storage_root, code_hash = rlp.decode(account_rlp)
    assert int.from_bytes(nonce, "big") == proof["nonce"]
    assert int.from_bytes(balance, "big") == proof["balance"]
    assert storage_root == proof["storageHash"]
    assert code_hash == proof["codeHash"] == keccak(w3.eth.get_code(ORACLE))
    values = {L1_FEE_OVERHEAD, L1_FEE_SCALAR}
    for entry in proof["storageProof"]:
        slot = int.from_bytes(HexBytes(entry["key"]), "big")
        stored = HexaryTrie.get_from_proof(
            storage_root, keccak(slot.to_bytes(32, "big")), [rlp.decode(n) for n in entry["proof"]]
        )
        value = int.from_bytes(rlp.decode(stored), "big") if stored else 0
        assert value == int.from_bytes(entry["value"], "big")
        assert (value in values) if slot < 2 else value == 0

    empty = w3.eth.get_proof(to_checksum_address("0x" + "77" * 20), [], block["number"])
    assert empty["balance"] == 0 and empty["nonce"] == 0
    assert (
        HexaryTrie.get_from_proof(
            block["stateRoot"],
            keccak(bytes.fromhex("77" * 20)),
            [rlp.decode(n) for n in empty["accountProof"]],
        )
        == b""
    )


def test_l1_block_predeploy_is_readable(devnet) -> None:
    value = devnet.w3.eth.get_storage_at(to_checksum_address(L1_BLOCK), 2)
    assert int.from_bytes(value, "big") > 0  # the L1 base fee the last L1-info deposit set


def test_fee_history_reports_base_fees_ratios_and_tips(devnet) -> None:
    w3 = devnet.w3
    wait_block(w3, 3)  # four blocks of history whatever ran before
    _, key = account(3)
    tip = GWEI
    tx_hash = send(
        w3, key, to=RECIPIENT, gas=21_000, maxFeePerGas=5 * GWEI, maxPriorityFeePerGas=tip
    )
    (receipt,) = wait_receipts(w3, [tx_hash])
    newest = receipt["blockNumber"]
    history = w3.eth.fee_history(4, newest, [0, 100])
    assert history["oldestBlock"] == newest - 3
    blocks = [w3.eth.get_block(n) for n in range(newest - 3, newest + 1)]
    assert history["baseFeePerGas"][:4] == [b["baseFeePerGas"] for b in blocks]
    assert len(history["baseFeePerGas"]) == 5  # and the next block's
    last = blocks[-1]
    target = last["gasLimit"] // 2
    change = last["baseFeePerGas"] * abs(last["gasUsed"] - target) // target // 8
    assert history["baseFeePerGas"][4] == last["baseFeePerGas"] + (
        max(change, 1) if last["gasUsed"] > target else -change
    )
    assert history["gasUsedRatio"] == [b["gasUsed"] / b["gasLimit"] for b in blocks]
    assert len(history["reward"]) == 4
    assert history["reward"][-1][1] == tip  # the highest tip in the block is ours
    latest = w3.eth.fee_history(1, "latest")
    assert len(latest["baseFeePerGas"]) == 2 and "reward" not in latest


def test_concurrent_senders_all_land_in_nonce_order(devnet) -> None:
    w3 = devnet.w3
    senders = [account(i) for i in (4, 5, 6, 7, 8)]

    def burst(sender: tuple[str, str]) -> list[HexBytes]:
        address, key = sender
        client = Web3(Web3.HTTPProvider(devnet.url))
        first = client.eth.get_transaction_count(address, "pending")
        return [
            client.eth.send_raw_transaction(
                sign(key, to=RECIPIENT, value=1, gas=21_000, nonce=first + i)
            )
            for i in range(10)
        ]

    with ThreadPoolExecutor(len(senders)) as pool:
        bursts = list(pool.map(burst, senders))
    for (address, _), hashes in zip(senders, bursts, strict=True):
        receipts = wait_receipts(w3, hashes)
        assert all(r["status"] == 1 for r in receipts)
        positions = [(r["blockNumber"], r["transactionIndex"]) for r in receipts]
        assert positions == sorted(positions)
        assert w3.eth.get_transaction_count(address) == w3.eth.get_transaction_count(
            address, "pending"
        )


def test_debug_get_raw_block_is_the_consensus_encoding(devnet) -> None:
    w3 = devnet.w3
    _, key = account(4)
    (receipt,) = wait_receipts(w3, [send(w3, key, to=RECIPIENT, value=1)])
    number = receipt["blockNumber"]
    block = w3.eth.get_block(number, full_transactions=True)
    raw = bytes.fromhex(rpc(devnet.url, "debug_getRawBlock", [hex(number)])["result"][2:])
    header, txs, ommers, withdrawals = rlp.decode(raw)
    assert keccak(rlp.encode(header)) == bytes(block["hash"])
    assert (ommers, withdrawals) == ([], [])
    # typed transactions (the L1-info deposit, the transfer) are byte strings hashing to theirs
    assert [keccak(tx) for tx in txs] == [bytes(tx["hash"]) for tx in block["transactions"]]
    missing = rpc(devnet.url, "debug_getRawBlock", [hex(number + 10_000)])
    assert "not found" in missing["error"]["message"]
