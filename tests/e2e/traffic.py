"""Mixed traffic for the end-to-end suites: what many wallets and an L1 depositor send at once.

``Sender`` is one L2 account run by one thread: it signs with its own nonce counter and sends,
at random moments, legacy / access-list / dynamic-fee transactions of every kind a rollup sees
(ETH transfers, contract creations, creations and calls that revert, calls that run out of gas,
storage churn — set, overwrite, clear — log emitters, ERC20 mints and transfers, withdrawals on
the L2ToL1MessagePasser, precompile calls, contracts destroyed by their own creation), plus
submissions the sequencer must refuse (nonce too low, fee below the base fee, ...). Every
accepted transaction is recorded with the status its receipt must have, every refused one with
the reason the RPC error must name, so a test can check that the traffic really landed as
intended. ``send_deposits`` enqueues L1 → L2 deposits through the CTC meanwhile: plain mints,
calls with calldata, a creation, a withdrawal started by a deposit, and deposits that fail on
L2 (a revert, out of gas).

Choices are drawn from a seed; what each transaction does is fixed by its sender's own earlier
transactions (nonce order), never by another thread's timing, so the expected statuses hold
whatever order the sequencer interleaves the senders in.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import requests
import rlp
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_hash.auto import keccak
from web3 import Web3

from rollup_node.contracts import load_artifact
from rollup_node.protocol.predeploys import L2_TO_L1_MESSAGE_PASSER
from tests.e2e.rollup_helpers import enqueue_deposit
from tests.integration.helpers import init_code, logger_code, push, reverter_code
from tests.node_harness import RunningNode

GWEI = 10**9
MESSAGE_PASSER = Web3.to_checksum_address(L2_TO_L1_MESSAGE_PASSER)

#: Runtime: SSTORE(calldata word 0, calldata word 1) — slot, value.
CHURN_CODE = push(32) + b"\x35" + push(0) + b"\x35" + b"\x55\x00"

#: topic0 of ERC20 ``Transfer`` and of the message passer's ``MessagePassed``.
TRANSFER_TOPIC = "0x" + keccak(b"Transfer(address,address,uint256)").hex()
MESSAGE_PASSED = b"MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)"
MESSAGE_PASSED_TOPIC = "0x" + keccak(MESSAGE_PASSED).hex()

#: Init code that destroys the contract it is creating (EIP-6780: the account is removed).
CREATE_DESTROY_CODE = b"\x33\xff"  # SELFDESTRUCT(CALLER)

#: Precompiles that succeed on any input: ecrecover, sha256, ripemd160, identity.
TOLERANT_PRECOMPILES = (1, 2, 3, 4)

#: A token amount above anything ever minted: a transfer of it always reverts.
TOKEN_OVERDRAFT = 10**30


def selector(signature: str) -> bytes:
    """The 4-byte function selector of ``signature``."""
    return keccak(signature.encode())[:4]


def call_data(signature: str, types: list[str], args: list[Any]) -> bytes:
    """ABI calldata of ``signature(args)``."""
    return selector(signature) + abi_encode(types, args)


def withdrawal_call(target: str, gas_limit: int, data: bytes) -> bytes:
    """``L2ToL1MessagePasser.initiateWithdrawal(target, gasLimit, data)`` calldata."""
    return call_data(
        "initiateWithdrawal(address,uint256,bytes)",
        ["address", "uint256", "bytes"],
        [target, gas_limit, data],
    )


def intrinsic_gas(data: bytes, creation: bool = False, access_list: Iterable[dict] = ()) -> int:
    """Cancun's intrinsic gas (also the CTC's ``intrinsicGas`` for deposits, which carry no
    access list)."""
    gas = 21_000 + sum(4 if byte == 0 else 16 for byte in data)
    if creation:
        gas += 32_000 + 2 * ((len(data) + 31) // 32)
    for entry in access_list:
        gas += 2_400 + 1_900 * len(entry["storageKeys"])
    return gas


def contract_address(sender: str, nonce: int) -> str:
    """The address a CREATE by ``sender`` at ``nonce`` deploys to."""
    raw = keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:]
    return Web3.to_checksum_address(raw)


def rpc_batch(url: str, calls: list[tuple[str, list[Any]]], chunk: int = 100) -> list[Any]:
    """The results of ``calls`` as JSON-RPC batches of ``chunk``; an error fails loudly."""
    out: list[Any] = []
    for start in range(0, len(calls), chunk):
        part = calls[start : start + chunk]
        body = [
            {"jsonrpc": "2.0", "id": i, "method": method, "params": params}
            for i, (method, params) in enumerate(part)
        ]
        answers = {a["id"]: a for a in requests.post(url, json=body, timeout=60).json()}
        for i, (method, _) in enumerate(part):
            answer = answers[i]
            assert "error" not in answer, f"{method}: {answer['error']}"
            out.append(answer["result"])
    return out


@dataclass(frozen=True, slots=True)
class Submitted:
    """An accepted L2 transaction and what its receipt must say."""

    tx_hash: str
    sender: str
    action: str
    tx_type: int
    access_list: bool
    expected_status: int


@dataclass(frozen=True, slots=True)
class Refused:
    """A submission the sequencer refused: the reason it had to name and what it said."""

    tx_hash: str
    action: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class SenderContracts:
    """The contracts a sender deploys before its traffic starts."""

    token: str  # a MintableERC20 whose bridge is the sender, so it can mint
    churn: str
    logger: str
    reverter: str


class Sender:
    """One L2 account's traffic (one thread): its nonce counter, its contracts, seeded actions."""

    ACTIONS = (
        ("transfer", 6),
        ("deploy", 2),
        ("revert_create", 1),
        ("churn", 6),
        ("log", 2),
        ("revert_call", 2),
        ("out_of_gas", 1),
        ("token_transfer", 4),
        ("token_mint", 2),
        ("token_approve_spend", 1),
        ("token_overdraft", 1),
        ("token_foreign_mint", 1),
        ("withdraw", 3),
        ("precompile", 1),
        ("create_destroy", 1),
        ("refused", 2),
    )

    def __init__(self, url: str, chain_id: int, key: str, seed: int) -> None:
        self.w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 30}))
        self.chain_id = chain_id
        self.key = key
        self.address = Account.from_key(key).address
        self.rng = random.Random(seed)
        self.nonce = self.w3.eth.get_transaction_count(self.address, "pending")
        self.contracts: SenderContracts | None = None
        self.peers: list[Sender] = []
        self.submitted: list[Submitted] = []
        self.refused: list[Refused] = []
        self._actions = [name for name, _ in self.ACTIONS]
        self._weights = [weight for _, weight in self.ACTIONS]

    # --- signing and sending ------------------------------------------------------------
    def _sign(
        self,
        to: str | None,
        data: bytes,
        value: int,
        gas: int,
        tx_type: int,
        access_list: list[dict] | None,
        nonce: int,
        fee_wei: int | None = None,
    ) -> bytes:
        tx: dict[str, Any] = {
            "chainId": self.chain_id,
            "nonce": nonce,
            "value": value,
            "data": data,
            "gas": gas,
        }
        if to is not None:
            tx["to"] = to
        fee = 3 * GWEI if fee_wei is None else fee_wei
        if tx_type == 2:
            tx["type"] = 2
            tx["maxFeePerGas"] = fee
            tx["maxPriorityFeePerGas"] = min(fee, self.rng.choice([0, 10**6, 10**8]))
        else:
            tx["gasPrice"] = fee
            if tx_type == 1:
                tx["type"] = 1
        if access_list is not None:
            tx["accessList"] = access_list
        return bytes(Account.sign_transaction(tx, self.key).raw_transaction)

    def _submit_raw(self, raw: bytes) -> dict[str, Any]:
        return self.w3.provider.make_request("eth_sendRawTransaction", ["0x" + raw.hex()])

    def send(
        self,
        action: str,
        to: str | None,
        data: bytes = b"",
        value: int = 0,
        extra_gas: int = 100_000,
        expected_status: int = 1,
        access_slots: list[int] | None = None,
        tx_type: int | None = None,
    ) -> Submitted:
        """Sign and submit a transaction with ``extra_gas`` above its intrinsic gas; the type
        is drawn unless given, and an access list (``to`` and ``access_slots``, sometimes a
        slot it never touches) goes with typed transactions when ``access_slots`` is given."""
        rng = self.rng
        kind = rng.choice([0, 1, 2, 2]) if tx_type is None else tx_type
        access_list = None
        if kind != 0 and access_slots is not None and to is not None and rng.random() < 0.7:
            slots = list(access_slots) + ([rng.getrandbits(64)] if rng.random() < 0.3 else [])
            keys = ["0x" + slot.to_bytes(32, "big").hex() for slot in slots]
            access_list = [{"address": to, "storageKeys": keys}]
        gas = intrinsic_gas(data, to is None, access_list or ()) + extra_gas
        raw = self._sign(to, data, value, gas, kind, access_list, self.nonce)
        answer = self._submit_raw(raw)
        if "error" in answer:
            raise AssertionError(f"{action} from {self.address} refused: {answer['error']}")
        self.nonce += 1
        sent = Submitted(
            answer["result"], self.address, action, kind, access_list is not None, expected_status
        )
        self.submitted.append(sent)
        return sent

    def refuse(self, action: str, reason: str, raw: bytes) -> Refused:
        """Submit ``raw`` expecting the sequencer to refuse it for ``reason``."""
        answer = self._submit_raw(raw)
        message = answer.get("error", {}).get("message", f"accepted: {answer.get('result')}")
        refused = Refused("0x" + keccak(raw).hex(), action, reason, message)
        self.refused.append(refused)
        return refused

    # --- the traffic --------------------------------------------------------------------
    def deploy_contracts(self) -> list[Submitted]:
        """Deploy this sender's token, churn, logger and reverter; mint itself tokens."""
        token_artifact = load_artifact("MintableERC20")
        token_args = abi_encode(
            ["address", "address", "string", "string", "uint8"],
            [self.address, "0x" + "11" * 20, "Traffic", "TRF", 18],
        )
        deployments = [
            ("deploy_token", token_artifact.bytecode + token_args, 2_500_000),
            ("deploy_churn", init_code(CHURN_CODE), 100_000),
            ("deploy_logger", init_code(logger_code()), 100_000),
            ("deploy_reverter", init_code(reverter_code(b"no")), 100_000),
        ]
        addresses = []
        sent = []
        for action, code, gas in deployments:
            addresses.append(contract_address(self.address, self.nonce))
            sent.append(self.send(action, None, code, extra_gas=gas))
        self.contracts = SenderContracts(*addresses)
        mint = call_data("mint(address,uint256)", ["address", "uint256"], [self.address, 10**24])
        sent.append(self.send("token_mint", self.contracts.token, mint, extra_gas=100_000))
        return sent

    def step(self) -> None:
        """One random action."""
        rng = self.rng
        contracts = self.contracts
        assert contracts is not None, "deploy_contracts first"
        action = rng.choices(self._actions, self._weights)[0]
        anyone = Web3.to_checksum_address(rng.randbytes(20))
        peer = rng.choice(self.peers) if self.peers else self
        if action == "transfer":
            to = rng.choice([anyone, peer.address])
            self.send(action, to, value=rng.randint(1, 10**17), extra_gas=0)
        elif action == "deploy":
            code = rng.choice([CHURN_CODE, logger_code()])
            self.send(action, None, init_code(code), value=rng.choice([0, 7]), extra_gas=80_000)
        elif action == "revert_create":
            self.send(action, None, reverter_code(rng.randbytes(8)), expected_status=0)
        elif action == "churn":
            slot = rng.randint(0, 7)
            value = rng.choice([0, 1, rng.getrandbits(256)])
            data = slot.to_bytes(32, "big") + value.to_bytes(32, "big")
            target = rng.choice([contracts.churn, peer.contracts.churn])  # type: ignore[union-attr]
            self.send(action, target, data, extra_gas=50_000, access_slots=[slot])
        elif action == "log":
            self.send(
                action, contracts.logger, rng.randbytes(rng.randint(0, 96)), 0, 60_000, 1, [0]
            )
        elif action == "revert_call":
            self.send(action, contracts.reverter, rng.randbytes(4), rng.choice([0, 3]), 30_000, 0)
        elif action == "out_of_gas":
            # a fresh non-zero value costs at least 2,900 gas to store (5,000 if the slot is
            # cold): with 2,500 gas above intrinsic, the call always runs out of gas
            data = rng.randint(0, 7).to_bytes(32, "big") + rng.randbytes(32)
            self.send(action, contracts.churn, data, extra_gas=2_500, expected_status=0)
        elif action in ("token_transfer", "token_overdraft"):
            amount = rng.randint(1, 10**18) if action == "token_transfer" else TOKEN_OVERDRAFT
            data = call_data(
                "transfer(address,uint256)", ["address", "uint256"], [peer.address, amount]
            )
            status = int(action == "token_transfer")
            self.send(action, contracts.token, data, extra_gas=60_000, expected_status=status)
        elif action == "token_mint":
            data = call_data(
                "mint(address,uint256)", ["address", "uint256"], [anyone, rng.randint(1, 10**18)]
            )
            self.send(action, contracts.token, data, extra_gas=80_000)
        elif action == "token_approve_spend":
            amount = rng.randint(1, 10**18)
            approve = call_data(
                "approve(address,uint256)", ["address", "uint256"], [self.address, amount]
            )
            self.send("token_approve", contracts.token, approve, extra_gas=50_000)
            spend = call_data(
                "transferFrom(address,address,uint256)",
                ["address", "address", "uint256"],
                [self.address, anyone, amount],
            )
            self.send("token_transfer_from", contracts.token, spend, extra_gas=80_000)
        elif action == "token_foreign_mint" and peer is not self:
            data = call_data("mint(address,uint256)", ["address", "uint256"], [self.address, 1])
            token = peer.contracts.token  # type: ignore[union-attr]
            self.send(action, token, data, extra_gas=50_000, expected_status=0)
        elif action == "withdraw":
            data = withdrawal_call(
                anyone, rng.randint(0, 200_000), rng.randbytes(rng.randint(0, 64))
            )
            self.send(action, MESSAGE_PASSER, data, rng.choice([0, 10**12, 10**15]), 120_000)
        elif action == "precompile":
            address = Web3.to_checksum_address(rng.choice(TOLERANT_PRECOMPILES).to_bytes(20, "big"))
            self.send(action, address, rng.randbytes(rng.randint(0, 200)), extra_gas=20_000)
        elif action == "create_destroy":
            self.send(action, None, CREATE_DESTROY_CODE, value=rng.choice([0, 5]), extra_gas=30_000)
        elif action == "refused":
            self.submit_refused()

    REFUSALS = ("nonce", "fee", "legacy_fee", "gap", "funds", "intrinsic")

    def submit_refused(self) -> None:
        """The next of ``REFUSALS``, a submission the sequencer must refuse (no nonce used)."""
        rng = self.rng
        to = Web3.to_checksum_address(rng.randbytes(20))
        choice = self.REFUSALS[len(self.refused) % len(self.REFUSALS)]
        nonce = self.nonce
        if choice == "nonce":  # an earlier nonce, with other contents than what used it
            raw = self._sign(to, b"", 5, 21_000, 2, None, rng.randrange(self.nonce))
            self.refuse("nonce_too_low", "nonce too low", raw)
        elif choice in ("fee", "legacy_fee"):  # the base fee never falls to zero
            raw = self._sign(to, b"", 1, 21_000, 2 if choice == "fee" else 0, None, nonce, 0)
            self.refuse("fee_too_low", "max fee per gas less than block base fee", raw)
        elif choice == "gap":
            raw = self._sign(to, b"", 1, 21_000, 2, None, nonce + 3)
            self.refuse("nonce_gap", "nonce too high", raw)
        elif choice == "funds":
            raw = self._sign(to, b"", 10**30, 21_000, 2, None, nonce)
            self.refuse("insufficient_funds", "insufficient funds", raw)
        else:
            raw = self._sign(to, b"", 1, 20_000, 0, None, nonce)
            self.refuse("intrinsic_gas", "intrinsic gas too low", raw)

    def run(self, until: Callable[[], bool], pause_seconds: tuple[float, float]) -> None:
        """Act at random intervals until ``until()``."""
        while not until():
            self.step()
            time.sleep(self.rng.uniform(*pause_seconds))


@dataclass(frozen=True, slots=True)
class DepositSent:
    """An enqueued deposit and what its L2 receipt must say."""

    kind: str
    to: str | None
    mint_wei: int
    gas: int
    data: bytes
    creation: bool
    expected_status: int
    l1_block: int


def plan_deposit(i: int, contracts: SenderContracts, rng: random.Random) -> DepositSent:
    """The ``i``-th deposit of the mix (its ``mint_wei`` is unique, to find it on L2)."""
    kinds = ["mint", "call", "withdraw", "create", "revert", "mint_data", "out_of_gas"]
    kind = kinds[i % len(kinds)]
    mint = 10**15 + i
    anyone = Web3.to_checksum_address(rng.randbytes(20))
    fresh_value = 1 + rng.getrandbits(255)  # non-zero and new: storing it costs ≥ 2,900 gas
    slot_value = rng.randint(0, 7).to_bytes(32, "big") + fresh_value.to_bytes(32, "big")
    plans: dict[str, tuple[str | None, bytes, int, int]] = {
        "mint": (anyone, b"", 0, 1),
        "mint_data": (anyone, rng.randbytes(40), 0, 1),  # calldata to an account without code
        "call": (contracts.churn, slot_value, 60_000, 1),
        "withdraw": (MESSAGE_PASSER, withdrawal_call(anyone, 50_000, b"hi"), 150_000, 1),
        "create": (None, init_code(logger_code()), 100_000, 1),
        "revert": (contracts.reverter, b"\x01", 30_000, 0),
        "out_of_gas": (contracts.churn, slot_value, 2_500, 0),
    }
    to, data, extra_gas, status = plans[kind]
    gas = intrinsic_gas(data, to is None) + extra_gas
    return DepositSent(kind, to, mint, gas, data, to is None, status, 0)


def send_deposits(
    seq: RunningNode,
    key: str,
    contracts: SenderContracts,
    until: Callable[[], bool],
    every_seconds: float,
    seed: int,
) -> list[DepositSent]:
    """Enqueue the deposit mix on ``seq``'s L1 from ``key`` every ``every_seconds`` until
    ``until()``; ``key``'s account must send nothing on L2 (deposits use its L2 nonce)."""
    rng = random.Random(seed)
    sent: list[DepositSent] = []
    while not until():
        plan = plan_deposit(len(sent), contracts, rng)
        to = plan.to or "0x" + "00" * 20
        receipt = enqueue_deposit(seq, key, to, plan.mint_wei, plan.gas, plan.data, plan.creation)
        sent.append(dataclasses.replace(plan, l1_block=receipt["blockNumber"]))
        time.sleep(every_seconds)
    return sent


def run_threads(workers: list[Callable[[], None]]) -> None:
    """Run ``workers`` in threads, wait for all, and raise the first error any of them hit."""
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
