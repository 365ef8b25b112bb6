"""Calls to accounts without code answered without the interpreter (``chain/call_shortcuts.py``)
give exactly the interpreter's result — success, output, gas used, error — and ``eth_call`` /
``eth_estimateGas`` answer identically, over random requests (values, fee fields, gas limits
below and above the intrinsic cost, data, access lists, poor and rich senders, empty,
funded, coded and precompile recipients) at random heights of a real embedded L1 chain.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from rollup_node.chain.call_shortcuts import call_without_code
from rollup_node.chain.errors import ExecutionReverted
from rollup_node.chain.genesis import devnet_accounts
from rollup_node.chain.queries import AccountOverride, CallRequest
from rollup_node.chain.vm import L1State
from rollup_node.devnet.l1 import EmbeddedL1
from rollup_node.metrics import NodeMetrics

# An override of an account no request touches: it changes nothing but forces the interpreter.
FORCE_INTERPRETER = {b"\x99" * 20: AccountOverride()}


@pytest.fixture
def l1(tmp_path: Path) -> Iterator[EmbeddedL1]:
    chain = EmbeddedL1(tmp_path, 900, 3600.0, NodeMetrics(CollectorRegistry(), chain="l1"))
    yield chain
    chain.close()


def _outcome(run) -> tuple[str, object]:  # noqa: ANN001 - a zero-argument callable
    try:
        return "ok", run()
    except ExecutionReverted as error:
        return "reverted", (str(error), getattr(error, "data", None))


def test_shortcut_equals_interpreter(l1: EmbeddedL1) -> None:
    rng = random.Random(11)
    poor = b"\x21" * 20
    coded = b"\x22" * 20
    l1.set_balance(poor, 10**15)
    l1.set_code(coded, bytes([0x60, 0x01, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xF3]))
    l1.set_balance(b"\x23" * 20, 5)
    chain = l1.chain
    head = chain.head_number()
    rich = devnet_accounts()[0][0]
    senders = [None, rich, poor, b"\x24" * 20]
    recipients = [b"\x23" * 20, b"\x25" * 20, poor, rich, coded, b"\x00" * 19 + b"\x01"]
    precompiles = L1State.computation_class.get_precompiles()
    shortcut_taken = 0
    for _ in range(300):
        fee = rng.choice([{}, {"gas_price": rng.choice([1, 10**9])}, {"max_fee_per_gas": 10**9}])
        request = CallRequest(
            sender=rng.choice(senders),
            to=rng.choice(recipients),
            gas=rng.choice([None, 20_000, 21_000, 21_100, 25_000, 10**6]),
            value=rng.choice([None, 0, 1, 10**15, 10**20]),
            data=rng.choice([None, b"", rng.randbytes(rng.randrange(1, 40))]),
            access_list=rng.choice([None, ((b"\x31" * 20, (1, 2)),)]),
            **fee,
        )
        number = rng.randrange(0, head + 1)
        gas = request.gas if request.gas is not None else 30_000_000
        root = chain.block_by_number(number).state_root
        quick = call_without_code(chain._account_reads, root, request, gas, precompiles)
        slow = chain._execute(request, number, FORCE_INTERPRETER, gas)
        if quick is not None:
            shortcut_taken += 1
            assert quick == slow, request
        assert chain._execute(request, number, None, gas) == slow
        assert _outcome(lambda r=request, n=number: chain.call(r, n, None)) == _outcome(
            lambda r=request, n=number: chain.call(r, n, FORCE_INTERPRETER)
        )
        assert _outcome(lambda r=request, n=number: chain.estimate_gas(r, n, None)) == _outcome(
            lambda r=request, n=number: chain.estimate_gas(r, n, FORCE_INTERPRETER)
        )
    assert shortcut_taken > 100


def test_block_environment_reused_and_dropped_on_rewind(l1: EmbeddedL1) -> None:
    """Calls at a block reuse its environment; BLOCKHASH still names the canonical parent after
    a rewind replaced the blocks."""
    reader = b"\x26" * 20
    # BLOCKHASH(NUMBER - 1), returned as one word.
    l1.set_code(reader, bytes.fromhex("43600190034060005260206000f3"))
    for _ in range(3):
        l1.mine()
    chain = l1.chain
    head = chain.head_number()
    request = CallRequest(to=reader)
    for _ in range(2):
        assert chain.call(request, head, None) == chain.block_by_number(head - 1).hash
    l1._snapshots[7] = (head - 2, 0)
    assert l1.revert(7)
    l1.mine(chain.head().timestamp + 5)
    l1.mine()
    assert chain.head_number() == head
    assert chain.call(request, head, None) == chain.block_by_number(head - 1).hash
    assert chain.call(request, head, FORCE_INTERPRETER) == chain.block_by_number(head - 1).hash
