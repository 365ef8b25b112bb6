"""Output roots of the node's own L2 blocks (SPEC §4): what the proposer posts, the verifier
compares, the deployment records as the genesis output and the fault-proof program's host
serves. The message-passer storage root comes from the L2 state at the block."""

from __future__ import annotations

from typing import Protocol

from rollup_node.chain.queries import AccountProof
from rollup_node.chain.records import BlockRecord
from rollup_node.protocol.output_root import OutputRootPreimage
from rollup_node.protocol.predeploys import L2_TO_L1_MESSAGE_PASSER


class L2State(Protocol):
    """The chain reads an output root needs (the ``Chain`` facade has them)."""

    def block_by_number(self, number: int) -> BlockRecord | None:
        """The canonical block ``number``."""
        ...

    def get_proof(self, address: bytes, slots: list[int], block_number: int) -> AccountProof:
        """Account proof (its ``storage_hash`` is the storage root)."""
        ...


def output_at(chain: L2State, number: int) -> OutputRootPreimage:
    """The output root preimage of L2 block ``number`` (``KeyError`` if the block is unknown)."""
    block = chain.block_by_number(number)
    if block is None:
        raise KeyError(f"L2 block {number} is not known")
    storage_root = chain.get_proof(L2_TO_L1_MESSAGE_PASSER, [], number).storage_hash
    return OutputRootPreimage(block.state_root, storage_root, block.hash)
