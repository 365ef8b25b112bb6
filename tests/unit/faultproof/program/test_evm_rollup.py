"""The C EVM's rollup rules (SPEC §3.2 deposits, §3.4 L1 data fee), checked against post-state
roots computed independently in Python from the protocol package's own encoders and fee rule."""

from __future__ import annotations

import rlp
from eth_account import Account
from eth_utils import keccak
from trie import HexaryTrie

from rollup_node.faultproof.program import statetest
from rollup_node.protocol.deposits import DepositTx
from rollup_node.protocol.l1_fee import L1FeeParams, l1_fee

EMPTY_CODE_HASH = keccak(b"")
EMPTY_ROOT = HexaryTrie(db={}).root_hash
ETHER = 10**18
COINBASE = bytes.fromhex("4200000000000000000000000000000000000011")
VAULT = bytes.fromhex("420000000000000000000000000000000000001a")
RECIPIENT = bytes.fromhex("00000000000000000000000000000000000000bb")
REVERTER = bytes.fromhex("00000000000000000000000000000000000000cc")
REVERT_CODE = bytes.fromhex("60006000fd")  # PUSH1 0 PUSH1 0 REVERT
KEY = Account.from_key("0x" + "11" * 32)
SENDER = bytes.fromhex(KEY.address[2:])
CHAIN_ID = 901
BASE_FEE = 7
EMPTY_LOGS = keccak(rlp.encode([]))

ENV = {
    "currentCoinbase": "0x" + COINBASE.hex(),
    "currentNumber": "0x01",
    "currentTimestamp": "0x03e8",
    "currentGasLimit": "0x01c9c380",
    "currentBaseFee": hex(BASE_FEE),
    "currentRandom": "0x" + "00" * 32,
}


def state_root(accounts: dict[bytes, tuple[int, int, bytes]]) -> bytes:
    """Root of accounts ``address -> (nonce, balance, code)`` without storage."""
    t = HexaryTrie(db={})
    for address, (nonce, balance, code) in accounts.items():
        t[keccak(address)] = rlp.encode([nonce, balance, EMPTY_ROOT, keccak(code)])
    return t.root_hash


def pre_json(accounts: dict[bytes, tuple[int, int, bytes]]) -> dict:
    return {
        "0x" + a.hex(): {"nonce": hex(n), "balance": hex(b), "code": "0x" + c.hex(), "storage": {}}
        for a, (n, b, c) in accounts.items()
    }


def run(pre: dict, tx: bytes, expected: dict, fee: statetest.L1FeeParams | None = None) -> None:
    case = statetest.StateTestCase(
        name="rollup",
        encoded=statetest.encode_case(ENV, pre_json(pre), tx, CHAIN_ID, fee),
        expected_hash=state_root(expected),
        expected_logs=EMPTY_LOGS,
    )
    summary = statetest.run_cases([case])
    assert summary.passed == 1, summary.failed[0].detail


def deposit(value: int, mint: int, to: bytes, gas: int = 100_000) -> bytes:
    return DepositTx(
        source_hash=b"\x01" * 32,
        sender=SENDER,
        to=to,
        mint=mint,
        value=value,
        gas=gas,
        is_system_tx=False,
        data=b"",
    ).encode()


def test_deposit_mints_then_transfers_without_fees() -> None:
    tx = deposit(value=ETHER // 2, mint=ETHER, to=RECIPIENT)
    run({}, tx, {SENDER: (1, ETHER // 2, b""), RECIPIENT: (0, ETHER // 2, b"")})


def test_failed_deposit_keeps_mint_and_nonce() -> None:
    tx = deposit(value=2 * ETHER, mint=ETHER, to=RECIPIENT)
    run({}, tx, {SENDER: (1, ETHER, b"")})


def test_reverting_deposit_keeps_mint_and_nonce() -> None:
    tx = deposit(value=ETHER // 10, mint=ETHER, to=REVERTER)
    pre = {REVERTER: (1, 0, REVERT_CODE)}
    run(pre, tx, {SENDER: (1, ETHER, b""), REVERTER: (1, 0, REVERT_CODE)})


def signed_transfer(price: int, value: int) -> bytes:
    tx = {
        "nonce": 0,
        "gasPrice": price,
        "gas": 21_000,
        "to": "0x" + RECIPIENT.hex(),
        "value": value,
        "data": b"",
        "chainId": CHAIN_ID,
    }
    return bytes(Account.sign_transaction(tx, KEY.key).raw_transaction)


FEE = L1FeeParams(l1_base_fee=30 * 10**9, overhead=188, scalar=1_000_000)
FEE_ENV = statetest.L1FeeParams(FEE.l1_base_fee, FEE.overhead, FEE.scalar, VAULT)


def test_user_transaction_pays_the_l1_data_fee_to_the_vault() -> None:
    price, value, balance = 10, 1, ETHER
    tx = signed_transfer(price, value)
    fee = l1_fee(tx, FEE)
    assert fee > 0
    expected = {
        SENDER: (1, balance - 21_000 * price - fee - value, b""),
        RECIPIENT: (0, value, b""),
        COINBASE: (0, 21_000 * (price - BASE_FEE), b""),
        VAULT: (0, fee, b""),
    }
    run({SENDER: (0, balance, b"")}, signed_transfer(price, value), expected, FEE_ENV)


def test_l1_fee_beyond_the_balance_makes_the_transaction_invalid() -> None:
    price, value = 10, 1
    tx = signed_transfer(price, value)
    balance = 21_000 * price + value + l1_fee(tx, FEE) - 1
    pre = {SENDER: (0, balance, b"")}
    run(pre, tx, pre, FEE_ENV)
    # Without the fee the same balance suffices: the L1 fee alone made it invalid.
    expected = {
        SENDER: (1, balance - 21_000 * price - value, b""),
        RECIPIENT: (0, value, b""),
        COINBASE: (0, 21_000 * (price - BASE_FEE), b""),
    }
    run(pre, tx, expected)


def ordered_trie_root(values: list[bytes]) -> bytes:
    t = HexaryTrie(db={})
    for index, value in enumerate(values):
        t[rlp.encode(index)] = value
    return t.root_hash


def test_block_of_deposit_and_transfers_gives_the_header_roots() -> None:
    depositor = bytes.fromhex("00000000000000000000000000000000000000dd")
    deposit_tx = DepositTx(
        source_hash=b"\x02" * 32,
        sender=depositor,
        to=RECIPIENT,
        mint=ETHER,
        value=ETHER // 10,
        gas=100_000,
        is_system_tx=False,
        data=b"",
    ).encode()
    price, balance = 10, ETHER

    def transfer(nonce: int, value: int) -> bytes:
        tx = {
            "nonce": nonce,
            "gasPrice": price,
            "gas": 21_000,
            "to": "0x" + RECIPIENT.hex(),
            "value": value,
            "data": b"",
            "chainId": CHAIN_ID,
        }
        return bytes(Account.sign_transaction(tx, KEY.key).raw_transaction)

    first, second, stale = transfer(0, 1), transfer(1, 2), transfer(0, 5)
    result = statetest.run_block(
        ENV, pre_json({SENDER: (0, balance, b"")}), [deposit_tx, first, stale, second], CHAIN_ID
    )

    expected_state = {
        depositor: (1, ETHER - ETHER // 10, b""),
        SENDER: (2, balance - 2 * 21_000 * price - 3, b""),
        RECIPIENT: (0, ETHER // 10 + 3, b""),
        COINBASE: (0, 2 * 21_000 * (price - BASE_FEE), b""),
    }
    no_bloom = bytes(256)
    receipts = [
        b"\x7e" + rlp.encode([1, 21_000, no_bloom, [], 0, 1]),
        rlp.encode([1, 42_000, no_bloom, []]),
        rlp.encode([1, 63_000, no_bloom, []]),
    ]
    assert result.transaction_count == 3  # the stale-nonce transfer is dropped
    assert result.gas_used == 63_000
    assert result.state_root == state_root(expected_state)
    assert result.transactions_root == ordered_trie_root([deposit_tx, first, second])
    assert result.receipts_root == ordered_trie_root(receipts)
    assert result.logs_bloom == no_bloom
