"""The tracers (chain/tracing.py, struct_logger.py, call_tracer.py) on the embedded L1's chain,
with code placed by state overrides: their bounds, the call tracer's options, and that tracing
one state leaves every other execution untraced. (The comparison with anvil is
tests/integration/test_traces.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from rollup_node.chain.call_tracer import CallTracer, CallTracerOptions
from rollup_node.chain.chain import Chain
from rollup_node.chain.errors import TraceTooLarge
from rollup_node.chain.queries import AccountOverride, CallRequest
from rollup_node.chain.struct_logger import StructLogger, StructLogOptions
from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.metrics import NodeMetrics
from tests.integration.helpers import push

PARENT = bytes.fromhex("aa" * 20)
CHILD = bytes.fromhex("bb" * 20)
SENDER = bytes.fromhex("cc" * 20)
GAS = 1_000_000


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    l1 = EmbeddedL1(tmp_path, 900, 0, NodeMetrics(CollectorRegistry(), chain="l1"))
    yield l1.chain
    l1.close()


def _trace(chain: Chain, code: dict[bytes, bytes], tracer: StructLogger | CallTracer) -> dict:
    overrides = {address: AccountOverride(code=body) for address, body in code.items()}
    request = CallRequest(sender=SENDER, to=PARENT, gas=GAS)
    return chain.trace_call(request, chain.head_number(), overrides, tracer)


# LOG0 of one byte, then CALL the child (which logs and reverts), then STOP.
PARENT_CODE = (
    push(1) + push(0) + b"\xa0"  # LOG0(0, 1)
    + push(0) * 5 + push(CHILD) + b"\x5a\xf1\x50"  # CALL(gas, child, 0, 0, 0, 0, 0)
    + b"\x00"
)  # fmt: skip
CHILD_CODE = push(2) + push(0) + b"\xa0" + push(0) + push(0) + b"\xfd"  # LOG0; REVERT(0, 0)


def test_call_tracer_logs_drop_with_their_failed_frame_and_only_top_call(chain: Chain) -> None:
    code = {PARENT: PARENT_CODE, CHILD: CHILD_CODE}
    tree = _trace(chain, code, CallTracer(CallTracerOptions(with_log=True)))
    assert tree["logs"] == [{"address": "0x" + PARENT.hex(), "topics": [], "data": "0x00"}]
    (child,) = tree["calls"]
    assert child["error"] == "execution reverted" and "logs" not in child
    top = _trace(chain, code, CallTracer(CallTracerOptions(only_top_call=True)))
    assert "calls" not in top and "logs" not in top
    assert top["gasUsed"] == tree["gasUsed"]


def test_struct_logs_bounded_by_steps_and_by_bytes(chain: Chain) -> None:
    loop = b"\x5b" + push(0) + b"\x56"  # JUMPDEST; JUMP(0)
    with pytest.raises(TraceTooLarge, match="more than 1000 steps"):
        _trace(chain, {PARENT: loop}, StructLogger(StructLogOptions(), 1_000))
    # 1,000 items on the stack, then the loop: each record would copy the whole stack.
    deep = push(1) * 1_000 + b"\x5b" + push(1_000 * 2) + b"\x56"
    with pytest.raises(TraceTooLarge, match="MiB of stack, memory and storage"):
        _trace(chain, {PARENT: deep}, StructLogger(StructLogOptions(), 10**6, 2**20))
    # The same with the stack off records nothing big: the step bound is what stops it.
    with pytest.raises(TraceTooLarge, match="steps"):
        _trace(
            chain,
            {PARENT: deep},
            StructLogger(StructLogOptions(disable_stack=True), 5_000, 2**20),
        )
