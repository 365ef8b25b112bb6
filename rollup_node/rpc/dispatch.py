"""The JSON-RPC 2.0 envelope: single and batch requests, notifications, ids, errors.

``Dispatcher.handle`` takes one HTTP body or WebSocket message and returns the response text
(``None`` when every request was a notification). Each call's positional ``params`` are parsed
by the method's declared ``Param``s, so a handler receives typed values only. Errors follow
EIP-1474 (see ``errors``); a body is decoded within the bounds of ``decode`` (depth, numbers),
and ids are strings, 64-bit integers, finite numbers or null; an exception nobody expected
becomes -32603 and is logged, and never escapes to the transport. Calls of a batch run in
order, so that transactions a client sends in one batch reach the chain in the order it chose.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

from rollup_node.rpc import errors
from rollup_node.rpc.decode import decode_body
from rollup_node.rpc.errors import RpcError
from rollup_node.rpc.limits import RpcLimits
from rollup_node.rpc.metrics import UNKNOWN_METHOD, RpcMetrics
from rollup_node.rpc.params import ParamError

log = structlog.get_logger(__name__)

_MISSING = object()


class Connection(Protocol):
    """A WebSocket peer that can receive notifications (``eth_subscription``)."""

    def notify(self, message: dict[str, Any]) -> None:
        """Queue one JSON-RPC notification for the peer."""
        ...

    def on_close(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the connection closes (to drop its subscriptions)."""
        ...


@dataclass(frozen=True, slots=True)
class CallContext:
    """Who is calling: ``connection`` is the WebSocket peer, ``None`` over HTTP."""

    connection: Connection | None = None


@dataclass(frozen=True, slots=True)
class Param:
    """One positional argument: its name (for error messages), parser and default.

    A parameter with a ``default`` is optional; ``null`` counts as omitted, as in geth.
    """

    name: str
    parse: Callable[[Any], Any]
    default: Any = _MISSING

    @property
    def required(self) -> bool:
        """Whether the client must give this argument."""
        return self.default is _MISSING


Handler = Callable[..., Awaitable[Any]]


Cost = Callable[[list[Any]], int]


@dataclass(frozen=True, slots=True)
class Method:
    """A registered method: ``handler(context, *parsed_params)`` returns the JSON result.

    ``cost`` rates a call from its raw params before it runs (one unit is about one block
    read; see ``RpcLimits.max_batch_cost``); it must accept any params, malformed ones too.
    """

    name: str
    handler: Handler
    params: tuple[Param, ...] = field(default=())
    cost: Cost | None = None

    def parse_params(self, raw: list[Any]) -> list[Any]:
        """Parse positional arguments, naming the first one that is missing or wrong."""
        if len(raw) > len(self.params):
            raise errors.invalid_params(f"too many arguments, want at most {len(self.params)}")
        parsed = []
        for index, param in enumerate(self.params):
            value = raw[index] if index < len(raw) else None
            if value is None:
                if param.required:
                    raise errors.invalid_params(
                        f"missing value for required argument {index} ({param.name})"
                    )
                parsed.append(param.default)
                continue
            try:
                parsed.append(param.parse(value))
            except ParamError as exc:
                raise errors.invalid_params(
                    f"invalid argument {index} ({param.name}): {exc}"
                ) from None
        return parsed


def _response(request_id: Any, *, result: Any = None, error: RpcError | None = None) -> dict:
    if error is not None:
        return {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


# Integer ids a client may use: any 64-bit one, signed or unsigned (what clients' typed id
# fields hold); a larger one is refused so that every answer is readable by the client.
_MIN_ID = -(2**63)
_MAX_ID = 2**64 - 1


def _valid_id(value: Any) -> bool:
    """A string, a number that fits (the decoder already refused non-finite ones), or null."""
    if value is None or isinstance(value, str | float):
        return True
    return isinstance(value, int) and not isinstance(value, bool) and _MIN_ID <= value <= _MAX_ID


class Dispatcher:
    """Routes JSON-RPC requests to registered methods and shapes the responses."""

    def __init__(self, methods: Iterable[Method], limits: RpcLimits, metrics: RpcMetrics) -> None:
        self._methods: dict[str, Method] = {}
        for method in methods:
            if method.name in self._methods:
                raise ValueError(f"method {method.name} registered twice")
            self._methods[method.name] = method
        self._limits = limits
        self._metrics = metrics

    @property
    def method_names(self) -> frozenset[str]:
        """The names this dispatcher answers."""
        return frozenset(self._methods)

    async def handle(self, body: bytes | str, context: CallContext) -> str | None:
        """Answer one body (single request or batch); ``None`` if nothing is to be sent.

        Never raises: a bug anywhere on the way is still answered in JSON (-32603).
        """
        try:
            return await self._handle(body, context)
        except Exception:  # noqa: BLE001 - the last line of defence; calls have their own
            log.exception("rpc.internal_error", method=UNKNOWN_METHOD)
            self._metrics.internal_error(UNKNOWN_METHOD)
            return self._refuse(RpcError(errors.INTERNAL_ERROR, "internal error"))

    async def _handle(self, body: bytes | str, context: CallContext) -> str | None:
        try:
            message = decode_body(
                body, self._limits.max_json_depth, self._limits.max_json_containers
            )
        except RpcError as exc:
            return self._refuse(exc)
        if isinstance(message, list):
            if not message:
                return self._refuse(RpcError(errors.INVALID_REQUEST, "empty batch"))
            if len(message) > self._limits.max_batch_size:
                return self._refuse(
                    errors.limit_exceeded(
                        f"batch too large: {len(message)} requests, at most "
                        f"{self._limits.max_batch_size} (rpc_max_batch)"
                    )
                )
            cost = sum(self._cost(request) for request in message)
            if cost > self._limits.max_batch_cost:
                return self._refuse(
                    errors.limit_exceeded(
                        f"batch too expensive: cost {cost}, at most "
                        f"{self._limits.max_batch_cost} (rpc_max_batch_cost)"
                    )
                )
            responses = []
            for request in message:
                response = await self._call(request, context)
                if response is not None:
                    responses.append(response)
            return _encode(responses) if responses else None
        response = await self._call(message, context)
        return None if response is None else _encode(response)

    def _cost(self, request: Any) -> int:
        """The cost units of one request of a batch (1 unless its method rates it higher)."""
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return 1
        method = self._methods.get(request["method"])
        raw = request.get("params")
        if method is None or method.cost is None or not isinstance(raw, list):
            return 1
        return max(1, method.cost(raw))

    def _refuse(self, error: RpcError) -> str:
        """The single answer to a body refused as a whole (counted under ``unknown``)."""
        self._metrics.observe(UNKNOWN_METHOD, error.code, 0.0)
        return _encode(_response(None, error=error))

    async def _call(self, request: Any, context: CallContext) -> dict | None:
        if not isinstance(request, dict):
            self._metrics.observe(UNKNOWN_METHOD, errors.INVALID_REQUEST, 0.0)
            return _response(None, error=RpcError(errors.INVALID_REQUEST, "invalid request"))
        is_notification = "id" not in request
        request_id = request.get("id")
        name = request.get("method")
        if (
            not _valid_id(request_id)
            or request.get("jsonrpc") != "2.0"
            or not isinstance(name, str)
        ):
            # Always answered, even without an id: the client must learn it was malformed.
            request_id = request_id if _valid_id(request_id) else None
            self._metrics.observe(UNKNOWN_METHOD, errors.INVALID_REQUEST, 0.0)
            return _response(request_id, error=RpcError(errors.INVALID_REQUEST, "invalid request"))
        started = time.perf_counter()
        method = self._methods.get(name)
        label = name if method is not None else UNKNOWN_METHOD
        try:
            if method is None:
                raise RpcError(
                    errors.METHOD_NOT_FOUND, f"the method {name} does not exist/is not available"
                )
            raw_params = request.get("params")
            if raw_params is None:
                raw_params = []
            if not isinstance(raw_params, list):
                raise errors.invalid_params("non-array args")
            result = await method.handler(context, *method.parse_params(raw_params))
            response = _response(request_id, result=result)
            code = None
        except RpcError as exc:
            response, code = _response(request_id, error=exc), exc.code
        except Exception as exc:  # noqa: BLE001 - the server must survive any handler bug
            error = errors.from_chain_error(exc)
            if error is None:
                # -32603 is for this node's own bugs only: every client mistake has its code.
                log.exception("rpc.internal_error", method=name)
                self._metrics.internal_error(label)
                error = RpcError(errors.INTERNAL_ERROR, "internal error")
            response, code = _response(request_id, error=error), error.code
        self._metrics.observe(label, code, time.perf_counter() - started)
        return None if is_notification else response


def _encode(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"))
