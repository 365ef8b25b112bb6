"""The import contract of STYLE.md's "Layers" (``[tool.importlinter]`` in pyproject.toml) holds,
and covers every package: a new upward import, or a new package outside every layer, fails
here as it fails ``lint-imports`` in ``.ci/run``."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import rollup_node

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "contracts"
]
#: Packages whose subpackages sit in different layers (each subpackage is named instead).
SPLIT = {"rollup_node.faultproof"}


def _layered() -> set[str]:
    (layers,) = [c["layers"] for c in CONTRACTS if c["type"] == "layers"]
    return {name.strip() for row in layers for name in row.split(":")}


def _packages() -> set[str]:
    """Every module and package directly under ``rollup_node``, split ones by subpackage."""
    found = set()
    for info in pkgutil.iter_modules(rollup_node.__path__, "rollup_node."):
        if info.name in SPLIT:
            inner = pkgutil.iter_modules([str(Path(rollup_node.__path__[0]) / "faultproof")])
            found |= {f"{info.name}.{sub.name}" for sub in inner if sub.ispkg}
        else:
            found.add(info.name)
    return found


def test_every_package_sits_in_a_layer() -> None:
    assert _packages() - _layered() == set(), "add the new package to a row of the contract"


def test_no_contract_lists_exceptions() -> None:
    assert all("ignore_imports" not in c for c in CONTRACTS)


def test_the_import_contract_holds() -> None:
    run = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()",
         "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    report = run.stdout[run.stdout.find("Contracts") :] + run.stderr
    assert run.returncode == 0, report
