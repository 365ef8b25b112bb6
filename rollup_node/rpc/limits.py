"""Configured bounds of the RPC server; exceeding one is error -32005 (SPEC §12)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RpcLimits:
    """Upper bounds that protect the node from expensive or oversized requests.

    ``max_body_bytes`` bounds an HTTP body and a WebSocket message; the server refuses a
    larger one while reading it, never holding more than this in memory. ``max_json_depth``
    bounds the nesting of arrays and objects and ``max_json_containers`` their number, both
    checked before decoding (see ``decode``).
    """

    max_body_bytes: int = 5 * 1024 * 1024
    # Deepest nesting of arrays/objects in a body; the deepest real request (a batch of
    # eth_call with state overrides or access lists) nests 6 levels.
    max_json_depth: int = 64
    # Arrays and objects in one body: a full batch of eth_call with access lists has ~10,000.
    max_json_containers: int = 50_000
    max_batch_size: int = 100
    max_logs_block_range: int = 10_000
    max_logs_results: int = 10_000
    max_fee_history_blocks: int = 1024
    max_filters: int = 1_000
    filter_timeout_seconds: float = 300.0
    max_subscriptions_per_connection: int = 100
