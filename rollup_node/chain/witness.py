"""The node's L2 chain as the fault-proof program's host reads it (SPEC §9).

The host (``faultproof/program/host.py``) declares what it needs from L2 — state-database
entries by hash, block headers by hash and output-root preimages — as its ``L2Reader``
protocol; ``StoreL2Reader`` serves them from the node's ``Chain``. It lives here, beside the
chain it reads, so that the program never imports the node: the node hands it this reader.
"""

from __future__ import annotations

from rollup_node.chain.chain import Chain
from rollup_node.chain.outputs import output_at


class StoreL2Reader:
    """The program host's ``L2Reader`` over the node's ``Chain`` (its store and proofs)."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self._state = chain.store.state_db()

    def node(self, key: bytes) -> bytes | None:
        """A state-database entry (trie node or code) by its hash; ``None`` if absent."""
        try:
            return self._state[key]
        except KeyError:
            return None

    def header_rlp(self, block_hash: bytes) -> bytes | None:
        """The RLP header of the L2 block ``block_hash``; ``None`` if the chain lacks it."""
        block = self.chain.store.block_by_hash(block_hash)
        return None if block is None else block.header_rlp

    def output_preimage(self, number: int) -> bytes:
        """The output-root preimage of L2 block ``number`` (SPEC §4); ``KeyError`` if unknown."""
        return output_at(self.chain, number).encode()
