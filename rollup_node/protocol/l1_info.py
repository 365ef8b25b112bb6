"""The L1-info deposit that opens every L2 block (SPEC §3.3a).

It calls ``L1Block.setL1BlockValues`` with the block's L1 origin, so that contracts (and the
L1 data fee) see the L1 base fee, and so that the next block can read its parent's origin and
sequence number from state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from eth_hash.auto import keccak

from rollup_node.protocol.deposits import DepositTx, l1_info_source_hash
from rollup_node.protocol.predeploys import (
    L1_BLOCK,
    L1_BLOCK_NUMBER_SLOT,
    L1_BLOCK_SEQUENCE_SLOT,
    L1_INFO_DEPOSIT_GAS,
    L1_INFO_DEPOSITOR,
)

SET_L1_BLOCK_VALUES_SELECTOR = keccak(b"setL1BlockValues(uint64,uint64,uint256,bytes32,uint64)")[:4]


@dataclass(frozen=True, slots=True)
class L1Origin:
    """The L1 block an L2 block refers to: what the L1-info deposit records."""

    number: int
    hash: bytes
    timestamp: int
    base_fee: int
    mix_hash: bytes


def sequence_number(origin_number: int, parent_origin_number: int, parent_sequence: int) -> int:
    """0 when the origin changes from the parent's, else the parent's sequence number + 1."""
    return 0 if origin_number != parent_origin_number else parent_sequence + 1


def set_l1_block_values_calldata(origin: L1Origin, sequence: int) -> bytes:
    """ABI-encoded ``setL1BlockValues(number, timestamp, basefee, hash, sequenceNumber)``."""
    return (
        SET_L1_BLOCK_VALUES_SELECTOR
        + origin.number.to_bytes(32, "big")
        + origin.timestamp.to_bytes(32, "big")
        + origin.base_fee.to_bytes(32, "big")
        + origin.hash
        + sequence.to_bytes(32, "big")
    )


def l1_info_deposit(origin: L1Origin, sequence: int, l2_block_number: int) -> DepositTx:
    """The L1-info deposit of L2 block ``l2_block_number``."""
    return DepositTx(
        source_hash=l1_info_source_hash(origin.hash, l2_block_number),
        sender=L1_INFO_DEPOSITOR,
        to=L1_BLOCK,
        mint=0,
        value=0,
        gas=L1_INFO_DEPOSIT_GAS,
        is_system_tx=False,
        data=set_l1_block_values_calldata(origin, sequence),
    )


class L2Storage(Protocol):
    """Storage reads of the L2 chain (the ``Chain`` facade has it)."""

    def storage_at(self, address: bytes, slot: int, block_number: int) -> bytes:
        """A storage word after ``block_number``."""
        ...


def parent_l1_info(state: L2Storage, parent_number: int) -> tuple[int, int]:
    """The L1 origin number and sequence number of L2 block ``parent_number``, as its L1-info
    deposit stored them in the L1Block predeploy (SPEC §3.3): what the next block's
    ``sequence_number`` and origin choice start from, for the sequencer and derivation alike."""
    number = state.storage_at(L1_BLOCK, L1_BLOCK_NUMBER_SLOT, parent_number)
    sequence = state.storage_at(L1_BLOCK, L1_BLOCK_SEQUENCE_SLOT, parent_number)
    return int.from_bytes(number, "big"), int.from_bytes(sequence, "big")
