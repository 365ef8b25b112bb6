"""The keccak backend choice (``rollup_node/keccak_backend.py``): pysha3 where it installs, the
same digests as the pycryptodome fallback, and an operator's ``ETH_HASH_BACKEND`` respected."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
from eth_hash.backends import pycryptodome

pysha3 = pytest.importorskip("eth_hash.backends.pysha3", reason="safe-pysha3 not installed")


def _backend_in_fresh_process(environment: dict[str, str]) -> str:
    code = (
        "import rollup_node\n"
        "from rollup_node.keccak_backend import active_keccak_backend\n"
        "print(active_keccak_backend())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ETH_HASH_BACKEND"} | environment
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_node_hashes_with_pysha3_and_operator_choice_wins() -> None:
    assert _backend_in_fresh_process({}) == "PySha3Backend"
    assert _backend_in_fresh_process({"ETH_HASH_BACKEND": "pycryptodome"}) == "CryptodomeBackend"


def test_backends_agree() -> None:
    rng = random.Random(11)
    for size in [0, 1, 31, 32, 33, 135, 136, 137, 271, 272, 1000, 100_000]:
        data = rng.randbytes(size)
        assert pysha3.keccak256(data) == pycryptodome.keccak256(data)
        assert pysha3.keccak256(bytearray(data)) == pycryptodome.keccak256(data)
