"""The ``eth_`` namespace (SPEC §12): chain reads, state, calls, fees, intake, logs, filters.

Block references are resolved here, once: tags to numbers (``pending`` reads the latest state,
except the transaction count, which counts queued transactions, and calls and estimates, which
run in the next block's environment where the chain knows it; estimates default to
``pending``, as on anvil), EIP-1898 hashes to numbers (checked for canonicity when asked). A
state query beyond the head is "header not found", a block query beyond it ``null``, as in
geth. Client-chosen executions (``user_call``) run in the node's call worker processes
(``call_workers.py``) or, for an in-process backend, in bounded threads (``user_calls.py``);
proofs and log scans run in a worker thread, so that the event loop keeps serving.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rollup_node.chain.call_jobs import CallMethod
from rollup_node.chain.queries import AccountOverride, CallRequest
from rollup_node.chain.records import BlockRecord, LogRecord, TxRecord
from rollup_node.rpc import errors, params
from rollup_node.rpc.backend import ChainBackend
from rollup_node.rpc.call_workers import CallWorkers
from rollup_node.rpc.dispatch import CallContext, Method, Param
from rollup_node.rpc.errors import RpcError
from rollup_node.rpc.events import ChainEvents
from rollup_node.rpc.fees import (
    FeeHistory,
    blob_base_fee,
    fee_history,
    next_base_fee,
    next_excess_blob_gas,
)
from rollup_node.rpc.filters import FilterKind, FilterRegistry, PollFilter, log_matches
from rollup_node.rpc.formatting import (
    data,
    format_block,
    format_log,
    format_receipt,
    format_transaction,
    quantity,
    raw_block,
)
from rollup_node.rpc.limits import RpcLimits
from rollup_node.rpc.params import BlockHashRef, BlockId, BlockNumberOrTag, FilterCriteria
from rollup_node.rpc.subscriptions import Subscriptions, subscription_options
from rollup_node.rpc.user_calls import UserCalls

# Cost units of a call for the batch budget (``RpcLimits.max_batch_cost``): one unit is about
# one block read. A call or a log query is rated as ten; eth_feeHistory and eth_getProof by
# the blocks and keys they ask for (whatever their params, malformed ones too).
EXECUTION_COST = 10


def _execution_cost(_: list[Any]) -> int:
    return EXECUTION_COST


def _fee_history_cost(raw: list[Any]) -> int:
    try:
        return params.hex_or_decimal_uint64(raw[0]) if raw else 1
    except params.ParamError:
        return 1


def _proof_cost(raw: list[Any]) -> int:
    keys = raw[1] if len(raw) > 1 else None
    return 1 + (len(keys) if isinstance(keys, list) else 0)


def _storage_key_with_text(value: Any) -> tuple[str, int]:
    return value, params.storage_key(value)


class EthApi:
    """Handlers of the ``eth_`` methods over a ``ChainBackend``."""

    def __init__(
        self,
        backend: ChainBackend,
        events: ChainEvents,
        filters: FilterRegistry,
        subscriptions: Subscriptions,
        limits: RpcLimits,
        accounts: Callable[[], Sequence[bytes]] = tuple,
        workers: CallWorkers | None = None,
    ) -> None:
        self._backend = backend
        self._accounts = accounts
        self._events = events
        self._filters = filters
        self._subscriptions = subscriptions
        self._limits = limits
        # Client-chosen executions: in worker processes when the node gives a pool, else in
        # threads of their own; bounded either way, and stopped at the deadline.
        self._workers = workers
        self._user_calls = UserCalls(limits.max_concurrent_calls, limits.evm_timeout_seconds)

    @property
    def user_calls(self) -> UserCalls:
        """The threads traces run in (``debug.py``): the bound and deadline of user calls,
        in this process (eth_call and its kin run in ``call_workers`` when the node has them)."""
        return self._user_calls

    def state_number(self, block: BlockId) -> int:
        """The number of an existing block whose state a query reads (as ``eth_call``)."""
        return self._state_number(block)

    def gas_capped(self, request: CallRequest, number: int) -> CallRequest:
        """``request`` with its gas within ``rpc_gas_cap`` (as ``eth_call``)."""
        return self._gas_capped(request, number)

    async def user_call(
        self,
        method: CallMethod,
        request: CallRequest,
        number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool,
    ) -> Any:  # noqa: ANN401 - the answer of the backend's ``method``
        """The backend's ``call``, ``estimate_gas`` or ``create_access_list``, run as a
        client-chosen execution: bounded in number and time (-32005 naming the limit)."""
        if self._workers is not None:
            return await self._workers.run(method, request, number, overrides, pending)
        function = getattr(self._backend, method)
        return await self._user_calls.run(function, request, number, overrides, pending)

    # -- block references -------------------------------------------------------------------

    def _tag_number(self, tag: BlockNumberOrTag) -> int:
        if isinstance(tag, int):
            return tag
        if tag == params.EARLIEST:
            return 0
        if tag == params.SAFE:
            return self._backend.safe_number()
        if tag == params.FINALIZED:
            return self._backend.finalized_number()
        return self._backend.head_number()  # latest, pending

    def _state_number(self, block: BlockId) -> int:
        """The number of an existing block whose state a query reads."""
        if isinstance(block, BlockHashRef):
            record = self._backend.block_by_hash(block.block_hash)
            if record is None:
                raise RpcError(errors.SERVER_ERROR, "header for hash not found")
            if block.require_canonical:
                canonical = self._backend.block_by_number(record.number)
                if canonical is None or canonical.hash != record.hash:
                    raise RpcError(errors.SERVER_ERROR, "hash is not currently canonical")
            return record.number
        number = self._tag_number(block)
        if number > self._backend.head_number():
            raise errors.header_not_found()
        return number

    def _block(self, block: BlockId) -> BlockRecord | None:
        if isinstance(block, BlockHashRef):
            return self._backend.block_by_hash(block.block_hash)
        return self._backend.block_by_number(self._tag_number(block))

    # -- chain ------------------------------------------------------------------------------

    async def chain_id(self, _: CallContext) -> str:
        """``eth_chainId``."""
        return quantity(self._backend.chain_id)

    async def block_number(self, _: CallContext) -> str:
        """``eth_blockNumber``: the latest head."""
        return quantity(self._backend.head_number())

    async def syncing(self, _: CallContext) -> bool:
        """``eth_syncing``: the node serves its own chain, so never "syncing"."""
        return False

    async def accounts(self, _: CallContext) -> list[str]:
        """``eth_accounts``: the unlocked accounts of a dev chain; the node itself holds none."""
        return [data(account) for account in self._accounts()]

    # -- state ------------------------------------------------------------------------------

    async def get_balance(self, _: CallContext, address: bytes, block: BlockId) -> str:
        """``eth_getBalance``."""
        return quantity(self._backend.balance(address, self._state_number(block)))

    async def get_transaction_count(self, _: CallContext, address: bytes, block: BlockId) -> str:
        """``eth_getTransactionCount``; ``pending`` counts the sender's queued transactions."""
        if block == params.PENDING:
            return quantity(self._backend.pending_nonce(address))
        return quantity(self._backend.nonce(address, self._state_number(block)))

    async def get_code(self, _: CallContext, address: bytes, block: BlockId) -> str:
        """``eth_getCode``."""
        return data(self._backend.code(address, self._state_number(block)))

    async def get_storage_at(
        self, _: CallContext, address: bytes, slot: int, block: BlockId
    ) -> str:
        """``eth_getStorageAt``: the 32-byte slot value."""
        return data(self._backend.storage_at(address, slot, self._state_number(block)))

    async def call(
        self,
        _: CallContext,
        request: CallRequest,
        block: BlockId,
        overrides: Mapping[bytes, AccountOverride] | None,
    ) -> str:
        """``eth_call`` with block tags and geth-style state overrides."""
        number = self._state_number(block)
        pending = block == params.PENDING
        request = self._gas_capped(request, number)
        output = await self.user_call("call", request, number, overrides, pending)
        return data(output)

    async def estimate_gas(
        self,
        _: CallContext,
        request: CallRequest,
        block: BlockId,
        overrides: Mapping[bytes, AccountOverride] | None,
    ) -> str:
        """``eth_estimateGas``; without a block, for the pending block (as anvil does)."""
        number = self._state_number(block)
        pending = block == params.PENDING
        request = self._gas_capped(request, number)
        gas = await self.user_call("estimate_gas", request, number, overrides, pending)
        return quantity(gas)

    def _gas_capped(self, request: CallRequest, number: int) -> CallRequest:
        """``request`` with its gas within ``gas_cap``: an explicit gas above it is refused
        (-32005), none given becomes the block gas limit or the cap, whichever is lower."""
        cap = self._limits.gas_cap
        if request.gas is not None:
            if request.gas > cap:
                raise errors.limit_exceeded(
                    f"gas {request.gas} above the node's limit for calls "
                    f"(rpc_gas_cap: at most {cap})"
                )
            return request
        block = self._backend.block_by_number(number)
        block_gas = block.gas_limit if block is not None else cap
        return dataclasses.replace(request, gas=min(cap, max(block_gas, 21_000)))

    async def get_proof(
        self, _: CallContext, address: bytes, keys: list[tuple[str, int]], block: BlockId
    ) -> dict[str, Any]:
        """``eth_getProof``: account and storage proofs; keys echo the client's spelling."""
        if len(keys) > self._limits.max_proof_keys:
            raise errors.limit_exceeded(
                f"too many storage keys: {len(keys)}, at most {self._limits.max_proof_keys} "
                "(rpc_max_proof_keys)"
            )
        number = self._state_number(block)
        slots = [slot for _, slot in keys]
        proof = await asyncio.to_thread(self._backend.get_proof, address, slots, number)
        return {
            "address": data(proof.address),
            "accountProof": [data(node) for node in proof.account_proof],
            "balance": quantity(proof.balance),
            "codeHash": data(proof.code_hash),
            "nonce": quantity(proof.nonce),
            "storageHash": data(proof.storage_hash),
            "storageProof": [
                {
                    "key": text,
                    "value": quantity(storage.value),
                    "proof": [data(node) for node in storage.proof],
                }
                for (text, _), storage in zip(keys, proof.storage_proofs, strict=True)
            ],
        }

    # -- fees -------------------------------------------------------------------------------

    def head(self) -> BlockRecord:
        """The latest block ("header not found" if it vanished in a reorg)."""
        head = self._backend.block_by_number(self._backend.head_number())
        if head is None:
            raise errors.header_not_found()
        return head

    async def gas_price(self, _: CallContext) -> str:
        """``eth_gasPrice``: the next block's base fee plus the suggested priority fee."""
        return quantity(next_base_fee(self.head()) + self._backend.suggested_priority_fee())

    async def max_priority_fee_per_gas(self, _: CallContext) -> str:
        """``eth_maxPriorityFeePerGas``."""
        return quantity(self._backend.suggested_priority_fee())

    async def blob_base_fee(self, _: CallContext) -> str:
        """``eth_blobBaseFee``: the next block's blob base fee (the minimum on L2)."""
        return quantity(blob_base_fee(next_excess_blob_gas(self.head())))

    async def fee_history(
        self,
        _: CallContext,
        block_count: int,
        newest: BlockNumberOrTag,
        percentiles: Sequence[float],
    ) -> dict[str, Any]:
        """``eth_feeHistory``: base fees (and the next one), gas used ratios, rewards."""
        if block_count > self._limits.max_fee_history_blocks:
            raise errors.limit_exceeded(
                f"block count {block_count} above {self._limits.max_fee_history_blocks} "
                "(rpc_max_fee_history_blocks)"
            )
        count = block_count
        if count == 0:
            return {"oldestBlock": quantity(0), "baseFeePerGas": [], "gasUsedRatio": []}
        head = self._backend.head_number()
        newest_number = self._tag_number(newest)
        if newest_number > head:
            raise RpcError(
                errors.SERVER_ERROR,
                f"request beyond head block: requested {newest_number}, head {head}",
            )
        oldest = max(newest_number - count + 1, 0)
        history = await asyncio.to_thread(
            self._read_fee_history, oldest, newest_number, percentiles
        )
        result: dict[str, Any] = {
            "oldestBlock": quantity(history.oldest_block),
            "baseFeePerGas": [quantity(fee) for fee in history.base_fees],
            "gasUsedRatio": list(history.gas_used_ratio),
            "baseFeePerBlobGas": [quantity(fee) for fee in history.blob_base_fees],
            "blobGasUsedRatio": list(history.blob_gas_used_ratio),
        }
        if percentiles:
            result["reward"] = [[quantity(r) for r in block] for block in history.rewards]
        return result

    def _read_fee_history(
        self, oldest: int, newest: int, percentiles: Sequence[float]
    ) -> FeeHistory:
        blocks = []
        for number in range(oldest, newest + 1):
            block = self._backend.block_by_number(number)
            if block is None:
                raise errors.header_not_found()
            blocks.append(block)
        # Receipts are only needed for rewards (gas used per transaction).
        receipts = [self._backend.block_receipts(b.hash) if percentiles else () for b in blocks]
        return fee_history(blocks, receipts, percentiles)

    # -- transactions -----------------------------------------------------------------------

    async def send_raw_transaction(self, _: CallContext, raw: bytes) -> str:
        """``eth_sendRawTransaction``: queue a signed transaction; rejections name the reason.

        Runs on the event loop, not in a worker thread, so that transactions reach the
        intake one at a time and in the order they arrived.
        """
        return data(self.submit(raw))

    def submit(self, raw: bytes) -> bytes:
        """Hand a signed transaction to the chain and announce it to pending-tx listeners."""
        tx_hash = self._backend.send_raw_transaction(raw)
        self._events.publish_pending_transaction(tx_hash)
        return tx_hash

    def _format_tx(self, tx: TxRecord) -> dict[str, Any]:
        base_fee = None
        if tx.block_hash is not None:
            block = self._backend.block_by_hash(tx.block_hash)
            base_fee = block.base_fee_per_gas if block is not None else None
        return format_transaction(tx, base_fee)

    async def get_transaction_by_hash(self, _: CallContext, tx_hash: bytes) -> Any:
        """``eth_getTransactionByHash``: included or queued, else ``null``."""
        tx = self._backend.transaction(tx_hash)
        return None if tx is None else self._format_tx(tx)

    async def get_transaction_receipt(self, _: CallContext, tx_hash: bytes) -> Any:
        """``eth_getTransactionReceipt``: ``null`` until the transaction is included."""
        receipt = self._backend.receipt(tx_hash)
        return None if receipt is None else format_receipt(receipt)

    # -- blocks -----------------------------------------------------------------------------

    async def get_block_by_number(self, _: CallContext, block: BlockNumberOrTag, full: bool) -> Any:
        """``eth_getBlockByNumber`` (``pending`` is the latest block)."""
        record = self._block(block)
        return None if record is None else format_block(record, full)

    async def get_raw_block(self, _: CallContext, block: BlockNumberOrTag) -> str:
        """``debug_getRawBlock``: the block's RLP (how a replica follows the unsafe head)."""
        record = self._block(block)
        if record is None:
            raise RpcError(errors.SERVER_ERROR, "block not found")
        return data(raw_block(record))

    async def get_block_by_hash(self, _: CallContext, block_hash: bytes, full: bool) -> Any:
        """``eth_getBlockByHash``."""
        record = self._backend.block_by_hash(block_hash)
        return None if record is None else format_block(record, full)

    async def get_block_transaction_count_by_number(
        self, _: CallContext, block: BlockNumberOrTag
    ) -> Any:
        """``eth_getBlockTransactionCountByNumber``."""
        record = self._block(block)
        return None if record is None else quantity(len(record.transactions))

    async def get_block_transaction_count_by_hash(self, _: CallContext, block_hash: bytes) -> Any:
        """``eth_getBlockTransactionCountByHash``."""
        record = self._backend.block_by_hash(block_hash)
        return None if record is None else quantity(len(record.transactions))

    @staticmethod
    def _tx_at(record: BlockRecord | None, index: int) -> Any:
        if record is None or index >= len(record.transactions):
            return None
        return format_transaction(record.transactions[index], record.base_fee_per_gas)

    async def get_transaction_by_block_hash_and_index(
        self, _: CallContext, block_hash: bytes, index: int
    ) -> Any:
        """``eth_getTransactionByBlockHashAndIndex``."""
        return self._tx_at(self._backend.block_by_hash(block_hash), index)

    async def get_transaction_by_block_number_and_index(
        self, _: CallContext, block: BlockNumberOrTag, index: int
    ) -> Any:
        """``eth_getTransactionByBlockNumberAndIndex``."""
        return self._tx_at(self._block(block), index)

    async def get_uncle_count_by_number(self, _: CallContext, block: BlockNumberOrTag) -> Any:
        """``eth_getUncleCountByBlockNumber``: blocks have no uncles (``null`` if unknown)."""
        return None if self._block(block) is None else quantity(0)

    async def get_uncle_count_by_hash(self, _: CallContext, block_hash: bytes) -> Any:
        """``eth_getUncleCountByBlockHash``: blocks have no uncles (``null`` if unknown)."""
        return None if self._backend.block_by_hash(block_hash) is None else quantity(0)

    async def get_uncle(self, _: CallContext, block: object, index: int) -> None:
        """``eth_getUncleByBlock{Hash,Number}AndIndex``: there is never an uncle."""
        return None

    async def get_block_receipts(self, _: CallContext, block: BlockId) -> Any:
        """``eth_getBlockReceipts``: all receipts of a block, ``null`` if it is unknown."""
        record = self._block(block)
        if record is None:
            return None
        return [format_receipt(r) for r in self._backend.block_receipts(record.hash)]

    # -- logs and filters -------------------------------------------------------------------

    def _log_range(self, criteria: FilterCriteria) -> tuple[int, int] | None:
        """Resolved ``(from, to)`` of a range filter, ``None`` when it lies beyond the head.

        As in geth, only two explicit numbers in the wrong order are an error; a range that
        starts past the head (``fromBlock`` ahead of ``latest``) is simply empty.
        """
        explicit = (criteria.from_block, criteria.to_block)
        if all(isinstance(n, int) for n in explicit) and explicit[0] > explicit[1]:
            raise RpcError(errors.SERVER_ERROR, "invalid block range params")
        start = self._tag_number(criteria.from_block)
        end = min(self._tag_number(criteria.to_block), self._backend.head_number())
        if start > end:
            return None
        if end - start + 1 > self._limits.max_logs_block_range:
            raise errors.limit_exceeded(
                f"block range too large: {end - start + 1} blocks, at most "
                f"{self._limits.max_logs_block_range}"
            )
        return start, end

    def _query_logs(self, criteria: FilterCriteria) -> list[LogRecord]:
        if criteria.block_hash is not None:
            block = self._backend.block_by_hash(criteria.block_hash)
            if block is None:
                raise RpcError(errors.SERVER_ERROR, "unknown block")
            logs = [
                log
                for receipt in self._backend.block_receipts(block.hash)
                for log in receipt.logs
                if log_matches(log, criteria.addresses, criteria.topics)
            ]
        else:
            bounds = self._log_range(criteria)
            if bounds is None:
                return []
            logs = self._backend.logs(bounds[0], bounds[1], criteria.addresses, criteria.topics)
        if len(logs) > self._limits.max_logs_results:
            raise errors.limit_exceeded(
                f"query returned more than {self._limits.max_logs_results} results"
            )
        return logs

    async def get_logs(self, _: CallContext, criteria: FilterCriteria) -> list[dict[str, Any]]:
        """``eth_getLogs`` over a block range (bounded) or one block hash."""
        logs = await asyncio.to_thread(self._query_logs, criteria)
        return [format_log(log) for log in logs]

    def _install(self, poll_filter: PollFilter) -> str:
        filter_id = self._filters.install(poll_filter)
        if filter_id is None:
            raise errors.limit_exceeded(f"too many filters (at most {self._limits.max_filters})")
        return filter_id

    async def new_filter(self, _: CallContext, criteria: FilterCriteria) -> str:
        """``eth_newFilter``: logs of new heads matching ``criteria`` (within its range)."""
        if criteria.block_hash is not None:
            raise errors.invalid_params("invalid argument 0 (filter): blockHash not allowed")
        bounds = [
            None if tag in (params.LATEST, params.PENDING) else self._tag_number(tag)
            for tag in (criteria.from_block, criteria.to_block)
        ]
        return self._install(
            PollFilter(FilterKind.LOGS, criteria, from_block=bounds[0], to_block=bounds[1])
        )

    async def new_block_filter(self, _: CallContext) -> str:
        """``eth_newBlockFilter``: hashes of new heads."""
        return self._install(PollFilter(FilterKind.BLOCKS, None))

    async def new_pending_transaction_filter(self, _: CallContext) -> str:
        """``eth_newPendingTransactionFilter``: hashes of transactions accepted by this server."""
        return self._install(PollFilter(FilterKind.PENDING_TRANSACTIONS, None))

    async def get_filter_changes(self, _: CallContext, filter_id: str) -> list[Any]:
        """``eth_getFilterChanges``: what the filter collected since the last poll."""
        changes = self._filters.take_changes(filter_id)
        if changes is None:
            raise RpcError(errors.SERVER_ERROR, "filter not found")
        if changes.kind is FilterKind.LOGS:
            return [format_log(log) for log in changes.logs]
        return [data(h) for h in changes.hashes]

    async def get_filter_logs(self, context: CallContext, filter_id: str) -> list[dict[str, Any]]:
        """``eth_getFilterLogs``: every log matching a log filter's criteria, as ``getLogs``."""
        poll_filter = self._filters.get(filter_id)
        if poll_filter is None or poll_filter.kind is not FilterKind.LOGS:
            raise RpcError(errors.SERVER_ERROR, "filter not found")
        assert poll_filter.criteria is not None
        return await self.get_logs(context, poll_filter.criteria)

    async def uninstall_filter(self, _: CallContext, filter_id: str) -> bool:
        """``eth_uninstallFilter``: ``false`` if there was no such filter."""
        return self._filters.remove(filter_id)

    # -- subscriptions ----------------------------------------------------------------------

    async def subscribe(
        self, context: CallContext, kind: str, options: FilterCriteria | bool | None
    ) -> str:
        """``eth_subscribe`` over WebSocket: newHeads, logs, newPendingTransactions, syncing
        (options checked per kind by ``Subscriptions``)."""
        if context.connection is None:
            raise RpcError(errors.METHOD_NOT_FOUND, "notifications not supported")
        return self._subscriptions.subscribe(context.connection, kind, options)

    async def unsubscribe(self, context: CallContext, subscription_id: str) -> bool:
        """``eth_unsubscribe`` (WebSocket only)."""
        if context.connection is None:
            raise RpcError(errors.METHOD_NOT_FOUND, "notifications not supported")
        return self._subscriptions.unsubscribe(context.connection, subscription_id)

    # -- registration -----------------------------------------------------------------------

    def methods(self) -> list[Method]:
        """The ``eth_`` methods with their parameters."""
        address = Param("address", params.address)
        state_block = Param("block", params.block_id, params.LATEST)
        tx_hash = Param("transactionHash", params.hash32)
        block_hash = Param("blockHash", params.hash32)
        block_number = Param("block", params.block_number)
        full = Param("fullTransactions", params.boolean, False)
        index = Param("index", params.uint64)
        call_args = (
            Param("transaction", params.call_request),
            state_block,
            Param("stateOverrides", params.state_overrides, None),
        )
        filter_id = Param("filterId", params.string)
        return [
            Method("eth_chainId", self.chain_id),
            Method("eth_blockNumber", self.block_number),
            Method("eth_syncing", self.syncing),
            Method("eth_accounts", self.accounts),
            Method("eth_getBalance", self.get_balance, (address, state_block)),
            Method("eth_getTransactionCount", self.get_transaction_count, (address, state_block)),
            Method("eth_getCode", self.get_code, (address, state_block)),
            Method(
                "eth_getStorageAt",
                self.get_storage_at,
                (address, Param("slot", params.storage_key), state_block),
            ),
            Method("eth_call", self.call, call_args, _execution_cost),
            Method(
                "eth_estimateGas",
                self.estimate_gas,
                (call_args[0], Param("block", params.block_id, params.PENDING), call_args[2]),
                _execution_cost,
            ),
            Method(
                "eth_getProof",
                self.get_proof,
                (
                    address,
                    Param("storageKeys", params.list_of(_storage_key_with_text)),
                    Param("block", params.block_id),
                ),
                _proof_cost,
            ),
            Method("eth_gasPrice", self.gas_price),
            Method("eth_maxPriorityFeePerGas", self.max_priority_fee_per_gas),
            Method("eth_blobBaseFee", self.blob_base_fee),
            Method(
                "eth_feeHistory",
                self.fee_history,
                (
                    Param("blockCount", params.hex_or_decimal_uint64),
                    Param("newestBlock", params.block_number),
                    Param("rewardPercentiles", params.reward_percentiles, ()),
                ),
                _fee_history_cost,
            ),
            Method(
                "eth_sendRawTransaction",
                self.send_raw_transaction,
                (Param("transaction", params.data),),
            ),
            Method("eth_getTransactionByHash", self.get_transaction_by_hash, (tx_hash,)),
            Method("eth_getTransactionReceipt", self.get_transaction_receipt, (tx_hash,)),
            Method("eth_getBlockByNumber", self.get_block_by_number, (block_number, full)),
            Method("eth_getBlockByHash", self.get_block_by_hash, (block_hash, full)),
            Method("debug_getRawBlock", self.get_raw_block, (block_number,)),
            Method(
                "eth_getBlockTransactionCountByNumber",
                self.get_block_transaction_count_by_number,
                (block_number,),
            ),
            Method(
                "eth_getBlockTransactionCountByHash",
                self.get_block_transaction_count_by_hash,
                (block_hash,),
            ),
            Method(
                "eth_getTransactionByBlockHashAndIndex",
                self.get_transaction_by_block_hash_and_index,
                (block_hash, index),
            ),
            Method(
                "eth_getTransactionByBlockNumberAndIndex",
                self.get_transaction_by_block_number_and_index,
                (block_number, index),
            ),
            Method(
                "eth_getUncleCountByBlockNumber", self.get_uncle_count_by_number, (block_number,)
            ),
            Method("eth_getUncleCountByBlockHash", self.get_uncle_count_by_hash, (block_hash,)),
            Method("eth_getUncleByBlockHashAndIndex", self.get_uncle, (block_hash, index)),
            Method("eth_getUncleByBlockNumberAndIndex", self.get_uncle, (block_number, index)),
            Method(
                "eth_getBlockReceipts", self.get_block_receipts, (Param("block", params.block_id),)
            ),
            Method(
                "eth_getLogs",
                self.get_logs,
                (Param("filter", params.filter_criteria),),
                _execution_cost,
            ),
            Method("eth_newFilter", self.new_filter, (Param("filter", params.filter_criteria),)),
            Method("eth_newBlockFilter", self.new_block_filter),
            Method("eth_newPendingTransactionFilter", self.new_pending_transaction_filter),
            Method("eth_getFilterChanges", self.get_filter_changes, (filter_id,)),
            Method("eth_getFilterLogs", self.get_filter_logs, (filter_id,)),
            Method("eth_uninstallFilter", self.uninstall_filter, (filter_id,)),
            Method(
                "eth_subscribe",
                self.subscribe,
                (
                    Param("subscriptionName", params.string),
                    Param("options", subscription_options, None),
                ),
            ),
            Method("eth_unsubscribe", self.unsubscribe, (Param("subscriptionId", params.string),)),
        ]
