"""Calls answered without the interpreter: a message to an account that has no code.

``eth_call`` and ``eth_estimateGas`` (SPEC §8) of a plain transfer or a call to an empty account
are what wallets send most. py-evm would build a whole state object, run the sender checks,
move the value and start a computation over empty code, which ends at once with all its gas
left and no output. This module gives the same answer from two account reads: the recipient's
(no code, not a precompile) and the sender's balance, with the same checks in the same order
and the same messages as ``Chain._execute`` — so the result tuple is identical, which
``tests/unit/chain/test_call_shortcuts.py`` checks against the interpreter.

It applies only when nothing can change that: no state overrides (they may give the recipient
code or the sender a balance) and no execution observer (``eth_createAccessList`` watches the
run itself).
"""

from __future__ import annotations

from collections.abc import Collection

from eth.constants import EMPTY_SHA3

from rollup_node.chain.account_reads import AccountReads
from rollup_node.chain.queries import CallRequest
from rollup_node.protocol.transaction_validity import intrinsic_gas_of

ZERO_ADDRESS = b"\x00" * 20


def call_without_code(
    reads: AccountReads,
    state_root: bytes,
    request: CallRequest,
    gas: int,
    precompiles: Collection[bytes],
    at_head: bool = False,
) -> tuple[bool, bytes, int, str] | None:
    """``(success, output, gas used, error)`` of ``request`` at ``state_root`` when its
    recipient has no code and is no precompile; ``None`` when the interpreter must run it."""
    recipient = request.to
    if recipient is None or recipient in precompiles:
        return None
    if reads.account(state_root, recipient, at_head).code_hash != EMPTY_SHA3:
        return None
    sender = request.sender or ZERO_ADDRESS
    data = request.data or b""
    value = request.value or 0
    intrinsic = intrinsic_gas_of(data, False, request.access_list or ())
    if gas < intrinsic:
        return False, b"", gas, f"intrinsic gas too low: have {gas}, want {intrinsic}"
    gas_price = request.gas_price or request.max_fee_per_gas or 0
    if gas_price or value:
        balance = reads.account(state_root, sender, at_head).balance
        if gas_price and balance < gas * gas_price + value:
            return False, b"", gas, "insufficient funds for gas * price + value"
        if value and balance < value:
            return False, b"", gas, "insufficient funds for transfer"
    # Empty code stops at once: all the message's gas (gas - intrinsic) is left, no output.
    return True, b"", intrinsic, ""
