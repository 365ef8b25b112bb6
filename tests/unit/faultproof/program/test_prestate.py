"""The recorded absolute prestate (prestate.json) is the one the sources build to (SPEC §10)."""

from __future__ import annotations

import pytest

from rollup_node.faultproof.program import prestate

pytestmark = pytest.mark.mips


def test_recorded_prestate_matches_the_build() -> None:
    """Fails when the program changes without re-recording: run
    ``python -m rollup_node.faultproof.program.prestate --write`` and commit prestate.json."""
    assert prestate.build_and_compute() == prestate.recorded()


def test_prestate_is_an_unexited_state() -> None:
    """Status byte 3: the program has not run yet."""
    assert prestate.recorded().absolute_prestate.startswith("0x03")
