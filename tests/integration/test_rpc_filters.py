"""Logs and poll filters: getLogs, newFilter, newBlockFilter, getFilterChanges/Logs, uninstall."""

from __future__ import annotations

import time

from eth_hash.auto import keccak
from hexbytes import HexBytes

from tests.integration.helpers import (
    LOGGER_TOPIC,
    account,
    deploy,
    logger_code,
    rpc_error,
    send,
    wait_block,
    wait_receipts,
)

OTHER_TOPIC = keccak(b"Other()")


def test_log_filters_block_filter_and_get_logs(devnet) -> None:
    w3 = devnet.w3
    _, key = account(1)
    logger_a = deploy(w3, key, logger_code())
    logger_b = deploy(w3, key, logger_code())
    start = w3.eth.block_number

    everything = w3.eth.filter({})
    only_a = w3.eth.filter({"address": logger_a})
    b_by_topic = w3.eth.filter({"address": [logger_b], "topics": [[HexBytes(LOGGER_TOPIC)]]})
    nothing = w3.eth.filter({"topics": [HexBytes(OTHER_TOPIC)]})
    ranged_a = w3.eth.filter({"address": logger_a, "fromBlock": start, "toBlock": "latest"})
    blocks = w3.eth.filter("latest")
    pending = w3.eth.filter("pending")

    payloads = [bytes([i]) * 32 for i in (1, 2, 3)]
    targets = [logger_a, logger_b, logger_a]
    hashes = [
        send(w3, key, to=target, data=payload, gas=100_000)
        for target, payload in zip(targets, payloads, strict=True)
    ]
    receipts = wait_receipts(w3, hashes)
    assert all(r["status"] == 1 for r in receipts)
    end = receipts[-1]["blockNumber"]
    receipt_logs = [r["logs"][0] for r in receipts]

    def key_of(log) -> tuple:  # noqa: ANN001 - web3 log
        return (log["blockNumber"], log["logIndex"], log["transactionHash"], log["data"])

    # Filters collect a block when its head is announced, which follows the commit that makes
    # its receipts readable (as in geth): wait until the block filter has seen the last block —
    # every filter collects in that same announcement — before reading the others.
    block_hashes: list = []
    deadline = time.monotonic() + 10
    while receipts[-1]["blockHash"] not in block_hashes:
        assert time.monotonic() < deadline, "the head with the last receipt was never announced"
        block_hashes += blocks.get_new_entries()
        time.sleep(0.05)

    changes_a = only_a.get_new_entries()
    assert [key_of(log) for log in changes_a] == [key_of(receipt_logs[0]), key_of(receipt_logs[2])]
    assert only_a.get_new_entries() == []
    assert [log["data"] for log in b_by_topic.get_new_entries()] == [payloads[1]]
    assert nothing.get_new_entries() == []
    assert [key_of(log) for log in everything.get_new_entries()] == [
        key_of(log) for log in receipt_logs
    ]
    assert sorted(pending.get_new_entries()) == sorted(hashes)

    all_a = ranged_a.get_all_entries()
    assert [log["data"] for log in all_a] == [payloads[0], payloads[2]]
    assert ranged_a.get_new_entries() == changes_a

    block_hashes += blocks.get_new_entries()
    numbers = [w3.eth.get_block(h)["number"] for h in block_hashes]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert numbers[0] <= receipts[0]["blockNumber"] and numbers[-1] >= end
    assert {r["blockHash"] for r in receipts} <= set(block_hashes)

    by_range = w3.eth.get_logs(
        {"fromBlock": start, "toBlock": end, "address": [logger_a, logger_b]}
    )
    assert [key_of(log) for log in by_range] == [key_of(log) for log in receipt_logs]
    assert (
        w3.eth.get_logs({"fromBlock": start, "toBlock": end, "topics": [HexBytes(OTHER_TOPIC)]})
        == []
    )
    wildcard = w3.eth.get_logs({"fromBlock": start, "toBlock": end, "topics": [None]})
    assert [key_of(log) for log in wildcard] == [key_of(log) for log in receipt_logs]
    in_block = w3.eth.get_logs({"blockHash": receipts[1]["blockHash"]})
    assert key_of(receipt_logs[1]) in [key_of(log) for log in in_block]
    assert all(log["blockHash"] == receipts[1]["blockHash"] for log in in_block)
    beyond = w3.eth.get_logs({"fromBlock": end + 1000, "toBlock": "latest"})
    assert beyond == []

    for installed in (everything, only_a, b_by_topic, nothing, ranged_a, blocks, pending):
        assert w3.eth.uninstall_filter(installed.filter_id) is True
        assert w3.eth.uninstall_filter(installed.filter_id) is False
    error = rpc_error(devnet.url, "eth_getFilterChanges", [only_a.filter_id])
    assert error == {"code": -32000, "message": "filter not found"}
    error = rpc_error(devnet.url, "eth_getFilterLogs", [ranged_a.filter_id])
    assert error["message"] == "filter not found"


def test_block_filter_sees_every_new_head_once(devnet) -> None:
    w3 = devnet.w3
    blocks = w3.eth.filter("latest")
    head = w3.eth.block_number
    wait_block(w3, head + 2)
    first = blocks.get_new_entries()
    wait_block(w3, head + 4)
    second = blocks.get_new_entries()
    seen = first + second
    assert len(seen) == len(set(seen)) >= 3
    numbers = [w3.eth.get_block(h)["number"] for h in seen]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert numbers[0] <= head + 1
