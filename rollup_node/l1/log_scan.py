"""Scanning a range of L1 blocks for logs in chunks.

Providers cap ``eth_getLogs`` by block range (commonly 2,000–10,000 blocks) or by result
size, so a scan over a long range — every game since genesis, every SCC batch — is split into
consecutive chunks of at most ``LOG_CHUNK_BLOCKS`` blocks, each read with its own request.
"""

from __future__ import annotations

from collections.abc import Iterator

#: Blocks per ``eth_getLogs`` request of a scan: within geth's and the public providers' caps.
LOG_CHUNK_BLOCKS = 2_000


def block_chunks(first: int, last: int, size: int = LOG_CHUNK_BLOCKS) -> Iterator[tuple[int, int]]:
    """Consecutive ``(from_block, to_block)`` ranges, inclusive, covering ``first..last`` with
    at most ``size`` blocks each; none when ``last < first``."""
    if size < 1:
        raise ValueError(f"chunk size {size} < 1")
    for start in range(first, last + 1, size):
        yield start, min(start + size - 1, last)
