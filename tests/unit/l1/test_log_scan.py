"""l1/log_scan.block_chunks: consecutive inclusive ranges covering the scan, none too long."""

import pytest

from rollup_node.l1.log_scan import block_chunks


@pytest.mark.parametrize(("first", "last", "size"), [(0, 0, 1), (0, 4000, 2000), (7, 12345, 500)])
def test_chunks_cover_the_range_once_in_order(first: int, last: int, size: int) -> None:
    chunks = list(block_chunks(first, last, size))
    assert chunks[0][0] == first and chunks[-1][1] == last
    for (_, end), (start, _) in zip(chunks, chunks[1:], strict=False):
        assert start == end + 1
    assert all(0 <= end - start < size for start, end in chunks)


def test_empty_range_and_bad_size() -> None:
    assert list(block_chunks(5, 4)) == []
    with pytest.raises(ValueError):
        list(block_chunks(0, 10, 0))
