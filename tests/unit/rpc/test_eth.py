"""Every ``eth_`` method over HTTP against the fake chain: happy paths and errors."""

from __future__ import annotations

import rlp
from eth_hash.auto import keccak
from trie import HexaryTrie

from rollup_node.rpc.errors import decode_revert_reason
from rollup_node.rpc.fees import next_base_fee
from tests.unit.rpc.conftest import Call
from tests.unit.rpc.fake_backend import (
    ALICE,
    ALICE_ADDRESS,
    BALANCE_OF_CALLER,
    BOB_ADDRESS,
    ECHO,
    INITIAL_BALANCE,
    LOGGER,
    PANICKER,
    PING_TOPIC,
    PRIORITY_FEE,
    REVERTER,
    FakeChain,
    error_data,
    sign,
)


def hx(value: bytes) -> str:
    return "0x" + value.hex()


ALICE_HEX = hx(ALICE_ADDRESS)


async def result(call: Call, method: str, *params: object) -> object:
    answer = await call(method, *params)
    assert "error" not in answer, answer
    return answer["result"]


async def error(call: Call, method: str, *params: object) -> dict:
    answer = await call(method, *params)
    assert "result" not in answer, answer
    return answer["error"]


async def test_chain_basics(call: Call) -> None:
    assert await result(call, "eth_chainId") == "0x385"
    assert await result(call, "eth_blockNumber") == "0x1"
    assert await result(call, "eth_syncing") is False
    assert await result(call, "eth_accounts") == []
    assert await result(call, "net_version") == "901"
    assert await result(call, "net_listening") is True
    assert await result(call, "net_peerCount") == "0x0"
    assert (await result(call, "web3_clientVersion")).startswith("rollup-node/")
    assert await result(call, "web3_sha3", "0x") == hx(keccak(b""))


async def test_balance_at_tags_numbers_and_hashes(call: Call, chain: FakeChain) -> None:
    genesis, block1 = chain.blocks
    assert await result(call, "eth_getBalance", ALICE_HEX, "earliest") == hex(INITIAL_BALANCE)
    assert await result(call, "eth_getBalance", ALICE_HEX, "0x0") == hex(INITIAL_BALANCE)
    latest = await result(call, "eth_getBalance", ALICE_HEX)
    assert latest == hex(chain.balance(ALICE_ADDRESS, 1))
    assert await result(call, "eth_getBalance", ALICE_HEX, "safe") == hex(INITIAL_BALANCE)
    by_hash = {"blockHash": hx(genesis.hash), "requireCanonical": True}
    assert await result(call, "eth_getBalance", ALICE_HEX, by_hash) == hex(INITIAL_BALANCE)
    assert await result(call, "eth_getBalance", ALICE_HEX, {"blockNumber": "0x1"}) == latest
    assert await error(call, "eth_getBalance", ALICE_HEX, "0x2") == {
        "code": -32000,
        "message": "header not found",
    }
    unknown = {"blockHash": hx(b"\x01" * 32)}
    assert (await error(call, "eth_getBalance", ALICE_HEX, unknown))["message"] == (
        "header for hash not found"
    )


async def test_transaction_count_latest_and_pending(call: Call, chain: FakeChain) -> None:
    assert await result(call, "eth_getTransactionCount", ALICE_HEX, "latest") == "0x1"
    await result(call, "eth_sendRawTransaction", hx(sign(ALICE, nonce=1)))
    assert await result(call, "eth_getTransactionCount", ALICE_HEX, "latest") == "0x1"
    assert await result(call, "eth_getTransactionCount", ALICE_HEX, "pending") == "0x2"


async def test_code_and_storage(call: Call) -> None:
    assert await result(call, "eth_getCode", hx(ECHO)) == "0x6000"
    assert await result(call, "eth_getCode", ALICE_HEX) == "0x"
    slot7 = await result(call, "eth_getStorageAt", hx(ECHO), "0x7", "latest")
    assert slot7 == "0x" + "00" * 30 + "beef"
    assert await result(call, "eth_getStorageAt", hx(ECHO), "0x1") == "0x" + "00" * 32


async def test_call_and_overrides(call: Call) -> None:
    assert await result(call, "eth_call", {"to": hx(ECHO), "input": "0xabcd"}) == "0xabcd"
    request = {"from": hx(b"\x09" * 20), "to": hx(BALANCE_OF_CALLER)}
    assert await result(call, "eth_call", request, "latest") == "0x" + "00" * 32
    overrides = {hx(b"\x09" * 20): {"balance": "0x2a"}}
    answer = await result(call, "eth_call", request, "latest", overrides)
    assert answer == "0x" + "00" * 31 + "2a"


async def test_revert_is_code_3_with_reason_and_data(call: Call) -> None:
    failure = await error(call, "eth_call", {"to": hx(REVERTER), "data": hx(b"boom")})
    assert failure == {
        "code": 3,
        "message": "execution reverted: boom",
        "data": hx(error_data("boom")),
    }
    panic = await error(call, "eth_call", {"to": hx(PANICKER)})
    assert panic["code"] == 3
    assert panic["message"] == "execution reverted: arithmetic underflow or overflow"
    estimate = await error(call, "eth_estimateGas", {"to": hx(REVERTER), "data": hx(b"no")})
    assert estimate["message"] == "execution reverted: no"


async def test_other_execution_failures_are_server_errors(call: Call) -> None:
    failure = await error(call, "eth_call", {"to": hx(ECHO), "gas": "0x1"})
    assert failure == {"code": -32000, "message": "intrinsic gas too low: have 1, want 21000"}


def test_revert_reason_decoding_of_bad_data() -> None:
    assert decode_revert_reason(b"") is None
    assert decode_revert_reason(bytes.fromhex("08c379a0") + b"\x00" * 10) is None
    assert decode_revert_reason(error_data("x")) == "x"
    unknown_panic = bytes.fromhex("4e487b71") + (0x99).to_bytes(32, "big")
    assert decode_revert_reason(unknown_panic) == "unknown panic code: 0x99"


async def test_estimate_gas(call: Call) -> None:
    assert await result(call, "eth_estimateGas", {"to": hx(ECHO)}) == hex(21000)
    assert await result(call, "eth_estimateGas", {"to": hx(ECHO), "data": "0x0001"}) == hex(
        21000 + 4 + 16
    )


async def test_fee_methods(call: Call, chain: FakeChain) -> None:
    expected = next_base_fee(chain.blocks[-1]) + PRIORITY_FEE
    assert await result(call, "eth_gasPrice") == hex(expected)
    assert await result(call, "eth_maxPriorityFeePerGas") == hex(PRIORITY_FEE)
    assert await result(call, "eth_blobBaseFee") == "0x1"


async def test_fee_history(call: Call, chain: FakeChain) -> None:
    history = await result(call, "eth_feeHistory", "0x4", "latest", [25, 75])
    assert history["oldestBlock"] == "0x0"
    assert history["baseFeePerGas"] == [hex(b.base_fee_per_gas) for b in chain.blocks] + [
        hex(next_base_fee(chain.blocks[-1]))
    ]
    assert history["gasUsedRatio"] == [0.0, chain.blocks[1].gas_used / 30_000_000]
    assert history["reward"][0] == ["0x0", "0x0"]
    assert history["reward"][1] == ["0x0", hex(2_000_000_000 - chain.blocks[1].base_fee_per_gas)]
    assert len(history["baseFeePerBlobGas"]) == 3
    without = await result(call, "eth_feeHistory", 1, "0x1")
    assert without["oldestBlock"] == "0x1" and "reward" not in without
    beyond = await error(call, "eth_feeHistory", "0x1", "0x5")
    assert beyond["message"] == "request beyond head block: requested 5, head 1"
    bad = await error(call, "eth_feeHistory", "0x1", "latest", [90, 10])
    assert bad["code"] == -32602 and "invalid reward percentiles" in bad["message"]


async def test_send_raw_transaction_and_lookups(call: Call, chain: FakeChain) -> None:
    raw = sign(ALICE, nonce=1, value=5)
    tx_hash = await result(call, "eth_sendRawTransaction", hx(raw))
    assert tx_hash == hx(keccak(raw))
    queued = await result(call, "eth_getTransactionByHash", tx_hash)
    assert queued["blockHash"] is None and queued["blockNumber"] is None
    assert await result(call, "eth_getTransactionReceipt", tx_hash) is None
    chain.mine()
    included = await result(call, "eth_getTransactionByHash", tx_hash)
    assert included["blockNumber"] == "0x2" and included["transactionIndex"] == "0x0"
    receipt = await result(call, "eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1" and receipt["transactionHash"] == tx_hash
    assert receipt["effectiveGasPrice"] == included["gasPrice"]
    assert await result(call, "eth_getTransactionByHash", hx(b"\x00" * 32)) is None


async def test_rejected_transactions_use_geth_messages(call: Call) -> None:
    stale = await error(call, "eth_sendRawTransaction", hx(sign(ALICE, nonce=0)))
    assert stale == {
        "code": -32000,
        "message": f"nonce too low: address {ALICE_HEX}, tx: 0 state: 1",
    }
    broke = await error(call, "eth_sendRawTransaction", hx(sign(ALICE, nonce=1, value=10**30)))
    assert broke["message"].startswith("insufficient funds for gas * price + value")
    malformed = await error(call, "eth_sendRawTransaction", "0xc0")
    assert malformed["code"] == -32000 and malformed["message"].startswith("malformed")
    bad_hex = await error(call, "eth_sendRawTransaction", "0xabc")
    assert bad_hex["code"] == -32602


async def test_blocks(call: Call, chain: FakeChain) -> None:
    block1 = chain.blocks[1]
    by_number = await result(call, "eth_getBlockByNumber", "0x1", False)
    assert by_number["hash"] == hx(block1.hash)
    assert by_number["transactions"] == [hx(tx.hash) for tx in block1.transactions]
    full = await result(call, "eth_getBlockByHash", hx(block1.hash), True)
    assert [tx["hash"] for tx in full["transactions"]] == by_number["transactions"]
    assert await result(call, "eth_getBlockByNumber", "latest", False) == by_number
    assert await result(call, "eth_getBlockByNumber", "pending", False) == by_number
    assert (await result(call, "eth_getBlockByNumber", "earliest", False))["number"] == "0x0"
    assert await result(call, "eth_getBlockByNumber", "0x9", False) is None
    assert await result(call, "eth_getBlockByHash", hx(b"\x01" * 32), False) is None
    count = await result(call, "eth_getBlockTransactionCountByNumber", "0x1")
    assert count == "0x3"
    assert await result(call, "eth_getBlockTransactionCountByHash", hx(block1.hash)) == "0x3"
    assert await result(call, "eth_getBlockTransactionCountByNumber", "0x9") is None
    second = await result(call, "eth_getTransactionByBlockHashAndIndex", hx(block1.hash), "0x1")
    assert second["hash"] == hx(block1.transactions[1].hash)
    third = await result(call, "eth_getTransactionByBlockNumberAndIndex", "latest", "0x2")
    assert third["type"] == "0x0"
    assert await result(call, "eth_getTransactionByBlockNumberAndIndex", "0x1", "0x3") is None


async def test_uncles_never_exist(call: Call, chain: FakeChain) -> None:
    assert await result(call, "eth_getUncleCountByBlockNumber", "latest") == "0x0"
    assert await result(call, "eth_getUncleCountByBlockNumber", "0x9") is None
    assert await result(call, "eth_getUncleCountByBlockHash", hx(chain.blocks[0].hash)) == "0x0"
    assert await result(call, "eth_getUncleCountByBlockHash", hx(b"\x03" * 32)) is None
    assert await result(call, "eth_getUncleByBlockNumberAndIndex", "latest", "0x0") is None
    assert await result(call, "eth_getUncleByBlockHashAndIndex", hx(b"\x03" * 32), "0x0") is None


async def test_block_receipts(call: Call, chain: FakeChain) -> None:
    receipts = await result(call, "eth_getBlockReceipts", "latest")
    assert [r["transactionIndex"] for r in receipts] == ["0x0", "0x1", "0x2"]
    by_hash = await result(call, "eth_getBlockReceipts", {"blockHash": hx(chain.blocks[1].hash)})
    assert by_hash == receipts
    assert await result(call, "eth_getBlockReceipts", "0x7") is None


async def test_get_logs(call: Call, chain: FakeChain) -> None:
    everything = await result(call, "eth_getLogs", {"fromBlock": "earliest"})
    assert len(everything) == 1
    log = everything[0]
    assert log["address"] == hx(LOGGER) and log["topics"][0] == hx(PING_TOPIC)
    assert log["data"] == "0x0102"
    assert await result(call, "eth_getLogs", {"blockHash": hx(chain.blocks[1].hash)}) == everything
    by_topic = {"fromBlock": "0x0", "topics": [hx(PING_TOPIC), hx(b"\x00" * 12 + ALICE_ADDRESS)]}
    assert await result(call, "eth_getLogs", by_topic) == everything
    other_sender = {"fromBlock": "0x0", "topics": [None, hx(b"\x00" * 12 + BOB_ADDRESS)]}
    assert await result(call, "eth_getLogs", other_sender) == []
    assert await result(call, "eth_getLogs", {"fromBlock": "0x0", "address": [hx(ECHO)]}) == []
    assert await result(call, "eth_getLogs", {"fromBlock": "0x5", "toBlock": "latest"}) == []
    inverted = await error(call, "eth_getLogs", {"fromBlock": "0x1", "toBlock": "0x0"})
    assert inverted == {"code": -32000, "message": "invalid block range params"}
    unknown = await error(call, "eth_getLogs", {"blockHash": hx(b"\x02" * 32)})
    assert unknown["message"] == "unknown block"


async def test_get_logs_limits(call: Call, chain: FakeChain) -> None:
    for _ in range(100):
        chain.mine()
    too_wide = await error(call, "eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest"})
    assert too_wide["code"] == -32005 and "block range too large" in too_wide["message"]
    nonce = 1
    for _ in range(51):
        chain.send_raw_transaction(sign(ALICE, nonce=nonce, to=LOGGER, gas=22_000))
        nonce += 1
    chain.mine()
    too_many = await error(call, "eth_getLogs", {"fromBlock": "latest"})
    assert too_many == {"code": -32005, "message": "query returned more than 50 results"}


async def test_get_proof_verifies_against_the_state_root(call: Call, chain: FakeChain) -> None:
    proof = await result(call, "eth_getProof", hx(ECHO), ["0x7", "0x0000000000000001"], "latest")
    assert [p["key"] for p in proof["storageProof"]] == ["0x7", "0x0000000000000001"]
    assert proof["storageProof"][0]["value"] == "0xbeef"
    assert proof["storageProof"][1]["value"] == "0x0"
    nodes = [rlp.decode(bytes.fromhex(node[2:])) for node in proof["accountProof"]]
    account = HexaryTrie.get_from_proof(chain.blocks[1].state_root, keccak(ECHO), nodes)
    nonce, balance, storage_root, code_hash = rlp.decode(account)
    assert hx(storage_root) == proof["storageHash"]
    assert hx(code_hash) == proof["codeHash"] == hx(keccak(b"\x60\x00"))
    slot_nodes = [rlp.decode(bytes.fromhex(n[2:])) for n in proof["storageProof"][0]["proof"]]
    slot_key = keccak((7).to_bytes(32, "big"))
    assert rlp.decode(HexaryTrie.get_from_proof(storage_root, slot_key, slot_nodes)) == b"\xbe\xef"
    missing = await error(call, "eth_getProof", hx(ECHO), [])
    assert missing["message"] == "missing value for required argument 2 (block)"
