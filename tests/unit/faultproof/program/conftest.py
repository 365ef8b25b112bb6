"""Fixtures for the C fault-proof program: a native build of its test driver.

``testdriver`` runs ``build/native/testdriver`` (src/testdriver_main.c) on a list of commands and
returns its output lines; the build happens once per session.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from rollup_node.faultproof.program.build import binary_path, build
from tests.ethereum_tests import ethereum_tests_root, fixture_path

ETHEREUM_TESTS = ethereum_tests_root()
"""ethereum/tests checkout (TrieTests, RLPTests, ...): see tests/ethereum_tests.py."""

Driver = Callable[[list[str]], list[str]]


@pytest.fixture(scope="session")
def testdriver() -> Driver:
    """Build the native test driver and return a function running commands through it."""
    build("native", ("testdriver",))
    path = binary_path("testdriver", "native")

    def run(commands: list[str]) -> list[str]:
        proc = subprocess.run(
            [str(path)],
            input="\n".join(commands) + "\n",
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert proc.returncode == 0, f"driver exited {proc.returncode}: {proc.stderr}"
        return proc.stdout.splitlines()

    return run


@pytest.fixture(scope="session")
def derive_binary() -> str:
    """The native derivation driver (src/derive_main.c), built once."""
    build("native", ("derive",))
    return str(binary_path("derive", "native"))


def fixture_file(*parts: str) -> Path:
    """A file of the ethereum/tests fixtures; skips the test when the checkout is absent."""
    return fixture_path(*parts)
