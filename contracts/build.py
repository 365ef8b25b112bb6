"""Reproducible build of the project's Solidity contracts.

Compiles every ``.sol`` file under ``contracts/src/`` in one standard-JSON invocation of the
pinned compiler (the npm package ``solc`` at the version in ``package.json``, installed by
``npm ci``) and writes one artifact per contract to ``contracts/artifacts/<Name>.json``.

The output is deterministic: source unit names are paths relative to ``contracts/``, keys are
sorted, and no timestamp or absolute path is written, so the committed artifacts can be checked
against the sources byte for byte::

    python contracts/build.py           # rebuild contracts/artifacts/
    python contracts/build.py --check   # fail if the committed artifacts differ from the sources

The node loads the artifacts through ``rollup_node.contracts`` and never needs node or npm.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CONTRACTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = CONTRACTS_DIR.parent
SOURCE_DIR = CONTRACTS_DIR / "src"
ARTIFACT_DIR = CONTRACTS_DIR / "artifacts"
SOLCJS = REPO_ROOT / "node_modules" / "solc" / "solc.js"
COMPILE_SCRIPT = CONTRACTS_DIR / "solc_standard_json.js"

SOLC_VERSION = "0.8.28"
EVM_VERSION = "cancun"
OPTIMIZER_RUNS = 200

# One compiler configuration for every contract: changing it changes every artifact.
COMPILER_SETTINGS: dict = {
    "evmVersion": EVM_VERSION,
    "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
    "viaIR": True,
    "outputSelection": {
        "*": {
            "*": [
                "abi",
                "evm.bytecode.object",
                "evm.bytecode.linkReferences",
                "evm.deployedBytecode.object",
                "evm.deployedBytecode.linkReferences",
                "storageLayout",
            ]
        }
    },
}


class BuildError(Exception):
    """The sources do not compile, or the compiler is missing or the wrong version."""


def source_unit_name(path: Path) -> str:
    """The compiler's name for a source file: its path relative to ``contracts/``, POSIX style."""
    return path.relative_to(CONTRACTS_DIR).as_posix()


def collect_sources(source_dir: Path = SOURCE_DIR) -> dict[str, str]:
    """Read every ``.sol`` file under ``source_dir``, keyed by source unit name, sorted."""
    paths = sorted(source_dir.rglob("*.sol"))
    if not paths:
        raise BuildError(f"no .sol files under {source_dir}")
    return {source_unit_name(p): p.read_text(encoding="utf-8") for p in paths}


def run_solc(standard_input: dict) -> dict:
    """Run the pinned solc (through ``solc_standard_json.js``) on a standard-JSON input."""
    if not SOLCJS.is_file():
        raise BuildError(f"{SOLCJS} is missing: run `npm ci` at the repository root first")
    with tempfile.TemporaryDirectory() as tmp:
        input_path, output_path = Path(tmp) / "input.json", Path(tmp) / "output.json"
        input_path.write_text(json.dumps(standard_input), encoding="utf-8")
        completed = subprocess.run(
            ["node", str(COMPILE_SCRIPT), str(input_path), str(output_path)],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            check=False,
        )
        if completed.returncode != 0:
            raise BuildError(f"solc failed ({completed.returncode}): {completed.stderr.strip()}")
        return json.loads(output_path.read_text(encoding="utf-8"))


def check_compiler_version() -> None:
    """Fail unless the installed solc is the pinned version."""
    if not SOLCJS.is_file():
        raise BuildError(f"{SOLCJS} is missing: run `npm ci` at the repository root first")
    version = subprocess.run(
        ["node", str(SOLCJS), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if not version.startswith(SOLC_VERSION + "+"):
        raise BuildError(f"solc reports {version!r}, the build is pinned to {SOLC_VERSION}")


def compile_sources(sources: dict[str, str]) -> dict[str, dict]:
    """Compile ``sources`` and return the artifacts keyed by contract name.

    Raises ``BuildError`` on any compiler error, on two contracts with the same name (artifacts
    are keyed by name) and on unlinked library references (the node deploys contracts as they
    are, so libraries must only have internal functions).
    """
    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": COMPILER_SETTINGS,
    }
    check_compiler_version()
    output = run_solc(standard_input)
    diagnostics = output.get("errors", [])
    for warning in (e for e in diagnostics if e.get("severity") != "error"):
        print(warning.get("formattedMessage", warning["message"]), file=sys.stderr)
    errors = [e for e in diagnostics if e.get("severity") == "error"]
    if errors:
        raise BuildError("\n".join(e.get("formattedMessage", e["message"]) for e in errors))
    artifacts: dict[str, dict] = {}
    for unit, contracts in sorted(output.get("contracts", {}).items()):
        source_hash = "0x" + hashlib.sha256(sources[unit].encode("utf-8")).hexdigest()
        for name, compiled in sorted(contracts.items()):
            if name in artifacts:
                raise BuildError(
                    f"contract name {name} is defined in both "
                    f"{artifacts[name]['sourcePath']} and {unit}"
                )
            evm = compiled["evm"]
            if evm["bytecode"]["linkReferences"] or evm["deployedBytecode"]["linkReferences"]:
                raise BuildError(f"{unit}:{name} needs library linking, which the build forbids")
            artifacts[name] = {
                "contractName": name,
                "sourcePath": unit,
                "sourceSha256": source_hash,
                "compiler": {"solc": SOLC_VERSION, "settings": _artifact_settings()},
                "abi": compiled["abi"],
                "bytecode": "0x" + evm["bytecode"]["object"],
                "deployedBytecode": "0x" + evm["deployedBytecode"]["object"],
                "storageLayout": _portable_layout(compiled["storageLayout"]),
            }
    return artifacts


def _artifact_settings() -> dict:
    settings = dict(COMPILER_SETTINGS)
    del settings["outputSelection"]
    return settings


def _portable_layout(layout: dict) -> dict:
    """Drop the compiler's AST ids from a storage layout so that they do not churn artifacts
    when an unrelated source changes."""
    storage = [
        {"label": s["label"], "slot": int(s["slot"]), "offset": s["offset"], "type": s["type"]}
        for s in layout.get("storage", [])
    ]
    return {"storage": storage, "types": layout.get("types") or {}}


def render(artifact: dict) -> str:
    """The canonical text of an artifact file."""
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def write_artifacts(artifacts: dict[str, dict], out_dir: Path) -> None:
    """Write one ``<Name>.json`` per artifact into ``out_dir``, removing stale ones."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.json"):
        if stale.stem not in artifacts:
            stale.unlink()
    for name, artifact in artifacts.items():
        (out_dir / f"{name}.json").write_text(render(artifact), encoding="utf-8")


def diff_artifacts(expected_dir: Path, actual_dir: Path) -> list[str]:
    """Names of artifacts that differ, are missing or are extra in ``actual_dir``."""
    expected = {p.name: p.read_bytes() for p in expected_dir.glob("*.json")}
    actual = (
        {p.name: p.read_bytes() for p in actual_dir.glob("*.json")} if actual_dir.is_dir() else {}
    )
    problems = []
    for name in sorted(expected.keys() | actual.keys()):
        if name not in actual:
            problems.append(f"{name}: missing from {actual_dir}")
        elif name not in expected:
            problems.append(f"{name}: committed but no contract of that name in the sources")
        elif expected[name] != actual[name]:
            problems.append(f"{name}: differs from a fresh build of the sources")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Build the artifacts, or with ``--check`` verify the committed ones. Returns an exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="compile into a temporary directory and fail if contracts/artifacts/ differs",
    )
    args = parser.parse_args(argv)
    try:
        artifacts = compile_sources(collect_sources())
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 2
    if not args.check:
        write_artifacts(artifacts, ARTIFACT_DIR)
        print(f"wrote {len(artifacts)} artifacts to {ARTIFACT_DIR.relative_to(REPO_ROOT)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        write_artifacts(artifacts, fresh)
        problems = diff_artifacts(fresh, ARTIFACT_DIR)
    if problems:
        print("contracts/artifacts/ is out of date with contracts/src/:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        print("run `python contracts/build.py` and commit the artifacts", file=sys.stderr)
        return 1
    print(f"ok: {len(artifacts)} artifacts match the sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
