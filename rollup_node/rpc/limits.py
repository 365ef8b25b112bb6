"""Configured bounds of the RPC server; exceeding one is error -32005 (SPEC §12)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RpcLimits:
    """Upper bounds that protect the node from expensive or oversized requests.

    ``max_body_bytes`` bounds an HTTP body and a WebSocket message; the server refuses a
    larger one while reading it, never holding more than this in memory. ``max_json_depth``
    bounds the nesting of arrays and objects and ``max_json_containers`` their number, both
    checked before decoding (see ``decode``). Every other bound is checked before the work it
    bounds starts, and its -32005 message names the configuration key that sets it.
    """

    max_body_bytes: int = 5 * 1024 * 1024
    # Deepest nesting of arrays/objects in a body; the deepest real request (a batch of
    # eth_call with state overrides or access lists) nests 6 levels.
    max_json_depth: int = 64
    # Arrays and objects in one body: a full batch of eth_call with access lists has ~10,000.
    max_json_containers: int = 50_000
    max_batch_size: int = 100
    # The summed cost of one batch's calls (see ``Method.cost``): about one unit per block read
    # or storage proof, so a batch of 100 eth_feeHistory of 1,024 blocks (> 60 s) is refused.
    max_batch_cost: int = 10_000
    # Gas of one eth_call / eth_estimateGas (geth's RPCGasCap): an explicit gas above it is
    # refused, none given means min(this, the block gas limit).
    gas_cap: int = 50_000_000
    max_proof_keys: int = 1_024
    # One eth_call / eth_estimateGas / eth_createAccessList is stopped after this long (geth's
    # RPCEVMTimeout), and at most this many run at once: in the node, each in a worker process
    # of its own (``call_workers``); over an in-memory backend, in threads (``user_calls``).
    evm_timeout_seconds: float = 5.0
    max_concurrent_calls: int = 2
    # Added to the call workers' nice value: the node's own work (blocks, intake, cheap
    # methods) gets the CPU first; calls still get all the node leaves (``call_workers``).
    call_niceness: int = 10
    # Struct logs one debug trace may hold (the default tracer records every opcode, so a
    # client-chosen loop would otherwise fill memory); more is -32005 naming the key.
    max_trace_steps: int = 100_000
    max_logs_block_range: int = 10_000
    max_logs_results: int = 10_000
    max_fee_history_blocks: int = 1024
    max_filters: int = 1_000
    filter_timeout_seconds: float = 300.0
    max_subscriptions_per_connection: int = 100
