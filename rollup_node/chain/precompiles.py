"""Precompiles where py-evm departs from Cancun as ethereum/execution-specs defines it (SPEC §1).

SPEC §1 makes execution-specs the definition, not py-evm's behaviour where it is looser. One
precompile differs, found by the differential fuzzer (regression vector
``tests/unit/faultproof/differential/vectors/seed_8471.json``):

- **modexp (0x05)** with an empty base: py-evm answers 0 whenever the base length is 0. The
  rule (EIP-198 as execution-specs writes it) returns ``pow(base, exp, mod)`` padded to the
  modulus length, with only an empty base *and* an empty modulus giving empty output; so
  ``0 ** 0 mod m`` is 1 for every modulus above 1, as geth and the C fault-proof program give.
  Gas is py-evm's (EIP-2565), which agrees with the rule.

``RollupComputation`` is py-evm's Cancun computation with these precompiles replaced; the L2
and the embedded L1 both execute with it.
"""

from __future__ import annotations

from eth.abc import ComputationAPI
from eth.vm.forks.cancun.computation import CancunComputation

MODEXP_ADDRESS = (5).to_bytes(20, "big")

_PY_EVM_MODEXP = CancunComputation._precompiles[MODEXP_ADDRESS]


def _length(data: bytes, offset: int) -> int:
    """The 32-byte big-endian length word at ``offset`` (input zero-padded on the right)."""
    return int.from_bytes(data[offset : offset + 32].ljust(32, b"\x00"), "big")


def modexp(computation: ComputationAPI) -> ComputationAPI:
    """modexp: py-evm's gas and result, with the empty-base case computed by the rule.

    With an empty base the result is ``0 ** exp mod m``: 1 when the exponent is zero and the
    modulus above 1, else 0 — py-evm answers 0 in every case, so only the first one changes.
    The gas has been charged (or OutOfGas raised) by py-evm's call before this runs, so the
    lengths read here are already paid for.
    """
    computation = _PY_EVM_MODEXP(computation)
    data = computation.msg.data_as_bytes
    base_length, exponent_length, modulus_length = (_length(data, i) for i in (0, 32, 64))
    if base_length != 0 or modulus_length == 0:
        return computation
    exponent_is_zero = not any(data[96 : 96 + exponent_length])
    modulus_start = 96 + exponent_length
    modulus = int.from_bytes(
        data[modulus_start : modulus_start + modulus_length].ljust(modulus_length, b"\x00"), "big"
    )
    if exponent_is_zero and modulus > 1:
        computation.output = (1).to_bytes(modulus_length, "big")
    return computation


class RollupComputation(CancunComputation):
    """Cancun computation with the precompiles above corrected to the rule."""

    _precompiles = {**CancunComputation._precompiles, MODEXP_ADDRESS: modexp}
