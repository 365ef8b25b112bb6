"""Precompile preimages: the host runs the precompile for the ``precompile`` hint (SPEC §8).

The hint data is ``address20 ‖ u64 BE requiredGas ‖ input``; the result is stored under the
type-6 key as ``status byte (1 ok / 0 fail) ‖ output``. The call runs in py-evm's own Cancun
precompiles with exactly ``requiredGas``, so the status matches an on-chain call with that gas
(what ``PreimageOracle.loadPrecompilePreimagePart`` does).
"""

from __future__ import annotations

from functools import cache

from eth.constants import BLANK_ROOT_HASH
from eth.db.atomic import AtomicDB
from eth.vm.execution_context import ExecutionContext
from eth.vm.forks.cancun.computation import CancunComputation
from eth.vm.forks.cancun.state import CancunState
from eth.vm.message import Message

from rollup_node.faultproof.oracle.keys import precompile_key
from rollup_node.faultproof.oracle.source import DictSource

ORACLE_PRECOMPILES = frozenset(
    address.to_bytes(20, "big")
    for address in (
        0x01,  # ecrecover
        0x06,  # bn254 add
        0x07,  # bn254 mul
        0x08,  # bn254 pairing
        0x0A,  # KZG point evaluation
    )
)


class PrecompileHintError(ValueError):
    """A ``precompile`` hint that is too short or names a precompile outside the oracle's set."""


@cache
def _empty_state() -> CancunState:
    context = ExecutionContext(
        coinbase=bytes(20),
        timestamp=0,
        block_number=0,
        difficulty=0,
        mix_hash=bytes(32),
        gas_limit=30_000_000,
        prev_hashes=(),
        chain_id=1,
        base_fee_per_gas=0,
        excess_blob_gas=0,
    )
    return CancunState(AtomicDB(), context, BLANK_ROOT_HASH)


def run_precompile(address: bytes, required_gas: int, call_input: bytes) -> bytes:
    """``status ‖ output`` of calling precompile ``address`` with ``required_gas``."""
    if address not in ORACLE_PRECOMPILES:
        raise PrecompileHintError(f"precompile {address.hex()} is not served by the oracle")
    message = Message(
        gas=required_gas, to=address, sender=bytes(20), value=0, data=call_input, code=b""
    )
    computation = CancunComputation(_empty_state(), message, None)
    with computation:
        CancunComputation._precompiles[address](computation)
    if computation.is_success:
        return b"\x01" + computation.output
    return b"\x00"


class PrecompileHintHandler:
    """Handles ``precompile`` hints by storing the result in ``store``."""

    def __init__(self, store: DictSource) -> None:
        self.store = store

    def __call__(self, data: bytes) -> None:
        """Compute and store the preimage for hint data ``address ‖ u64 gas ‖ input``."""
        if len(data) < 28:
            raise PrecompileHintError(f"precompile hint data is {len(data)} < 28 bytes")
        address, gas, call_input = data[:20], int.from_bytes(data[20:28], "big"), data[28:]
        self.store.put(
            precompile_key(address, gas, call_input), run_precompile(address, gas, call_input)
        )
