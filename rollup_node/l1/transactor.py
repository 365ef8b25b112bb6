"""Sending L1 transactions from one key: nonces, fees, receipts, reverts.

Deployment, the batcher and the proposer each own one ``Transactor``. It signs locally
(the key never leaves the process), takes the nonce from L1's pending count when it starts
and after any failure, prices with ``2·baseFee + tip`` (EIP-1559) and waits for the receipt.
A reverted transaction raises ``L1TransactionReverted`` with the revert data, so callers can
decide by the contract's custom error what to do (retry later, resync, or halt). A transaction
L1 cannot include any more — unknown to it (an L1 reorg discarded its block, the pool evicted
it) or queued behind a nonce gap (an earlier one was discarded) — raises ``L1SendFailed``
within seconds rather than at the receipt timeout: the key's other
transactions wait behind this one, and a batch must land before its blocks' origins are
F blocks old (SPEC §6 rule 2). ``send`` turns every failure ``l1.errors.classify`` calls
transient (transport, timeouts, L1 busy) into ``L1SendFailed``, and a refusal of the raw
transaction by L1's pool — or a sent transaction whose nonce another one from the key took —
into ``L1TransactionRefused`` (an ``L1SendFailed``) naming why (``l1.errors.refusal``: a nonce
race, no funds, ...); anything else (a programming error) propagates, to halt the service.
The services log a failure by what it is (``failure_message``), not all as "L1 unavailable".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from web3 import AsyncWeb3
from web3.exceptions import ContractLogicError, TimeExhausted, TransactionNotFound, Web3RPCError

from rollup_node.l1.errors import Action, Refusal, RetryLater, classify, refusal
from rollup_node.l1.provider import L1Provider

#: Priority fee offered on L1 (1 gwei).
PRIORITY_FEE_WEI = 10**9
#: A sent transaction L1 cannot include (see ``Transactor.includable``) for this long is dropped.
DROPPED_AFTER_SECONDS = 3.0
RECEIPT_POLL_SECONDS = 0.2


class L1SendFailed(RetryLater, RuntimeError):
    """The transaction could not be sent or confirmed (network, nonce, timeout): retry later.
    The nonce is re-read from L1 before the next transaction."""


class L1TransactionRefused(L1SendFailed):
    """L1 refused the transaction (``reason``), or another transaction from the key took its
    nonce: retry later; the nonce is read again and the transaction signed afresh."""

    def __init__(self, what: str, reason: Refusal, detail: str) -> None:
        self.reason = reason
        super().__init__(f"{what}: {reason.value}: {detail}")


def failure_message(exc: BaseException) -> str:
    """The log line of a service's failed L1 round, by what failed: a refused transaction
    (a nonce race, no funds, ...) is said to be one; anything else retried is L1 being away."""
    if isinstance(exc, L1TransactionRefused):
        if exc.reason is Refusal.NONCE_RACE:
            return "nonce race on L1 (another sender used this key); retrying with a fresh nonce"
        return f"L1 refused the transaction ({exc.reason.value}); retrying"
    return "L1 unavailable; retrying"


class L1TransactionReverted(RuntimeError):
    """An L1 transaction was mined with status 0 (or its estimate reverted)."""

    def __init__(self, what: str, data: bytes = b"") -> None:
        self.data = data
        super().__init__(f"{what} reverted (data 0x{data.hex()})")


@dataclass(frozen=True, slots=True)
class L1Receipt:
    """The parts of an L1 receipt services use."""

    transaction_hash: bytes
    block_number: int
    block_hash: bytes
    contract_address: str | None
    gas_used: int
    logs: tuple[Any, ...]


def connect(url: str, timeout_seconds: float = 30.0) -> AsyncWeb3:
    """An async web3 on the L1 JSON-RPC endpoint ``url`` (see ``l1.provider``)."""
    return AsyncWeb3(L1Provider(url, timeout_seconds))


def revert_data(error: BaseException) -> bytes:
    """The revert data web3 attached to a failed call or estimate (empty if none)."""
    data = getattr(error, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    if isinstance(data, dict) and isinstance(data.get("data"), str):
        return bytes.fromhex(data["data"][2:])
    return b""


class Transactor:
    """Signs and sends transactions from one L1 account, one at a time."""

    def __init__(self, w3: AsyncWeb3, private_key: str, chain_id: int) -> None:
        self.w3 = w3
        self.account = Account.from_key(private_key)
        self.address: str = self.account.address
        self.chain_id = chain_id
        self._nonce: int | None = None
        self._lock = asyncio.Lock()

    async def _next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = await self.w3.eth.get_transaction_count(self.address, "pending")
        return self._nonce

    async def sign(self, to: str | None, data: bytes, value: int = 0, gas: int | None = None):  # noqa: ANN201
        """Sign the next transaction (consuming a nonce); returns the signed transaction."""
        request: dict[str, Any] = {"from": self.address, "data": data, "value": value}
        if to is not None:
            request["to"] = to
        if gas is None:
            try:
                # At ``pending``: the transaction lands in the next block, whose number the
                # contracts check (a CTC batch may consume deposits of the current head block,
                # which an estimate in the head block's own context would refuse).
                estimate = await self.w3.eth.estimate_gas(request, "pending")  # type: ignore[arg-type]
            except (ContractLogicError, Web3RPCError) as exc:  # web3's types for a revert
                if classify(exc) is Action.RETRY:
                    raise  # L1 busy, not a verdict on the call
                raise L1TransactionReverted("estimate", revert_data(exc)) from exc
            gas = estimate * 5 // 4 + 20_000
        block = await self.w3.eth.get_block("latest")
        base_fee = block.get("baseFeePerGas", 10**9)
        nonce = await self._next_nonce()
        tx = {
            **request,
            "chainId": self.chain_id,
            "nonce": nonce,
            "gas": gas,
            "maxFeePerGas": 2 * base_fee + PRIORITY_FEE_WEI,
            "maxPriorityFeePerGas": PRIORITY_FEE_WEI,
            "type": 2,
        }
        if to is None:
            tx.pop("to", None)
        signed = self.account.sign_transaction(tx)
        self._nonce = nonce + 1
        return signed

    async def broadcast(self, signed: Any, what: str = "transaction") -> bytes:  # noqa: ANN401 - eth-account's type
        """Send a signed transaction; return its hash. L1 refusing it (nonce too low,
        already known, underpriced, pool full) raises ``L1TransactionRefused``: the nonce and
        the fee are read again for the next try. L1 busy (``classify`` retries it) raises
        ``L1SendFailed``."""
        try:
            return bytes(await self.w3.eth.send_raw_transaction(signed.raw_transaction))
        except Web3RPCError as exc:
            self._nonce = None
            if classify(exc) is Action.RETRY:
                raise L1SendFailed(f"{what}: L1 busy: {exc}") from exc
            error = (exc.rpc_response or {}).get("error")
            message = str(error.get("message")) if isinstance(error, dict) else str(exc)
            raise L1TransactionRefused(what, refusal(message), message) from exc
        except Exception:
            self._nonce = None  # resync from L1 on the next send
            raise

    async def wait(
        self, tx_hash: bytes, what: str, timeout_seconds: float = 30, nonce: int | None = None
    ) -> L1Receipt:
        """Wait for a receipt; raise ``L1TransactionReverted`` if it failed, ``L1SendFailed``
        if L1 dropped the transaction (``L1TransactionRefused``, a nonce race, when another
        transaction from the key was mined with its ``nonce``), web3's ``TimeExhausted`` after
        ``timeout_seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_seconds
        unknown_since: float | None = None
        while (receipt := await self._receipt(tx_hash)) is None:
            now = loop.time()
            if await self.includable(tx_hash):
                unknown_since = None
            elif unknown_since is None:
                unknown_since = now
            elif now - unknown_since >= DROPPED_AFTER_SECONDS:
                self._nonce = None
                dropped = f"L1 dropped transaction 0x{tx_hash.hex()}"
                mined = await self.w3.eth.get_transaction_count(self.address, "latest")
                if nonce is not None and mined > nonce:
                    taken = f"{dropped}: another transaction from this key took nonce {nonce}"
                    raise L1TransactionRefused(what, Refusal.NONCE_RACE, taken)
                raise L1SendFailed(f"{what}: {dropped}")
            if now >= deadline:
                raise TimeExhausted(f"{what}: 0x{tx_hash.hex()} not mined in {timeout_seconds} s")
            await asyncio.sleep(RECEIPT_POLL_SECONDS)
        if receipt["status"] != 1:
            self._nonce = None
            raise L1TransactionReverted(what)
        return L1Receipt(
            transaction_hash=bytes(receipt["transactionHash"]),
            block_number=receipt["blockNumber"],
            block_hash=bytes(receipt["blockHash"]),
            contract_address=receipt.get("contractAddress"),
            gas_used=receipt["gasUsed"],
            logs=tuple(receipt["logs"]),
        )

    async def _receipt(self, tx_hash: bytes) -> Any:  # noqa: ANN401 - web3's receipt
        try:
            return await self.w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return None

    async def includable(self, tx_hash: bytes) -> bool:
        """Whether L1 has the transaction and can include it: included already, or pending
        with no nonce gap before it (L1's pending nonce counts only executable transactions;
        this key's transactions are all ours, so nobody else fills a gap)."""
        try:
            tx = await self.w3.eth.get_transaction(tx_hash)
        except TransactionNotFound:
            return False
        if tx.get("blockNumber") is not None:
            return True
        return await self.w3.eth.get_transaction_count(self.address, "pending") > tx["nonce"]

    async def send(
        self,
        to: str | None,
        data: bytes,
        what: str,
        value: int = 0,
        gas: int | None = None,
    ) -> L1Receipt:
        """Sign, send and wait for one transaction; raise ``L1TransactionReverted`` on failure."""
        async with self._lock:
            try:
                signed = await self.sign(to, data, value, gas)
                nonce = self._nonce - 1 if self._nonce is not None else None  # sign took it
                tx_hash = await self.broadcast(signed, what)
                return await self.wait(tx_hash, what, nonce=nonce)
            except (L1TransactionReverted, L1SendFailed):
                raise
            except Exception as exc:
                self._nonce = None  # whatever happened, the next send reads L1's nonce
                if classify(exc) is Action.HALT:
                    raise  # a bug or a request L1 refuses on its merits: retrying cannot help
                raise L1SendFailed(f"{what}: {type(exc).__name__}: {exc}") from exc
