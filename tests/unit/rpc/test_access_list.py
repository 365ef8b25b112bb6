"""``eth_createAccessList`` (rpc/access_list.py, chain/access_list.py) through web3.py against the
real embedded L1 served by the node's RPC server: a contract that reads another contract's
storage, looks at an account's balance, the sender's and a precompile; the list has geth's
content (the other contract's slot, the recipient's own slot, the looked-at account; no sender,
no precompile) and its gasUsed is what the transaction then uses with that list on chain.
"""

from __future__ import annotations

from typing import Any

from eth._utils.address import generate_contract_address
from eth_utils import to_checksum_address
from web3 import Web3

from rollup_node.chain.access_list import AccessRecorder, create_access_list
from rollup_node.chain.queries import CallRequest

LOOKED_AT = bytes.fromhex("77" * 20)
IDENTITY_PRECOMPILE = (4).to_bytes(20, "big")


def initcode(runtime: str) -> str:
    """Init code returning ``runtime`` (hex, < 256 bytes) as the contract's code."""
    size = len(runtime) // 2
    return f"0x60{size:02x}80600b6000396000f3{runtime}"


# Returns its storage slot 0.
STORE_RUNTIME = "60005460005260206000f3"
# Reads its slot 0, then reverts.
REVERT_RUNTIME = "600054506000" + "6000fd"


def reader_runtime(store: bytes) -> str:
    """STATICCALL ``store`` (its slot 0 comes back), SSTORE the value into own slot 1, BALANCE
    of LOOKED_AT, BALANCE of CALLER, STATICCALL the identity precompile, STOP."""
    return (
        "6020" "6000" "6000" "6000" "73" + store.hex() + "5a" "fa" "50"  # staticcall(store)
        "6000" "51" "6001" "55"  # sstore(1, mload(0))
        "73" + LOOKED_AT.hex() + "31" "50"  # balance(LOOKED_AT)
        "33" "31" "50"  # balance(caller)
        "6000" "6000" "6000" "6000" "6004" "5a" "fa" "50"  # staticcall(identity)
        "00"
    )  # fmt: skip


def deploy(w3: Web3, runtime: str) -> str:
    sender = w3.eth.accounts[0]
    tx_hash = w3.eth.send_transaction({"from": sender, "data": initcode(runtime)})
    return w3.eth.wait_for_transaction_receipt(tx_hash)["contractAddress"]


def as_sets(access_list: list[Any]) -> dict[str, set[int]]:
    return {
        entry["address"].lower(): {int(Web3.to_hex(hexstr=k), 16) for k in entry["storageKeys"]}
        for entry in access_list
    }


def test_access_list_of_a_call_reading_another_contracts_storage(evm_w3: Web3) -> None:
    w3 = evm_w3
    sender = w3.eth.accounts[1]
    store = deploy(w3, STORE_RUNTIME)
    w3.provider.make_request("anvil_setStorageAt", [store, "0x0", "0x" + "00" * 31 + "2a"])
    reader = deploy(w3, reader_runtime(bytes.fromhex(store[2:])))

    result = w3.eth.create_access_list({"from": sender, "to": reader})

    assert as_sets(result["accessList"]) == {
        store.lower(): {0},  # the other contract's storage, read by its SLOAD
        reader.lower(): {1},  # the recipient is excluded as an address, not its slots
        "0x" + LOOKED_AT.hex(): set(),
    }  # neither the sender (BALANCE(CALLER)) nor the identity precompile
    assert "error" not in result
    # geth's meaning of gasUsed: what the transaction uses once it carries that list.
    tx = {
        "from": sender,
        "to": reader,
        "accessList": result["accessList"],
        "gas": result["gasUsed"] + 50_000,
    }
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx))
    assert receipt["status"] == 1
    assert receipt["gasUsed"] == result["gasUsed"]
    assert w3.eth.get_storage_at(reader, 1) == (42).to_bytes(32, "big")


def test_a_reverting_call_reports_the_error_and_still_lists_what_it_touched(
    evm_w3: Web3,
) -> None:
    w3 = evm_w3
    reverts = deploy(w3, REVERT_RUNTIME)
    answer = w3.provider.make_request(
        "eth_createAccessList", [{"from": w3.eth.accounts[0], "to": reverts}, "latest"]
    )
    result = answer["result"]
    assert result["error"] == "execution reverted"
    assert result["accessList"] == [{"address": reverts.lower(), "storageKeys": ["0x" + "00" * 32]}]
    assert int(result["gasUsed"], 16) > 21_000


def test_given_entries_are_kept_and_an_excluded_address_keeps_only_its_slots(
    evm_w3: Web3,
) -> None:
    w3 = evm_w3
    sender = w3.eth.accounts[0]
    store = deploy(w3, STORE_RUNTIME)
    given = [
        {"address": to_checksum_address("0x" + "55" * 20), "storageKeys": []},
        {"address": sender, "storageKeys": ["0x" + "00" * 31 + "07"]},
    ]
    result = w3.eth.create_access_list({"from": sender, "to": store, "accessList": given})
    assert as_sets(result["accessList"]) == {
        "0x" + "55" * 20: set(),
        sender.lower(): {7},
        store.lower(): {0},
    }


def test_a_creation_lists_the_new_contracts_slots_but_not_the_contract(evm_w3: Web3) -> None:
    w3 = evm_w3
    sender = w3.eth.accounts[2]
    created = generate_contract_address(
        bytes.fromhex(sender[2:]), w3.eth.get_transaction_count(sender)
    )
    init = "0x" + "6005545000"  # SLOAD(5) of the contract being created, no code
    result = w3.eth.create_access_list({"from": sender, "data": init})
    assert as_sets(result["accessList"]) == {"0x" + created.hex(): {5}}


def test_unknown_block_and_bad_request_are_errors(evm_w3: Web3) -> None:
    w3 = evm_w3
    beyond = w3.provider.make_request("eth_createAccessList", [{"to": "0x" + "11" * 20}, "0x999"])
    assert beyond["error"]["message"] == "header not found"
    bad = w3.provider.make_request("eth_createAccessList", [{"to": "0x1234"}])
    assert bad["error"]["code"] == -32602


def test_the_list_is_run_again_until_it_is_stable() -> None:
    """A path that opens only once the first run's accesses are warm (more gas left) is found
    by the second run; the third finds nothing new and ends the search."""
    first, second = b"\x01" * 20, b"\x02" * 20
    runs: list[tuple] = []

    def execute(request: CallRequest, observer: AccessRecorder) -> tuple[bool, bytes, int, str]:
        runs.append(request.access_list)
        state = _State()
        observer.before(state)
        state.is_storage_warm(first, 1)
        if request.access_list:  # warm start: enough gas for the second contract
            state.is_storage_warm(second, 2)
        observer.after(_Computation(refund=10_000))
        return True, b"", 30_000, ""

    result = create_access_list(execute, CallRequest(sender=b"\x09" * 20), [b"\x09" * 20])
    assert runs == [(), ((first, (1,)),), ((first, (1,)), (second, (2,)))]
    assert result.access_list == ((first, (1,)), (second, (2,)))
    assert result.gas_used == 30_000 - 30_000 // 5  # the refund, capped at a fifth
    assert result.error is None


class _State:
    """Answers the two warmth questions py-evm's opcodes ask (everything cold)."""

    def is_address_warm(self, address: bytes) -> bool:
        return False

    def is_storage_warm(self, address: bytes, slot: int) -> bool:
        return False


class _Computation:
    def __init__(self, refund: int) -> None:
        self._refund = refund

    def get_gas_refund(self) -> int:
        return self._refund
