"""The reproducible contract build and the artifact loader."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rollup_node.contracts import ArtifactNotFound, load_artifact

REPO = Path(__file__).resolve().parents[2]
HAS_SOLC = (REPO / "node_modules" / "solc" / "solc.js").is_file() and shutil.which("node")


@pytest.mark.skipif(not HAS_SOLC, reason="needs `npm ci` (the pinned solc) and node")
def test_committed_artifacts_match_the_sources() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "contracts" / "build.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_loader_reads_code_abi_and_layout() -> None:
    artifact = load_artifact("L1Block")
    assert artifact.deployed_bytecode and len(artifact.bytecode) > len(artifact.deployed_bytecode)
    assert any(item.get("name") == "setL1BlockValues" for item in artifact.abi)
    assert artifact.slot_of("_sequenceNumber") == 4
    assert load_artifact("L1Block") is artifact


def test_loader_names_the_missing_artifact() -> None:
    with pytest.raises(ArtifactNotFound, match="NoSuchContract"):
        load_artifact("NoSuchContract")
