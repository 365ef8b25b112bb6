"""Output roots: what the proposer commits to for each L2 block (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_hash.auto import keccak

OUTPUT_VERSION = b"\x00" * 32


@dataclass(frozen=True, slots=True)
class OutputRootPreimage:
    """The three commitments an output root binds, for one L2 block."""

    state_root: bytes
    message_passer_storage_root: bytes
    block_hash: bytes

    def encode(self) -> bytes:
        """``bytes32(0) ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash`` (128 bytes)."""
        return OUTPUT_VERSION + self.state_root + self.message_passer_storage_root + self.block_hash

    @property
    def root(self) -> bytes:
        """The output root: keccak of the encoding."""
        return keccak(self.encode())
