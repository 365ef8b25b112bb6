"""GasPriceOracle predeploy: the L1 data fee of SPEC §3.4 on a real signed transaction."""

from __future__ import annotations

from eth_account import Account
from web3 import Web3

from tests.contracts.chain_helpers import place_predeploy
from tests.contracts.predeploys import GAS_PRICE_ORACLE, L1_BLOCK

OVERHEAD = 188
SCALAR = 1_000_000


def _signed_tx() -> bytes:
    account = Account.from_key(b"\x01" * 32)
    tx = {
        "type": 2,
        "chainId": 901,
        "nonce": 5,
        "to": "0x" + "00" * 19 + "01",
        "value": 10**18,
        "gas": 21_000,
        "maxFeePerGas": 2 * 10**9,
        "maxPriorityFeePerGas": 10**6,
        "data": b"\x00\x00\x01\x02",
    }
    return bytes(account.sign_transaction(tx).raw_transaction)


def _spec_l1_fee(raw: bytes, l1_base_fee: int, overhead: int, scalar: int) -> int:
    calldata_gas = sum(4 if b == 0 else 16 for b in raw)
    return (calldata_gas + overhead) * l1_base_fee * scalar // 1_000_000


def test_l1_fee_matches_the_spec_formula(evm_w3: Web3) -> None:
    l1_base_fee = 30 * 10**9 + 7
    place_predeploy(evm_w3, "L1Block", L1_BLOCK, {2: l1_base_fee})
    oracle = place_predeploy(evm_w3, "GasPriceOracle", GAS_PRICE_ORACLE, {0: OVERHEAD, 1: SCALAR})
    raw = _signed_tx()
    assert oracle.functions.getL1Fee(raw).call() == _spec_l1_fee(raw, l1_base_fee, OVERHEAD, SCALAR)
    assert oracle.functions.getL1GasUsed(raw).call() == (
        sum(4 if b == 0 else 16 for b in raw) + OVERHEAD
    )
    assert oracle.functions.l1BaseFee().call() == l1_base_fee
    assert oracle.functions.overhead().call() == OVERHEAD
    assert oracle.functions.scalar().call() == SCALAR
    assert oracle.functions.decimals().call() == 6


def test_division_is_last(evm_w3: Web3) -> None:
    # A scalar that is not a multiple of 10^6 and a base fee of 1 wei: dividing early would
    # round the fee to zero.
    place_predeploy(evm_w3, "L1Block", L1_BLOCK, {2: 1})
    oracle = place_predeploy(evm_w3, "GasPriceOracle", GAS_PRICE_ORACLE, {0: 0, 1: 1_500})
    raw = bytes([1]) * 1_000  # 16,000 calldata gas
    assert oracle.functions.getL1Fee(raw).call() == 16_000 * 1_500 // 1_000_000 == 24
