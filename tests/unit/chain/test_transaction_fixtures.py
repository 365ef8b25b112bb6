"""ethereum/tests TransactionTests (Cancun results) through the node's transaction rule:
``verify_user_transaction`` (decoding, chain id, signature, direct sender recovery) and then
``check_transaction`` against a sender that can pay anything (SPEC §3.1).

A transaction the fixtures call valid is accepted with the fixtures' sender and hash — except
a legacy transaction signed without a chain id, which SPEC §3.1 refuses (``WRONG_CHAIN_ID``);
whose sender still recovers directly as the fixtures say; one they call invalid is refused.
The fixtures' network has chain id 1.
"""

from __future__ import annotations

import json

import pytest

from rollup_node.chain.transactions import (
    decode_user_transaction,
    recover_sender,
    verify_user_transaction,
)
from rollup_node.protocol.errors import RejectReason, TransactionRejected
from rollup_node.protocol.transaction_validity import BlockContext, SenderState, check_transaction
from tests.ethereum_tests import absent_params, ethereum_tests_root, fixture_path

FORK = "Cancun"
CHAIN_ID = 1


def _cases() -> list[tuple[str, dict]]:
    root = ethereum_tests_root() / "TransactionTests"
    cases = []
    for path in sorted(root.glob("**/*.json")):
        for name, case in json.loads(path.read_text()).items():
            if FORK in case["result"]:
                cases.append((f"{path.parent.name}/{name}", case))
    return cases


CASES = _cases()
# Without the fixtures, one placeholder skipped with the reason (an empty list would be
# skipped as "got empty parameter set", which says nothing of where to get them).
PARAMS = absent_params(2, "TransactionTests") or [
    pytest.param(name, case, id=name) for name, case in CASES
]


def _outcome(raw: bytes) -> tuple[bytes, bytes] | RejectReason:
    try:
        verified = verify_user_transaction(raw, CHAIN_ID)
        account = SenderState(nonce=verified.fields.nonce, balance=2**256 - 1, has_code=False)
        check_transaction(verified.fields, len(raw), account, 0, BlockContext(CHAIN_ID, 0, 2**63))
    except TransactionRejected as exc:
        return exc.reason
    return verified.sender, verified.record.hash


def test_fixtures_present() -> None:
    fixture_path("TransactionTests")
    assert len(CASES) > 100


@pytest.mark.parametrize(("name", "case"), PARAMS)
def test_transaction_fixture(name: str, case: dict) -> None:
    raw = bytes.fromhex(case["txbytes"][2:])
    expected = case["result"][FORK]
    outcome = _outcome(raw)
    if "exception" in expected:
        assert isinstance(outcome, RejectReason), f"accepted; fixtures: {expected['exception']}"
        return
    sender, tx_hash = bytes.fromhex(expected["sender"][2:]), bytes.fromhex(expected["hash"][2:])
    if raw[0] >= 0xC0 and outcome == RejectReason.WRONG_CHAIN_ID:
        # Legacy without EIP-155: valid on Ethereum, refused by SPEC §3.1; its sender still
        # recovers directly as the fixtures say (the pre-EIP-155 signing payload).
        tx = decode_user_transaction(raw)
        assert tx.v in (27, 28)
        assert recover_sender(tx, raw) == sender
        return
    assert outcome == (sender, tx_hash)
