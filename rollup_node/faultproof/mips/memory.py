"""The VM's 4 GiB memory as a binary Merkle tree with cached node hashes (SPEC §8).

The tree has 2^27 leaves of 32 bytes (depth 27); ``node = keccak(left ‖ right)`` and an
untouched subtree hashes to the precomputed zero hash of its height. Memory is stored as 4 KiB
pages, each holding the 128 leaves of one height-7 subtree; the 20 levels above the pages are a
sparse map. Every cached node hash is valid or absent, and when a node is absent so are all its
ancestors; a write therefore drops at most 27 hashes and the next root costs O(depth) hashes,
not a rehash of memory.

A memory proof for an address is 28 × 32 bytes: the 32-byte leaf holding it, then its 27
siblings from the bottom up.
"""

from __future__ import annotations

from collections.abc import Iterator

from Crypto.Hash import keccak as _keccak

PAGE_ADDR_BITS = 12
PAGE_SIZE = 1 << PAGE_ADDR_BITS
PAGE_ADDR_MASK = PAGE_SIZE - 1
LEAF_SIZE = 32
TREE_DEPTH = 27
PAGE_TREE_DEPTH = 7  # 128 leaves of 32 bytes per page
UPPER_DEPTH = TREE_DEPTH - PAGE_TREE_DEPTH  # 20 levels of pages
PROOF_SIZE = (TREE_DEPTH + 1) * 32
_LEAVES_PER_PAGE = 1 << PAGE_TREE_DEPTH


def keccak256(data: bytes) -> bytes:
    """Keccak-256 of ``data`` (the Ethereum hash, not SHA3-256)."""
    return _keccak.new(data=data, digest_bits=256).digest()


def _zero_hashes() -> list[bytes]:
    hashes = [bytes(32)]
    for _ in range(TREE_DEPTH):
        hashes.append(keccak256(hashes[-1] + hashes[-1]))
    return hashes


ZERO_HASHES: list[bytes] = _zero_hashes()
"""``ZERO_HASHES[h]`` is the root of an all-zero subtree of height ``h``."""


class MemoryAccessError(Exception):
    """An invalid memory operation (an unaligned word, a range past 2^32)."""


class Page:
    """4 KiB of memory and the cached hashes of its height-7 subtree.

    ``nodes`` is heap-indexed: 1 is the page root, 128..255 are the leaves; ``None`` means
    not computed since the last write below it.
    """

    __slots__ = ("data", "nodes")

    def __init__(self, data: bytes | None = None) -> None:
        self.data = bytearray(data) if data is not None else bytearray(PAGE_SIZE)
        self.nodes: list[bytes | None] = [None] * (2 * _LEAVES_PER_PAGE)

    def invalidate(self, offset: int) -> bool:
        """Forget the hashes above the leaf holding ``offset``; False if they were already gone."""
        index = _LEAVES_PER_PAGE + (offset >> 5)
        nodes = self.nodes
        if nodes[index] is None:
            return False
        while index and nodes[index] is not None:
            nodes[index] = None
            index >>= 1
        return True

    def node(self, index: int) -> bytes:
        """The hash of in-page node ``index`` (computed and cached on demand)."""
        cached = self.nodes[index]
        if cached is not None:
            return cached
        self._fill()
        return self.nodes[index]  # type: ignore[return-value]

    def _fill(self) -> None:
        """Compute every missing node bottom-up (a missing node's ancestors are missing too)."""
        nodes, data = self.nodes, self.data
        for leaf in range(_LEAVES_PER_PAGE):
            if nodes[_LEAVES_PER_PAGE + leaf] is None:
                nodes[_LEAVES_PER_PAGE + leaf] = bytes(
                    data[leaf * LEAF_SIZE : (leaf + 1) * LEAF_SIZE]
                )
        for index in range(_LEAVES_PER_PAGE - 1, 0, -1):
            if nodes[index] is None:
                nodes[index] = keccak256(nodes[2 * index] + nodes[2 * index + 1])  # type: ignore[operator]


class Memory:
    """Sparse paged memory with a Merkle root over the whole 2^32-byte space."""

    def __init__(self) -> None:
        self.pages: dict[int, Page] = {}
        # Cached hashes of the 20 levels above pages, heap-indexed: 1 is the root and
        # 2^20 + page_index is a page's root. Absent = not computed since the last write.
        self._upper: dict[int, bytes] = {}
        # Heap indices of every upper node with at least one page below it.
        self._populated: set[int] = set()

    # -- pages -------------------------------------------------------------------------------

    def _page_for_write(self, page_index: int) -> Page:
        page = self.pages.get(page_index)
        if page is None:
            page = Page()
            self.pages[page_index] = page
            # The new page turns zero subtrees into populated ones: drop the whole path.
            index = (1 << UPPER_DEPTH) + page_index
            while index:
                self._populated.add(index)
                self._upper.pop(index, None)
                index >>= 1
        return page

    def _invalidate_upper(self, page_index: int) -> None:
        index = (1 << UPPER_DEPTH) + page_index
        upper = self._upper
        while index and index in upper:
            del upper[index]
            index >>= 1

    # -- words and bytes -----------------------------------------------------------------------

    def get_word(self, addr: int) -> int:
        """The big-endian 32-bit word at 4-byte-aligned ``addr``."""
        if addr & 3:
            raise MemoryAccessError(f"unaligned word address {addr:#010x}")
        page = self.pages.get(addr >> PAGE_ADDR_BITS)
        if page is None:
            return 0
        offset = addr & PAGE_ADDR_MASK
        return int.from_bytes(page.data[offset : offset + 4], "big")

    def set_word(self, addr: int, value: int) -> None:
        """Store the big-endian 32-bit ``value`` at 4-byte-aligned ``addr``."""
        if addr & 3:
            raise MemoryAccessError(f"unaligned word address {addr:#010x}")
        page_index = addr >> PAGE_ADDR_BITS
        page = self._page_for_write(page_index)
        offset = addr & PAGE_ADDR_MASK
        if page.invalidate(offset):
            self._invalidate_upper(page_index)
        page.data[offset : offset + 4] = value.to_bytes(4, "big")

    def read(self, addr: int, length: int) -> bytes:
        """``length`` bytes starting at ``addr`` (unmapped memory reads as zeros)."""
        _check_range(addr, length)
        out = bytearray()
        while length:
            offset = addr & PAGE_ADDR_MASK
            chunk = min(length, PAGE_SIZE - offset)
            page = self.pages.get(addr >> PAGE_ADDR_BITS)
            out += page.data[offset : offset + chunk] if page is not None else bytes(chunk)
            addr += chunk
            length -= chunk
        return bytes(out)

    def write(self, addr: int, data: bytes) -> None:
        """Copy ``data`` into memory at ``addr`` (used by the loader and state hand-over)."""
        _check_range(addr, len(data))
        view = memoryview(data)
        while view:
            page_index = addr >> PAGE_ADDR_BITS
            offset = addr & PAGE_ADDR_MASK
            chunk = min(len(view), PAGE_SIZE - offset)
            page = self._page_for_write(page_index)
            page.data[offset : offset + chunk] = view[:chunk]
            for leaf_offset in range(offset & ~31, offset + chunk, LEAF_SIZE):
                page.invalidate(leaf_offset)
            self._invalidate_upper(page_index)
            addr += chunk
            view = view[chunk:]

    # -- Merkle tree ---------------------------------------------------------------------------

    def _upper_node(self, index: int, height: int) -> bytes:
        """Hash of upper node ``index`` whose subtree has ``height`` levels above the pages."""
        cached = self._upper.get(index)
        if cached is not None:
            return cached
        if index not in self._populated:
            return ZERO_HASHES[height + PAGE_TREE_DEPTH]
        if height == 0:
            value = self.pages[index - (1 << UPPER_DEPTH)].node(1)
        else:
            value = keccak256(
                self._upper_node(2 * index, height - 1)
                + self._upper_node(2 * index + 1, height - 1)
            )
        self._upper[index] = value
        return value

    def merkle_root(self) -> bytes:
        """The Merkle root of all 2^32 bytes."""
        return self._upper_node(1, UPPER_DEPTH)

    def merkle_proof(self, addr: int) -> bytes:
        """The 28 × 32-byte proof for the leaf holding ``addr``: leaf, then siblings bottom-up."""
        if not 0 <= addr < 1 << 32:
            raise MemoryAccessError(f"address {addr:#x} outside 32-bit memory")
        page_index = addr >> PAGE_ADDR_BITS
        offset = addr & PAGE_ADDR_MASK
        page = self.pages.get(page_index)
        parts: list[bytes] = []
        if page is None:
            parts.append(bytes(32))
            parts.extend(ZERO_HASHES[:PAGE_TREE_DEPTH])
        else:
            index = _LEAVES_PER_PAGE + (offset >> 5)
            parts.append(page.node(index))
            while index > 1:
                parts.append(page.node(index ^ 1))
                index >>= 1
        index = (1 << UPPER_DEPTH) + page_index
        height = 0
        while index > 1:
            parts.append(self._upper_node(index ^ 1, height))
            index >>= 1
            height += 1
        return b"".join(parts)

    # -- whole-memory views --------------------------------------------------------------------

    def page_items(self) -> Iterator[tuple[int, bytes]]:
        """Every allocated page as ``(page_index, 4096 bytes)`` in address order."""
        for page_index in sorted(self.pages):
            yield page_index, bytes(self.pages[page_index].data)

    def copy(self) -> Memory:
        """An independent copy (cached hashes are kept)."""
        other = Memory()
        for page_index, page in self.pages.items():
            clone = Page(page.data)
            clone.nodes = list(page.nodes)
            other.pages[page_index] = clone
        other._upper = dict(self._upper)
        other._populated = set(self._populated)
        return other


def verify_proof(root: bytes, addr: int, proof: bytes) -> bool:
    """True when ``proof`` (28 × 32 bytes) proves its leaf at ``addr`` under ``root``."""
    if len(proof) != PROOF_SIZE:
        return False
    node = proof[:32]
    path = addr >> 5
    for level in range(TREE_DEPTH):
        sibling = proof[32 * (level + 1) : 32 * (level + 2)]
        node = keccak256(sibling + node) if (path >> level) & 1 else keccak256(node + sibling)
    return node == root


def _check_range(addr: int, length: int) -> None:
    if addr < 0 or length < 0 or addr + length > 1 << 32:
        raise MemoryAccessError(f"range {addr:#x}+{length} outside 32-bit memory")
