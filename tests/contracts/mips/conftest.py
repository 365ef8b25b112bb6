"""MIPS.sol and PreimageOracle.sol deployed on the test chain, with a step checker."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from web3 import Web3
from web3.contract import Contract

from rollup_node.faultproof.mips.state import State
from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.mips.witness import StepWitness, prove_step
from rollup_node.faultproof.oracle.keys import KeyType
from tests.contracts.deployments import deploy_vm

LOCAL_CONTEXT = b"\x42" * 32


@dataclass
class OnChainVM:
    """Replays reference steps through ``MIPS.step`` and compares post-state hashes."""

    w3: Web3
    mips: Contract
    oracle: Contract

    @property
    def sender(self) -> str:
        return self.w3.eth.accounts[0]

    def load_part(self, witness: StepWitness) -> None:
        """Give the oracle contract the preimage part the step reads."""
        key, offset, value = witness.preimage_key, witness.preimage_offset, witness.preimage_value
        assert key is not None and offset is not None and value is not None
        tx = {"from": self.sender}
        if key[0] == KeyType.LOCAL:
            ident = int.from_bytes(key[1:], "big")
            word = value.ljust(32, b"\0")
            call = self.oracle.functions.loadLocalData(
                ident, LOCAL_CONTEXT, word, len(value), offset
            )
        elif key[0] == KeyType.KECCAK:
            call = self.oracle.functions.loadKeccak256PreimagePart(offset, value)
        else:
            raise AssertionError(f"test loads only local and keccak parts, not type {key[0]}")
        self.w3.eth.wait_for_transaction_receipt(call.transact(tx))

    def step(self, witness: StepWitness) -> bytes:
        """The contract's post-state hash for ``witness``."""
        if witness.preimage_key is not None:
            self.load_part(witness)
        call = self.mips.functions.step(witness.state, witness.proof, LOCAL_CONTEXT)
        return bytes(call.call({"from": self.sender}))

    def gas(self, witness: StepWitness) -> int:
        """Gas of a ``step`` transaction for ``witness`` (parts already loaded)."""
        call = self.mips.functions.step(witness.state, witness.proof, LOCAL_CONTEXT)
        return call.estimate_gas({"from": self.sender})

    def check(self, state: State, io: HostIO | None = None) -> StepWitness:
        """Step ``state`` in the reference VM and assert the contract agrees."""
        witness = prove_step(state, io)
        assert self.step(witness) == witness.post_state_hash
        return witness


@pytest.fixture
def onchain_vm(evm_w3: Web3) -> OnChainVM:
    """A fresh PreimageOracle and MIPS pair."""
    oracle, mips = deploy_vm(evm_w3)
    return OnChainVM(evm_w3, mips, oracle)
