"""Chain-control helpers for contract tests.

Contract tests talk to their chain through web3 only. The few operations no standard JSON-RPC
method offers (moving time, mining, writing code, storage and balance as a genesis alloc does)
use the dev methods that both the project's embedded L1 and anvil serve: ``evm_mine``,
``evm_setNextBlockTimestamp``, ``evm_setAutomine``, ``anvil_setCode``, ``anvil_setStorageAt``
and ``anvil_setBalance``; transactions go through ``eth_sendTransaction`` from the chain's
unlocked accounts. So the same tests can point at anvil.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import rlp
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError

from rollup_node.contracts import load_artifact


def _dev(w3: Web3, method: str, *params: Any) -> Any:
    """Call a dev method; a JSON-RPC error raises."""
    return w3.manager.request_blocking(method, list(params))


def latest_timestamp(w3: Web3) -> int:
    """Timestamp of the latest block."""
    return w3.eth.get_block("latest")["timestamp"]


def set_next_block_timestamp(w3: Web3, timestamp: int) -> None:
    """Make ``timestamp`` the timestamp of the next block (mines one block just before it).

    Calls at ``latest`` then see ``timestamp - 1``. Later blocks follow the chain's clock: on
    the embedded L1 one second apart while ``timestamp`` is ahead of the wall clock (anvil
    gives blocks mined within the same second the same timestamp).
    """
    if timestamp - 1 > latest_timestamp(w3):
        _dev(w3, "evm_setNextBlockTimestamp", hex(timestamp - 1))
        _dev(w3, "evm_mine")
    _dev(w3, "evm_setNextBlockTimestamp", hex(timestamp))


def increase_time(w3: Web3, seconds: int) -> None:
    """Make the next block ``seconds`` later than the latest one."""
    set_next_block_timestamp(w3, latest_timestamp(w3) + seconds)


def mine_blocks(w3: Web3, count: int = 1) -> None:
    """Mine ``count`` empty blocks."""
    for _ in range(count):
        _dev(w3, "evm_mine")


@contextmanager
def one_block(w3: Web3) -> Iterator[None]:
    """Transactions sent inside the block are mined together, in one block, at its end.

    Pass ``gas`` with them: an estimate would run on the state before the block.
    """
    _dev(w3, "evm_setAutomine", False)
    try:
        yield
        _dev(w3, "evm_mine")
    finally:
        _dev(w3, "evm_setAutomine", True)


def set_account(
    w3: Web3,
    address: str,
    code: bytes | None = None,
    storage: dict[int, int] | None = None,
    balance: int | None = None,
) -> None:
    """Write code, storage slots and balance of ``address`` directly, as a genesis alloc does
    (no constructor runs); the change is visible at ``latest`` when this returns."""
    address = to_checksum_address(address)
    if code is not None:
        _dev(w3, "anvil_setCode", address, Web3.to_hex(code))
    for slot, value in (storage or {}).items():
        _dev(w3, "anvil_setStorageAt", address, hex(slot), Web3.to_hex(value.to_bytes(32, "big")))
    if balance is not None:
        _dev(w3, "anvil_setBalance", address, hex(balance))


def place_predeploy(
    w3: Web3, name: str, address: str, storage: dict[int, int] | None = None
) -> Contract:
    """Place the runtime code of artifact ``name`` at ``address`` with ``storage``."""
    artifact = load_artifact(name)
    set_account(w3, address, code=artifact.deployed_bytecode, storage=storage)
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=list(artifact.abi))


def deploy(w3: Web3, name: str, *args: Any, sender: str | None = None, value: int = 0) -> Contract:
    """Deploy artifact ``name`` with constructor ``args``; returns the bound contract."""
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
    tx_hash = factory.constructor(*args).transact(
        {"from": sender or w3.eth.accounts[0], "value": value}
    )
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1, f"deploying {name} failed"
    return w3.eth.contract(address=receipt["contractAddress"], abi=list(artifact.abi))


def revert_data(error: BaseException) -> bytes:
    """The revert data of a failed call, gas estimate or transaction, as web3 raised it."""
    if isinstance(error, ContractCustomError | ContractLogicError):
        data = error.data
        if isinstance(data, str) and data.startswith("0x"):
            return bytes.fromhex(data[2:])
    raise AssertionError(f"no revert data in {error!r}")


@contextmanager
def reverts(signature: str) -> Iterator[None]:
    """Expect the block to revert with the custom error ``signature``, e.g.
    ``"OnlyDepositor(address)"`` (its 4-byte selector is compared)."""
    selector = keccak(text=signature)[:4]
    try:
        yield
    except (ContractCustomError, ContractLogicError) as error:
        data = revert_data(error)
        assert data[:4] == selector, f"reverted with {data.hex()}, expected {signature}"
        return
    raise AssertionError(f"expected a revert with {signature}")


def forwarder_code(target: str) -> bytes:
    """Creation code of a minimal contract that forwards its calldata and value to ``target``
    and returns or reverts with the callee's return data (a contract sender for tests)."""
    runtime = (
        bytes.fromhex("3660006000376000600036600034")
        + b"\x73"
        + bytes.fromhex(target[2:])
        + bytes.fromhex("5af13d600060003e603257")
        + bytes.fromhex("3d6000fd5b3d6000f3")
    )
    init = bytes([0x60, len(runtime), 0x80, 0x60, 0x0B, 0x60, 0x00, 0x39, 0x60, 0x00, 0xF3])
    return init + runtime


def deploy_forwarder(w3: Web3, target: str) -> str:
    """Deploy a forwarder to ``target`` (see ``forwarder_code``); returns its address."""
    tx_hash = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": forwarder_code(target)})
    return w3.eth.wait_for_transaction_receipt(tx_hash)["contractAddress"]


def transact(w3: Web3, call: Any, sender: str, value: int = 0, gas: int | None = None) -> Any:
    """Send the bound contract ``call`` from ``sender`` and return its successful receipt.

    Without ``gas`` the node estimates it for the pending block (the one the transaction goes
    into: its number and timestamp), so a revert raises here with its data. Pass ``gas`` for
    calls that succeed with too little gas in a way that matters (a relay that records a
    failure instead of reverting)."""
    params: dict[str, Any] = {"from": sender, "value": value}
    params["gas"] = gas if gas is not None else call.estimate_gas(params, "pending")
    receipt = w3.eth.wait_for_transaction_receipt(call.transact(params))
    assert receipt["status"] == 1
    return receipt


def create_address(sender: str, nonce: int) -> str:
    """The address a CREATE from ``sender`` with ``nonce`` deploys to."""
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def next_create_address(w3: Web3, sender: str, later: int = 0) -> str:
    """The address of ``sender``'s contract creation ``later`` transactions from now."""
    return create_address(sender, w3.eth.get_transaction_count(sender) + later)
