"""``eth_call`` (block tags, EIP-1898 references, state overrides, reverts) and gas estimates."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address
from web3.exceptions import ContractLogicError

from rollup_node.contracts import load_artifact
from rollup_node.protocol.predeploys import GAS_PRICE_ORACLE, L1_BLOCK
from tests.integration.helpers import (
    BALANCE_READER_CODE,
    SLOT0_READER_CODE,
    account,
    deploy,
    error_string,
    init_code,
    logger_code,
    reverter_code,
    rpc,
    rpc_error,
    send,
    wait_receipts,
)

ORACLE = to_checksum_address(GAS_PRICE_ORACLE)
SCRATCH = to_checksum_address("0x" + "c0de" * 10)


@pytest.fixture(scope="module")
def oracle(devnet):  # noqa: ANN001, ANN201 - web3 contract
    return devnet.w3.eth.contract(ORACLE, abi=load_artifact("GasPriceOracle").abi)


def test_call_reads_state_at_the_tagged_block(devnet, oracle) -> None:
    w3 = devnet.w3
    anchor_base_fee = devnet.node.rollup.genesis_l1.base_fee
    assert oracle.functions.l1BaseFee().call(block_identifier="earliest") == anchor_base_fee
    assert oracle.functions.l1BaseFee().call(block_identifier=0) == anchor_base_fee
    head = w3.eth.get_block("latest")
    at_head = int.from_bytes(
        w3.eth.get_storage_at(to_checksum_address(L1_BLOCK), 2, head["number"]), "big"
    )
    assert oracle.functions.l1BaseFee().call(block_identifier=head["number"]) == at_head
    assert oracle.functions.l1BaseFee().call(block_identifier=head["hash"]) == at_head
    assert oracle.functions.overhead().call(block_identifier="pending") == 188
    assert oracle.functions.scalar().call(block_identifier="safe") == 1_000_000

    call = {"to": ORACLE, "data": oracle.encode_abi("l1BaseFee")}
    by_hash = rpc(devnet.url, "eth_call", [call, {"blockHash": "0x" + head["hash"].hex()}])
    assert int(by_hash["result"], 16) == at_head
    by_number = rpc(devnet.url, "eth_call", [call, {"blockNumber": "0x0"}])
    assert int(by_number["result"], 16) == anchor_base_fee
    unknown = rpc_error(devnet.url, "eth_call", [call, {"blockHash": "0x" + "11" * 32}])
    assert unknown["code"] == -32000 and "not found" in unknown["message"]
    future = rpc_error(devnet.url, "eth_call", [call, hex(head["number"] + 1000)])
    assert future == {"code": -32000, "message": "header not found"}


def test_state_overrides_code_storage_and_balance(devnet) -> None:
    w3 = devnet.w3
    word = (0xABCDEF).to_bytes(32, "big")
    override = {
        SCRATCH: {
            "code": "0x" + SLOT0_READER_CODE.hex(),
            "stateDiff": {"0x" + "00" * 32: "0x" + word.hex()},
        }
    }
    assert w3.eth.call({"to": SCRATCH}, "latest", override) == word
    replaced = {
        SCRATCH: {
            "code": "0x" + SLOT0_READER_CODE.hex(),
            "state": {"0x" + "00" * 31 + "01": "0x" + word.hex()},
        }
    }
    assert w3.eth.call({"to": SCRATCH}, "latest", replaced) == b"\x00" * 32
    assert w3.eth.get_code(SCRATCH) == b""  # overrides never touch the chain

    rich = to_checksum_address("0x" + "99" * 20)
    balance_override = {
        SCRATCH: {"code": "0x" + BALANCE_READER_CODE.hex()},
        rich: {"balance": hex(12345)},
    }
    query = {"to": SCRATCH, "data": "0x" + bytes.fromhex(rich[2:]).rjust(32, b"\x00").hex()}
    assert int.from_bytes(w3.eth.call(query, "latest", balance_override), "big") == 12345
    assert (
        int.from_bytes(w3.eth.call(query, "latest", {SCRATCH: balance_override[SCRATCH]}), "big")
        == 0
    )


def test_revert_is_code_3_with_the_revert_data(devnet) -> None:
    w3 = devnet.w3
    revert_data = error_string("boom")
    override = {SCRATCH: {"code": "0x" + reverter_code(revert_data).hex()}}
    error = rpc_error(devnet.url, "eth_call", [{"to": SCRATCH}, "latest", override])
    assert error == {
        "code": 3,
        "message": "execution reverted: boom",
        "data": "0x" + revert_data.hex(),
    }
    with pytest.raises(ContractLogicError) as raised:
        w3.eth.call({"to": SCRATCH}, "latest", override)
    assert raised.value.data == "0x" + revert_data.hex()

    # Raw revert data that is no Error(string) still comes back whole.
    _, key = account(3)
    custom = bytes.fromhex("deadbeef") + b"\x07" * 32
    reverter = deploy(w3, key, reverter_code(custom))
    error = rpc_error(devnet.url, "eth_call", [{"to": reverter}])
    assert error == {"code": 3, "message": "execution reverted", "data": "0x" + custom.hex()}
    estimate = rpc_error(devnet.url, "eth_estimateGas", [{"to": reverter}])
    assert estimate["code"] == 3 and estimate["data"] == "0x" + custom.hex()


def test_estimate_gas_is_the_least_gas_that_succeeds(devnet) -> None:
    w3 = devnet.w3
    sender, key = account(4)
    assert w3.eth.estimate_gas({"from": sender, "to": SCRATCH, "value": 1}) == 21_000
    logger = deploy(w3, key, logger_code())
    payload = b"\x00" * 4 + b"\x42" * 60
    estimate = w3.eth.estimate_gas({"from": sender, "to": logger, "data": payload})
    assert estimate > 21_000 + 20_000  # a log and a fresh storage slot
    # The short one fails and leaves the slot fresh, so the exact one runs on the same state.
    nonce = w3.eth.get_transaction_count(sender, "pending")
    short = send(w3, key, to=logger, data=payload, gas=estimate - 1, nonce=nonce)
    exact = send(w3, key, to=logger, data=payload, gas=estimate, nonce=nonce + 1)
    short_receipt, exact_receipt = wait_receipts(w3, [short, exact])
    assert short_receipt["status"] == 0 and short_receipt["gasUsed"] == estimate - 1
    assert exact_receipt["status"] == 1 and exact_receipt["logs"]


def test_estimate_gas_for_a_creation_and_with_overrides(devnet) -> None:
    w3 = devnet.w3
    sender, key = account(6)
    code = init_code(logger_code())
    estimate = w3.eth.estimate_gas({"from": sender, "data": code})
    (receipt,) = wait_receipts(w3, [send(w3, key, data=code, gas=estimate)])
    assert receipt["status"] == 1 and receipt["gasUsed"] <= estimate
    assert w3.eth.get_code(receipt["contractAddress"]) == logger_code()

    # The reverting code exists only in the override: the estimate sees it.
    override = {SCRATCH: {"code": "0x" + reverter_code(error_string("no")).hex()}}
    error = rpc_error(devnet.url, "eth_estimateGas", [{"to": SCRATCH}, "latest", override])
    assert error["code"] == 3 and error["message"] == "execution reverted: no"
    assert w3.eth.estimate_gas({"to": SCRATCH}) == 21_000


def test_estimate_gas_errors(devnet) -> None:
    sender = account(5)[0]
    poor = to_checksum_address("0x" + "12" * 20)
    error = rpc_error(devnet.url, "eth_estimateGas", [{"from": poor, "to": sender, "value": "0x1"}])
    assert error["code"] == -32000 and "insufficient funds" in error["message"]
    assert (
        rpc(devnet.url, "eth_estimateGas", [{"from": sender, "to": poor, "value": "0x1"}])["result"]
        == "0x5208"
    )
