"""The node-core devnet for integration tests: embedded L1 and L2 sequencer, 1 s blocks.

Deposits are injected through the node's internal API here (``node.deposits.inject``), so the
node runs without derivation, the batcher and CTC deposits (``rollup_services=False``); the
end-to-end suites under tests/e2e run those.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.node_harness import RunningNode


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNode]:
    """A node-core devnet shared by a test module."""
    node = RunningNode(tmp_path_factory.mktemp("devnet"), rollup_services=False)
    yield node
    node.stop()
