"""The validity rules of SPEC §3.1 on plain data, and ``chain/transactions.user_fields`` that
fills it from py-evm's decoded transactions: intrinsic gas pinned to py-evm's own count (plus
the init-code words py-evm leaves out), the chain id and signature checks, and the order of
the other refusals."""

from __future__ import annotations

import dataclasses
import random

import pytest
from eth.vm.forks.cancun.transactions import CancunTransactionBuilder
from eth_keys import keys

from rollup_node.chain.transactions import user_fields
from rollup_node.protocol.errors import RejectReason, TransactionRejected
from rollup_node.protocol.transaction_validity import (
    INIT_CODE_WORD_GAS,
    SECP256K1N,
    BlockContext,
    SenderState,
    UserTransaction,
    check_signature,
    check_transaction,
    intrinsic_gas,
)

KEY = keys.PrivateKey(b"\x01" * 32)
CHAIN_ID = 901


def _signed(rng: random.Random, kind: int):  # noqa: ANN202 - a py-evm signed transaction
    data = bytes(rng.choice((0, 0, 1, 255)) for _ in range(rng.randrange(0, 100)))
    to = b"" if rng.random() < 0.3 else bytes.fromhex("11" * 20)
    access_list = [
        (bytes([j + 1]) * 20, [rng.randrange(5) for _ in range(rng.randrange(3))])
        for j in range(rng.randrange(3))
    ]
    common = {"nonce": 1, "gas": 100_000, "to": to, "value": 1, "data": data}
    if kind == 0:
        return CancunTransactionBuilder.create_unsigned_transaction(
            gas_price=10, **common
        ).as_signed_transaction(KEY, chain_id=CHAIN_ID)
    if kind == 1:
        unsigned = CancunTransactionBuilder.new_unsigned_access_list_transaction(
            chain_id=CHAIN_ID, gas_price=10, access_list=access_list, **common
        )
    else:
        unsigned = CancunTransactionBuilder.new_unsigned_dynamic_fee_transaction(
            chain_id=CHAIN_ID,
            max_priority_fee_per_gas=1,
            max_fee_per_gas=10,
            access_list=access_list,
            **common,
        )
    return unsigned.as_signed_transaction(KEY)


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_intrinsic_gas_is_py_evms_plus_the_init_code_words(kind: int) -> None:
    rng = random.Random(kind)
    for _ in range(60):
        tx = _signed(rng, kind)
        words = (len(tx.data) + 31) // 32 if not tx.to else 0
        fields = user_fields(tx)
        assert fields.chain_id == CHAIN_ID and fields.type_id == kind
        assert intrinsic_gas(fields) == tx.intrinsic_gas + INIT_CODE_WORD_GAS * words


def test_legacy_without_chain_id_and_wrong_chain_are_refused() -> None:
    unsigned = CancunTransactionBuilder.create_unsigned_transaction(
        nonce=0, gas_price=10, gas=21_000, to=bytes(20), value=0, data=b""
    )
    pre_155 = user_fields(unsigned.as_signed_transaction(KEY))
    assert pre_155.chain_id is None
    with pytest.raises(TransactionRejected) as refused:
        check_signature(pre_155, CHAIN_ID)
    assert refused.value.reason is RejectReason.WRONG_CHAIN_ID
    with pytest.raises(TransactionRejected) as refused:
        check_signature(dataclasses.replace(pre_155, chain_id=1), CHAIN_ID)
    assert refused.value.reason is RejectReason.WRONG_CHAIN_ID


def test_high_s_is_refused() -> None:
    tx = user_fields(_signed(random.Random(5), 2))
    check_signature(tx, CHAIN_ID)
    with pytest.raises(TransactionRejected) as refused:
        check_signature(dataclasses.replace(tx, s=SECP256K1N - tx.s), CHAIN_ID)
    assert refused.value.reason is RejectReason.BAD_SIGNATURE


def _plain(**changes: object) -> UserTransaction:
    base = UserTransaction(
        type_id=2,
        chain_id=CHAIN_ID,
        r=1,
        s=1,
        nonce=3,
        gas=21_000,
        to=bytes(20),
        value=5,
        data=b"",
        max_fee_per_gas=10,
        max_priority_fee_per_gas=1,
    )
    return dataclasses.replace(base, **changes)


SENDER = SenderState(nonce=3, balance=21_000 * 10 + 5 + 7, has_code=False)
POORER = dataclasses.replace(SENDER, balance=SENDER.balance - 1)
WITH_CODE = dataclasses.replace(SENDER, has_code=True)
TOO_LONG_INIT = {"to": None, "data": b"\x00" * (2 * 24576 + 1), "gas": 10**7}
BLOCK = BlockContext(chain_id=CHAIN_ID, base_fee=10, gas_available=30_000_000)


@pytest.mark.parametrize(
    ("changes", "sender", "reason"),
    [
        ({"gas": 20_999}, SENDER, RejectReason.INTRINSIC_GAS_TOO_LOW),
        ({"gas": 30_000_001}, SENDER, RejectReason.GAS_ABOVE_BLOCK_LIMIT),
        ({"max_priority_fee_per_gas": 11}, SENDER, RejectReason.PRIORITY_ABOVE_MAX),
        ({"max_fee_per_gas": 9}, SENDER, RejectReason.FEE_BELOW_BASE_FEE),
        ({"nonce": 2}, SENDER, RejectReason.NONCE_TOO_LOW),
        ({"nonce": 4}, SENDER, RejectReason.NONCE_GAP),
        ({}, WITH_CODE, RejectReason.SENDER_HAS_CODE),
        ({}, POORER, RejectReason.INSUFFICIENT_FUNDS),
        (TOO_LONG_INIT, SENDER, RejectReason.INIT_CODE_TOO_LARGE),
    ],
)  # fmt: skip
def test_each_rule_refuses_with_its_reason(
    changes: dict[str, object], sender: SenderState, reason: RejectReason
) -> None:
    check_transaction(_plain(), 110, SENDER, 7, BLOCK)  # exactly affordable: valid
    with pytest.raises(TransactionRejected) as refused:
        check_transaction(_plain(**changes), 110, sender, 7, BLOCK)
    assert refused.value.reason is reason
