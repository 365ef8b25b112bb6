"""``debug_trace*`` (rpc/debug.py; chain/tracing.py, struct_logger.py, call_tracer.py,
block_replay.py) on the devnet's L2, compared with anvil on the same transaction.

The same three contracts are deployed on anvil and on the L2 from the same fresh key (same
nonces, so the same addresses), and the same transaction is sent to both: a call that CALLs a
counter with value (SLOAD, SSTORE, LOG1, RETURN), STATICCALLs a contract that reverts with
``Error("no")``, DELEGATECALLs the counter and CREATEs a contract. The L2 also charges an L1
fee, outside execution: every execution figure must still be anvil's. Compared field by field:
the struct logs' op, pc, gas, gasCost, depth, stack, storage and (with ``enableMemory``)
memory, the result's gas, failed and returnValue, and the whole ``callTracer`` tree. Then
``debug_traceCall`` and ``eth_estimateGas`` of a call with a ``stateDiff`` override that clears
the overridden slot and calls a precompile: same struct logs, refund counter, tree and estimate
(the overridden value is the call's starting state, as geth's and anvil's overrides are).

One known departure, asserted rather than skipped: for CREATE/CREATE2 geth's gasCost is the
opcode's own charge (geth takes the callee's 63/64 inside the opcode, after reporting the
cost), anvil's adds the callee's gas; so anvil's equals ours plus the CREATE frame's ``gas``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from rollup_node.protocol.predeploys import L1_BLOCK, L1_INFO_DEPOSITOR
from tests.e2e.l1 import ANVIL, Anvil
from tests.integration.helpers import (
    account,
    error_string,
    init_code,
    push,
    reverter_code,
    rpc,
    rpc_error,
    send,
    wait_receipts,
)
from tests.node_harness import RunningNode

FRESH_KEY = "0x" + "42" * 32
ADDED_TOPIC = keccak(b"Added(uint256)")
CALL_GAS = 500_000
MAX_STEPS = 2_000


def counter_code() -> bytes:
    """Adds calldata word 0 to slot 0, logs the sum and returns it."""
    return (
        push(0) + b"\x54" + push(0) + b"\x35\x01"  # SLOAD(0) + CALLDATALOAD(0)
        + b"\x80" + push(0) + b"\x55"  # SSTORE(0, sum)
        + b"\x80" + push(0) + b"\x52"  # MSTORE(0, sum)
        + push(ADDED_TOPIC) + push(32) + push(0) + b"\xa1"  # LOG1(0, 32, topic)
        + push(32) + push(0) + b"\xf3"  # RETURN(0, 32)
    )  # fmt: skip


def caller_code(counter: bytes, reverter: bytes) -> bytes:
    """CALL counter(7) with the call's value, STATICCALL reverter, DELEGATECALL counter(7)
    with 0xffff gas, CREATE a contract returning 10 zero bytes, return memory word 0."""
    return (
        push(7) + push(0) + b"\x52"  # MSTORE(0, 7)
        + push(32) + push(0) + push(32) + push(0) + b"\x34" + push(counter) + b"\x5a\xf1\x50"
        + push(0) + push(0) + push(0) + push(0) + push(reverter) + b"\x5a\xfa\x50"
        + push(32) + push(0) + push(32) + push(0) + push(counter) + push(0xFFFF) + b"\xf4\x50"
        + push(0x600A5FF3) + push(0xE0) + b"\x1b" + push(0) + b"\x52"  # init code at 0
        + push(4) + push(0) + push(0) + b"\xf0\x50"  # CREATE(0, 0, 4)
        + push(32) + push(0) + b"\xf3"
    )  # fmt: skip


# STATICCALL the identity precompile, clear slot 0 (a refund when it held a value), STOP.
CLEARER_CODE = (
    push(32) + push(0) + push(32) + push(0) + push(4) + b"\x5a\xfa\x50"
    + push(0) + push(0) + b"\x55\x00"
)  # fmt: skip


def _send(w3: Web3, **fields: Any) -> dict[str, Any]:
    """Sign with FRESH_KEY for ``w3``'s chain, send, wait for the receipt."""
    sender = Account.from_key(FRESH_KEY)
    tx = {
        "chainId": w3.eth.chain_id,
        "nonce": w3.eth.get_transaction_count(sender.address),
        "gas": CALL_GAS,
        "maxFeePerGas": 10**10,
        "maxPriorityFeePerGas": 10**9,
        "value": 0,
        **fields,
    }
    raw = sender.sign_transaction(tx).raw_transaction
    (receipt,) = wait_receipts(w3, [w3.eth.send_raw_transaction(raw)])
    return dict(receipt)


def _scenario(w3: Web3) -> tuple[dict[str, Any], str, str]:
    """Deploy the contracts from FRESH_KEY (funded already) and send the traced call; return
    its receipt, the caller's address and the clearer's."""
    clearer = _send(w3, data=init_code(CLEARER_CODE))["contractAddress"]
    counter = _send(w3, data=init_code(counter_code()))["contractAddress"]
    reverter = _send(w3, data=init_code(reverter_code(error_string("no"))))["contractAddress"]
    code = caller_code(bytes.fromhex(counter[2:]), bytes.fromhex(reverter[2:]))
    caller = _send(w3, data=init_code(code))["contractAddress"]
    receipt = _send(w3, to=caller, value=5)
    assert receipt["status"] == 1
    return receipt, caller, clearer


def _trace(url: str, tx_hash: bytes, options: dict[str, Any]) -> dict[str, Any]:
    answer = rpc(url, "debug_traceTransaction", ["0x" + bytes(tx_hash).hex(), options])
    assert "result" in answer, answer
    return answer["result"]


def _creates(frame: dict[str, Any]) -> list[dict[str, Any]]:
    """The CREATE/CREATE2 frames of a call tree, in execution order."""
    found = [frame] if frame["type"] in ("CREATE", "CREATE2") else []
    for call in frame.get("calls", ()):
        found += _creates(call)
    return found


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    """The node-core devnet of tests/integration, with a small trace bound (so that hitting it
    takes milliseconds, not the seconds of the default 100,000 steps)."""
    node = RunningNode(
        tmp_path_factory.mktemp("devnet"), rollup_services=False, rpc_max_trace_steps=MAX_STEPS
    )
    yield node
    node.stop()


@pytest.fixture
def anvil(tmp_path: Path) -> Iterator[Anvil]:
    if ANVIL is None:
        pytest.skip("anvil not installed (npm install --prefix tests/e2e/anvil)")
    node = Anvil(tmp_path / "anvil.log", 31337, None, ("--steps-tracing",))
    yield node
    node.stop()


@pytest.mark.anvil
def test_traces_match_anvil(devnet, anvil: Anvil) -> None:  # noqa: ANN001
    fresh = Account.from_key(FRESH_KEY).address
    funded = anvil.w3.eth.send_transaction(
        {"from": anvil.w3.eth.accounts[0], "to": fresh, "value": 10**18}
    )
    wait_receipts(anvil.w3, [funded])
    wait_receipts(devnet.w3, [send(devnet.w3, account(9)[1], to=fresh, value=10**18)])
    theirs, their_caller, _ = _scenario(anvil.w3)
    ours, our_caller, clearer = _scenario(devnet.w3)
    assert our_caller == their_caller  # same key, same nonces: the stacks can match
    assert ours["gasUsed"] == theirs["gasUsed"]
    assert int(ours["l1Fee"], 16) > 0  # the L2 charged its L1 fee, outside execution

    our_calls = _trace(devnet.url, ours["transactionHash"], {"tracer": "callTracer"})
    their_calls = _trace(anvil.url, theirs["transactionHash"], {"tracer": "callTracer"})
    assert our_calls == their_calls
    assert [call["type"] for call in our_calls["calls"]] == [
        "CALL",
        "STATICCALL",
        "DELEGATECALL",
        "CREATE",
    ]
    assert our_calls["calls"][1]["revertReason"] == "no"

    (create,) = _creates(our_calls)
    for options in ({}, {"enableMemory": True}):
        our_logs = _trace(devnet.url, ours["transactionHash"], options)
        their_logs = _trace(anvil.url, theirs["transactionHash"], options)
        for field in ("gas", "failed", "returnValue"):
            assert our_logs[field] == their_logs[field], field
        assert len(our_logs["structLogs"]) > 80
        _assert_same_steps(our_logs["structLogs"], their_logs["structLogs"], int(create["gas"], 16))
        ops = {log["op"] for log in our_logs["structLogs"]}
        assert {"SLOAD", "SSTORE", "LOG1", "REVERT", "CREATE", "DELEGATECALL"} <= ops

    call = {"from": fresh, "to": our_caller, "value": "0x5", "gas": hex(CALL_GAS)}
    our_call = rpc(devnet.url, "debug_traceCall", [call, "latest", {"tracer": "callTracer"}])
    their_call = rpc(anvil.url, "debug_traceCall", [call, "latest", {"tracer": "callTracer"}])
    assert our_call["result"] == their_call["result"]

    # A call with a state override: the overridden slot is the call's starting state (geth and
    # anvil price the SSTORE that clears it as a clear, with its refund); the precompile frame
    # is in the tree; an empty output is left out.
    call = {"from": fresh, "to": clearer, "gas": hex(100_000)}
    overrides = {clearer: {"stateDiff": {"0x" + "00" * 32: "0x" + "00" * 31 + "01"}}}
    traces = []
    for url in (devnet.url, anvil.url):
        options = {"stateOverrides": overrides}
        logs = rpc(url, "debug_traceCall", [call, "latest", options])["result"]
        tree = rpc(url, "debug_traceCall", [call, "latest", {**options, "tracer": "callTracer"}])
        estimate = rpc(url, "eth_estimateGas", [call, "latest", overrides])["result"]
        traces.append((logs, tree["result"], estimate))
    (our_logs, our_tree, our_estimate), (their_logs, their_tree, their_estimate) = traces
    assert our_tree == their_tree and "output" not in our_tree
    assert our_tree["calls"][0]["to"] == "0x" + "00" * 19 + "04"
    assert our_logs["gas"] == their_logs["gas"] and our_estimate == their_estimate
    _assert_same_steps(our_logs["structLogs"], their_logs["structLogs"], 0)
    assert our_logs["structLogs"][-1]["refund"] == 4_800  # the clear's refund


def _assert_same_steps(ours: list[dict], theirs: list[dict], create_gas: int) -> None:
    """Struct logs equal field by field; a CREATE's gasCost is anvil's less the callee's gas."""
    assert len(ours) == len(theirs)
    fields = ("op", "pc", "gas", "depth", "stack", "storage", "memory")
    for index, (our, their) in enumerate(zip(ours, theirs, strict=True)):
        for field in fields:
            assert our.get(field) == their.get(field), (index, our, their)
        # geth omits a zero refund counter; anvil writes it.
        assert our.get("refund", 0) == their.get("refund", 0), (index, our, their)
        if our["op"] in ("CREATE", "CREATE2"):
            assert their["gasCost"] == our["gasCost"] + create_gas
        else:
            assert our["gasCost"] == their["gasCost"], (index, our, their)


def test_trace_block_with_its_deposit(devnet) -> None:  # noqa: ANN001
    w3: Web3 = devnet.w3
    receipt = wait_receipts(w3, [send(w3, account(8)[1], to=account(7)[0], value=1)])[0]
    number = receipt["blockNumber"]
    block = w3.eth.get_block(number)
    traces = rpc(devnet.url, "debug_traceBlockByNumber", [hex(number)])["result"]
    assert [t["txHash"] for t in traces] == ["0x" + bytes(h).hex() for h in block["transactions"]]
    deposit = traces[0]["result"]  # every L2 block opens with its L1-info deposit
    assert not deposit["failed"] and deposit["structLogs"][0]["depth"] == 1
    calls = rpc(
        devnet.url,
        "debug_traceBlockByHash",
        ["0x" + bytes(block["hash"]).hex(), {"tracer": "callTracer"}],
    )["result"]
    assert calls[0]["result"]["from"] == "0x" + L1_INFO_DEPOSITOR.hex()
    assert calls[0]["result"]["to"] == "0x" + L1_BLOCK.hex()
    transfer = calls[receipt["transactionIndex"]]["result"]
    assert transfer["gasUsed"] == hex(receipt["gasUsed"]) == hex(21_000)
    assert "calls" not in transfer


def test_hostile_trace_requests_get_clear_errors(devnet) -> None:  # noqa: ANN001
    url = devnet.url
    missing = "0x" + "ab" * 32
    assert rpc_error(url, "debug_traceTransaction", [missing])["code"] == -32000
    bad_tracer = rpc_error(url, "debug_traceTransaction", [missing, {"tracer": "jsTracer"}])
    assert bad_tracer["code"] == -32602 and "callTracer" in bad_tracer["message"]
    assert rpc_error(url, "debug_traceTransaction", [missing, []])["code"] == -32602
    assert rpc_error(url, "debug_traceBlockByNumber", ["0xffffff"])["code"] == -32000
    assert rpc_error(url, "debug_traceBlockByHash", [missing])["code"] == -32000
    loop = b"\x5b" + push(0) + b"\x56"  # JUMPDEST; JUMP(0)
    loop_address = wait_receipts(
        devnet.w3, [send(devnet.w3, account(1)[1], data=init_code(loop), gas=200_000)]
    )[0]["contractAddress"]
    # At the gas cap the loop is stopped by the step bound (or the deadline), never -32603.
    stopped = rpc_error(url, "debug_traceCall", [{"to": loop_address}, "latest"])
    assert stopped["code"] == -32005, stopped
    assert "rpc_max_trace_steps" in stopped["message"] or "rpc_evm_timeout" in stopped["message"]
    # geth's ``limit`` stops recording, not executing: the gas runs out, 5 steps are shown.
    short = {"to": loop_address, "gas": hex(31_000)}
    limited = rpc(url, "debug_traceCall", [short, "latest", {"limit": 5}])["result"]
    assert len(limited["structLogs"]) == 5 and limited["failed"] and limited["gas"] == 31_000
    creation = {"from": account(1)[0], "data": "0x" + init_code(counter_code()).hex()}
    created = rpc(url, "debug_traceCall", [creation, "latest", {"tracer": "callTracer"}])
    assert created["result"]["type"] == "CREATE"
    assert created["result"]["output"] == "0x" + counter_code().hex()
