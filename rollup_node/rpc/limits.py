"""Configured bounds of the RPC server; exceeding one is error -32005 (SPEC §12)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RpcLimits:
    """Upper bounds that protect the node from expensive or oversized requests.

    ``max_body_bytes`` bounds an HTTP body and a WebSocket message; the server refuses a
    larger one while reading it, never holding more than this in memory.
    """

    max_body_bytes: int = 5 * 1024 * 1024
    max_batch_size: int = 100
    max_logs_block_range: int = 10_000
    max_logs_results: int = 10_000
    max_fee_history_blocks: int = 1024
    max_filters: int = 1_000
    filter_timeout_seconds: float = 300.0
    max_subscriptions_per_connection: int = 100
