"""A synthetic L1 and L2 pre-state for driving the fault-proof program without a node.

``World`` builds, in memory, exactly what the program reads through the oracle (SPEC §10): an L1
chain of headers whose head's state trie holds the CTC account and its storage laid out as
contracts/src/L1/CanonicalTransactionChain.sol does, batch data and queue element preimages, and
an L2 parent (output root preimage, header, state trie with the L1Block predeploy's slots). Every
piece is a keccak preimage in one ``DictSource``, so the program verifies all of it as it would
in a dispute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import rlp
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak

from rollup_node.config import RollupConfig
from rollup_node.derivation.attributes import derivation_params
from rollup_node.faultproof.oracle.source import DictSource
from rollup_node.faultproof.program.host import Dispute, consensus_config_preimage
from rollup_node.protocol.derivation import block_timestamp
from rollup_node.protocol.predeploys import L1_BLOCK

EMPTY_ROOT = keccak(rlp.encode(b""))
EMPTY_UNCLES = keccak(rlp.encode([]))
L1_BLOCK_TIME = 12


def header_rlp(fields: dict) -> bytes:
    """A Cancun header with the given fields (the others zero or empty)."""
    return rlp.encode(
        [
            fields.get("parent_hash", b"\0" * 32),
            EMPTY_UNCLES,
            b"\0" * 20,
            fields.get("state_root", EMPTY_ROOT),
            EMPTY_ROOT,
            EMPTY_ROOT,
            b"\0" * 256,
            0,
            fields["number"],
            fields.get("gas_limit", 30_000_000),
            fields.get("gas_used", 0),
            fields["timestamp"],
            b"",
            fields.get("mix_hash", b"\0" * 32),
            b"\0" * 8,
            fields.get("base_fee", 7),
            EMPTY_ROOT,
            0,
            0,
            b"\0" * 32,
        ]
    )


def _hex_prefix(path: str, leaf: bool) -> bytes:
    """The hex-prefix encoding of a nibble path given as hex digits."""
    flag = 2 if leaf else 0
    return bytes.fromhex(f"{flag + 1}{path}" if len(path) % 2 else f"{flag}0{path}")


def trie_nodes(items: dict[bytes, bytes]) -> tuple[bytes, dict[bytes, bytes]]:
    """The root of the Merkle Patricia trie holding ``items`` (key -> RLP value; empty values
    left out) and every node referenced by hash, built in one pass over the sorted keys.

    The same trie as ``trie.HexaryTrie`` (a test pins them), but linear: a CTC with hundreds of
    thousands of queue slots (bench/fpp_worst_case.py) takes minutes, not hours.
    """
    nodes: dict[bytes, bytes] = {}
    pairs = sorted((key.hex(), value) for key, value in items.items() if value)

    def ref(encoded: bytes) -> object:
        if len(encoded) < 32:
            return rlp.decode(encoded)  # embedded in its parent
        digest = keccak(encoded)
        nodes[digest] = encoded
        return digest

    def build(lo: int, hi: int, depth: int) -> bytes:
        if hi - lo == 1:
            path, value = pairs[lo]
            return rlp.encode([_hex_prefix(path[depth:], True), value])
        first, last = pairs[lo][0], pairs[hi - 1][0]
        common = depth
        while first[common] == last[common]:
            common += 1
        if common > depth:
            child = ref(build(lo, hi, common))
            return rlp.encode([_hex_prefix(first[depth:common], False), child])
        branch: list[object] = [b""] * 17
        start = lo
        while start < hi:
            nibble = pairs[start][0][depth]
            end = start + 1
            while end < hi and pairs[end][0][depth] == nibble:
                end += 1
            branch[int(nibble, 16)] = ref(build(start, end, depth + 1))
            start = end
        return rlp.encode(branch)

    root = rlp.encode(b"") if not pairs else build(0, len(pairs), 0)
    digest = keccak(root)
    nodes[digest] = root
    return digest, nodes


def _slot(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _array_slot(array: int, index: int) -> bytes:
    base = int.from_bytes(keccak(_slot(array)), "big")
    return _slot((base + index) % 2**256)


@dataclass
class QueueElement:
    """One CTC deposit, with every field of its queue element hash preimage."""

    sender: bytes
    to: bytes
    mint: int
    gas_limit: int
    is_creation: bool
    data: bytes
    l1_block: int

    def encode(self, l1_timestamp: int) -> bytes:
        """abi.encode(from, to, mint, gasLimit, isCreation, data, l1BlockNumber, l1Timestamp)."""
        return abi_encode(
            ["address", "address", "uint256", "uint64", "bool", "bytes", "uint256", "uint256"],
            [
                self.sender,
                self.to,
                self.mint,
                self.gas_limit,
                self.is_creation,
                self.data,
                self.l1_block,
                l1_timestamp,
            ],
        )


@dataclass
class Batch:
    """A CTC batch; ``data`` is None for a forced batch."""

    data: bytes | None
    num_blocks: int
    prev_queue_index: int
    queue_index_after: int
    l1_block: int


@dataclass
class World:
    """The L1 chain, the CTC and the agreed L2 parent of one dispute."""

    config: RollupConfig
    l1_head_number: int
    queue: list[QueueElement] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)
    parent_origin: int = 0
    parent_sequence: int = 0
    source: DictSource = field(default_factory=DictSource)
    l1_hashes: list[bytes] = field(default_factory=list)
    _encoded: dict[int, tuple[QueueElement, int, bytes]] = field(default_factory=dict, repr=False)

    def l1_timestamp(self, number: int) -> int:
        return self.config.l2_genesis_timestamp - 200 + number * L1_BLOCK_TIME

    def l1_mix_hash(self, number: int) -> bytes:
        return keccak(b"mix" + number.to_bytes(8, "big"))

    def l1_base_fee(self, number: int) -> int:
        return 1000 + number

    def queue_hash(self, index: int) -> bytes:
        return keccak(self._queue_preimage(self.queue[index]))

    def _queue_preimage(self, element: QueueElement) -> bytes:
        # a long queue often repeats one element object (bench/fpp_worst_case.py): encode once
        timestamp = self.l1_timestamp(element.l1_block)
        cached = self._encoded.get(id(element))
        if cached is None or cached[0] is not element or cached[1] != timestamp:
            cached = (element, timestamp, element.encode(timestamp))
            self._encoded[id(element)] = cached
        return cached[2]

    def _ctc_storage(self) -> dict[bytes, int]:
        storage: dict[bytes, int] = {}
        storage[_slot(0)] = len(self.queue)
        storage[_slot(1)] = len(self.queue)
        storage[_slot(2)] = len(self.queue) + 1
        prefix = 0
        for i, element in enumerate(self.queue):
            storage[_array_slot(0, i)] = int.from_bytes(self.queue_hash(i), "big")
            storage[_array_slot(1, i)] = element.l1_block
            prefix += element.gas_limit
            storage[_array_slot(2, i + 1)] = prefix
        storage[_slot(3)] = len(self.batches)
        total = 0
        for b, batch in enumerate(self.batches):
            fields = [
                int.from_bytes(keccak(batch.data), "big") if batch.data is not None else 0,
                total,
                batch.num_blocks,
                batch.prev_queue_index,
                batch.queue_index_after,
                batch.l1_block,
                int.from_bytes(self.l1_hashes[batch.l1_block - 1], "big"),
                1 if batch.data is None else 0,
            ]
            for f, value in enumerate(fields):
                storage[_array_slot(3, 8 * b + f)] = value
            total += batch.num_blocks
        storage[_slot(4)] = total
        storage[_slot(5)] = self.batches[-1].queue_index_after if self.batches else 0
        return storage

    def _storage_trie(self, slots: dict[bytes, int | bytes]) -> bytes:
        items = {}
        for slot, value in slots.items():
            as_int = value if isinstance(value, int) else int.from_bytes(value, "big")
            items[keccak(slot)] = rlp.encode(as_int) if as_int else b""
        root, nodes = trie_nodes(items)
        self._store(nodes)
        return root

    def _state_trie(self, accounts: dict[bytes, bytes]) -> bytes:
        items = {
            keccak(address): rlp.encode([1, 0, storage_root, keccak(b"")])
            for address, storage_root in accounts.items()
        }
        root, nodes = trie_nodes(items)
        self._store(nodes)
        return root

    def _store(self, db: dict[bytes, bytes]) -> None:
        for node in db.values():
            self.source.put_keccak(node)

    def anchor_genesis(self, anchor_number: int) -> None:
        """Anchor the L2 genesis at L1 block ``anchor_number`` of this world, then rebuild L1
        (the CTC state depends on the config, and the config on the anchor's hash)."""
        from rollup_node.config import L1Anchor

        self.build_l1()
        anchor = L1Anchor(
            number=anchor_number,
            hash="0x" + self.l1_hashes[anchor_number].hex(),
            timestamp=self.l1_timestamp(anchor_number),
            base_fee=self.l1_base_fee(anchor_number),
            mix_hash="0x" + self.l1_mix_hash(anchor_number).hex(),
        )
        self.config = self.config.model_copy(update={"genesis_l1": anchor})
        self.build_l1()

    def build_l1(self) -> DictSource:
        """Store the L1 side: headers up to the head, the CTC's state, batches and queue."""
        self.l1_hashes = []
        for number in range(self.l1_head_number + 1):
            state_root = EMPTY_ROOT
            if number == self.l1_head_number:
                # the CTC storage names parent hashes of earlier blocks, known by now
                ctc_root = self._storage_trie(self._ctc_storage())
                ctc = bytes.fromhex(self.config.l1_addresses.canonical_transaction_chain[2:])
                state_root = self._state_trie({ctc: ctc_root})
            encoded = header_rlp(
                {
                    "parent_hash": self.l1_hashes[-1] if number else b"\0" * 32,
                    "number": number,
                    "timestamp": self.l1_timestamp(number),
                    "mix_hash": self.l1_mix_hash(number),
                    "base_fee": self.l1_base_fee(number),
                    "state_root": state_root,
                }
            )
            self.source.put_keccak(encoded)
            self.l1_hashes.append(keccak(encoded))

        for batch in self.batches:
            if batch.data is not None:
                self.source.put_keccak(batch.data)
        for element in {id(e): e for e in self.queue}.values():
            self.source.put_keccak(self._queue_preimage(element))

        return self.source

    def build(self, n: int, disputed_root: bytes = b"\x11" * 32) -> DictSource:
        """Store every preimage and the local inputs of a dispute over L2 block ``n``, with a
        synthetic L2 parent whose state holds only the L1Block predeploy."""
        self.build_l1()
        l1_block_root = self._storage_trie(
            {
                _slot(0): self.parent_origin,
                _slot(1): self.l1_timestamp(self.parent_origin),
                _slot(2): self.l1_base_fee(self.parent_origin),
                _slot(3): self.l1_hashes[self.parent_origin],
                _slot(4): self.parent_sequence,
            }
        )
        l2_state = self._state_trie({L1_BLOCK: l1_block_root})
        parent_header = header_rlp(
            {
                "number": n - 1,
                "timestamp": block_timestamp(derivation_params(self.config), n - 1),
                "state_root": l2_state,
            }
        )
        self.source.put_keccak(parent_header)
        output = b"\0" * 32 + l2_state + EMPTY_ROOT + keccak(parent_header)
        pre_root = keccak(output)
        self.source.put_keccak(output)
        self.source.put_keccak(consensus_config_preimage(self.config))
        dispute = Dispute(self.l1_hashes[-1], pre_root, disputed_root, n, self.config)
        for key, value in dispute.local_preimages().items():
            self.source.put(key, value)
        return self.source
