"""The blob base fee of EIP-4844 (Cancun), which SPEC §3.5 keeps at its minimum on L2.

L2 blocks carry no blobs (``blob_gas_used = excess_blob_gas = 0``, SPEC §3.5), so the fee is
``MIN_BLOB_BASE_FEE``; the formula is still needed where excess blob gas is not zero: Ethereum's
state tests replayed through the fault-proof program and ``eth_blobBaseFee``/``eth_feeHistory``.
"""

from __future__ import annotations

MIN_BLOB_BASE_FEE = 1
BLOB_BASE_FEE_UPDATE_FRACTION = 3_338_477


def fake_exponential(factor: int, numerator: int, denominator: int) -> int:
    """EIP-4844's integer approximation of ``factor · e^(numerator / denominator)``."""
    i, output, accumulator = 1, 0, factor * denominator
    while accumulator > 0:
        output += accumulator
        accumulator = accumulator * numerator // (denominator * i)
        i += 1
    return output // denominator


def blob_base_fee(excess_blob_gas: int) -> int:
    """The blob base fee of a block with this excess blob gas."""
    return fake_exponential(MIN_BLOB_BASE_FEE, excess_blob_gas, BLOB_BASE_FEE_UPDATE_FRACTION)
