"""The ``debug_`` tracing methods, as geth and anvil answer them.

``debug_traceTransaction(hash, options?)``, ``debug_traceCall(call, block = "latest",
options?)``, ``debug_traceBlockByNumber(block, options?)`` and ``debug_traceBlockByHash(hash,
options?)``. ``options`` is geth's ``TraceConfig``: without ``tracer`` the struct logger
(``chain/struct_logger.py``; ``disableStack``, ``enableMemory``, ``disableStorage``,
``enableReturnData``, ``limit``), with ``"tracer": "callTracer"`` the call tree
(``chain/call_tracer.py``; ``tracerConfig`` ``onlyTopCall``, ``withLog``); ``debug_traceCall``
also takes ``stateOverrides``. A block trace answers ``[{"txHash", "result"}, …]``.

A mined transaction is traced by running its block again on the parent state up to it
(``chain/block_replay.py``); deposits are traced like any transaction. Every trace runs as
``eth_call`` does — in the bounded threads of ``user_calls``, stopped at ``rpc_evm_timeout``,
its gas within ``rpc_gas_cap`` — and a trace longer than ``rpc_max_trace_steps`` is -32005.
A hash the chain has not included, a block it does not have, an unknown tracer or option are
-32000 / -32602 errors naming what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rollup_node.chain.call_tracer import CallTracer, CallTracerOptions
from rollup_node.chain.errors import TraceTooLarge, UnknownTransaction
from rollup_node.chain.queries import AccountOverride, CallRequest
from rollup_node.chain.records import BlockRecord
from rollup_node.chain.struct_logger import StructLogger, StructLogOptions
from rollup_node.chain.tracing import TransactionTracer
from rollup_node.rpc import errors, params
from rollup_node.rpc.backend import ChainBackend
from rollup_node.rpc.dispatch import CallContext, Method, Param
from rollup_node.rpc.eth import EthApi
from rollup_node.rpc.formatting import data
from rollup_node.rpc.params import BlockId, BlockNumberOrTag, ParamError

CALL_TRACER = "callTracer"
#: Cost units of a trace in a batch (``RpcLimits.max_batch_cost``): a block's worth of work.
TRACE_COST = 10


@dataclass(frozen=True, slots=True)
class TraceOptions:
    """geth's ``TraceConfig`` (and ``TraceCallConfig``'s ``stateOverrides``)."""

    tracer: str | None = None
    struct_log: StructLogOptions = StructLogOptions()
    call: CallTracerOptions = CallTracerOptions()
    state_overrides: Mapping[bytes, AccountOverride] | None = None


def _flag(obj: dict[str, Any], name: str) -> bool:
    value = obj.get(name)
    if value is None:
        return False
    try:
        return params.boolean(value)
    except ParamError as exc:
        raise ParamError(f"{name}: {exc}") from None


def trace_options(value: Any) -> TraceOptions:
    """Parse the options object; unknown keys are ignored, as geth ignores them."""
    if not isinstance(value, dict):
        raise ParamError(f"expected an object, got {type(value).__name__}")
    tracer = value.get("tracer")
    if tracer is not None and not isinstance(tracer, str):
        raise ParamError("tracer: expected a string")
    if tracer not in (None, "", CALL_TRACER):
        raise ParamError(
            f"tracer {tracer!r} is not supported: use {CALL_TRACER!r}, or none for the "
            "struct logger"
        )
    limit = value.get("limit")
    try:
        limit_value = 0 if limit is None else params.hex_or_decimal_uint64(limit)
    except ParamError as exc:
        raise ParamError(f"limit: {exc}") from None
    config = value.get("tracerConfig") or {}
    if not isinstance(config, dict):
        raise ParamError("tracerConfig: expected an object")
    overrides = value.get("stateOverrides")
    return TraceOptions(
        tracer=tracer or None,
        struct_log=StructLogOptions(
            disable_stack=_flag(value, "disableStack"),
            enable_memory=_flag(value, "enableMemory"),
            disable_storage=_flag(value, "disableStorage"),
            enable_return_data=_flag(value, "enableReturnData"),
            limit=limit_value,
        ),
        call=CallTracerOptions(
            only_top_call=_flag(config, "onlyTopCall"), with_log=_flag(config, "withLog")
        ),
        state_overrides=None if overrides is None else params.state_overrides(overrides),
    )


def tracer_factory(options: TraceOptions, max_steps: int) -> Callable[[], TransactionTracer]:
    """A fresh tracer per transaction, of the kind ``options`` asks for."""
    if options.tracer == CALL_TRACER:
        return lambda: CallTracer(options.call)
    return lambda: StructLogger(options.struct_log, max_steps)


def _trace_cost(_: list[Any]) -> int:
    return TRACE_COST


def methods(backend: ChainBackend, eth: EthApi, max_trace_steps: int) -> list[Method]:
    """The ``debug_trace*`` methods over ``backend``; ``eth`` resolves block references and
    holds the threads client-chosen executions run in."""

    async def traced(function: Callable[..., Any], *args: object) -> Any:
        try:
            return await eth.user_calls.run(function, *args)
        except TraceTooLarge as exc:
            raise errors.limit_exceeded(f"{exc} (rpc_max_trace_steps)") from None
        except UnknownTransaction as exc:
            raise errors.RpcError(errors.SERVER_ERROR, str(exc)) from None

    async def trace_transaction(_: CallContext, tx_hash: bytes, options: TraceOptions) -> Any:
        make = tracer_factory(options, max_trace_steps)
        return await traced(backend.trace_transaction, tx_hash, make())

    async def trace_call(
        _: CallContext, request: CallRequest, block: BlockId, options: TraceOptions
    ) -> Any:
        number = eth.state_number(block)
        request = eth.gas_capped(request, number)
        make = tracer_factory(options, max_trace_steps)
        pending = block == params.PENDING
        return await traced(
            backend.trace_call, request, number, options.state_overrides, make(), pending
        )

    async def trace_block(block: BlockRecord | None, what: str, options: TraceOptions) -> Any:
        if block is None:
            raise errors.RpcError(errors.SERVER_ERROR, f"block {what} not found")
        make = tracer_factory(options, max_trace_steps)
        results = await traced(backend.trace_block, block, lambda _: make())
        return [
            {"txHash": data(tx.hash), "result": result}
            for tx, result in zip(block.transactions, results, strict=True)
        ]

    async def trace_block_by_number(
        _: CallContext, number: BlockNumberOrTag, options: TraceOptions
    ) -> Any:
        resolved = eth.state_number(number)
        return await trace_block(backend.block_by_number(resolved), f"#{resolved}", options)

    async def trace_block_by_hash(_: CallContext, block_hash: bytes, options: TraceOptions) -> Any:
        block = backend.block_by_hash(block_hash)
        return await trace_block(block, data(block_hash), options)

    options = Param("options", trace_options, TraceOptions())
    return [
        Method(
            "debug_traceTransaction",
            trace_transaction,
            (Param("transactionHash", params.hash32), options),
            _trace_cost,
        ),
        Method(
            "debug_traceCall",
            trace_call,
            (
                Param("transaction", params.call_request),
                Param("block", params.block_id, params.LATEST),
                options,
            ),
            _trace_cost,
        ),
        Method(
            "debug_traceBlockByNumber",
            trace_block_by_number,
            (Param("block", params.block_number), options),
            _trace_cost,
        ),
        Method(
            "debug_traceBlockByHash",
            trace_block_by_hash,
            (Param("blockHash", params.hash32), options),
            _trace_cost,
        ),
    ]
