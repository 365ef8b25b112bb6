"""Compiled contract artifacts, as written by ``contracts/build.py``.

The node deploys L1 contracts and builds the L2 genesis alloc from these artifacts, so it never
needs node, npm or a Solidity compiler at run time. Artifacts live in ``contracts/artifacts/``
at the repository root (outside the Python package): ``ROLLUP_NODE_ARTIFACTS`` overrides the
directory for installs that are not a source checkout.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARTIFACTS_ENV = "ROLLUP_NODE_ARTIFACTS"


class ArtifactNotFound(FileNotFoundError):
    """No artifact of that name: rebuild with ``python contracts/build.py`` or set the path."""


@dataclass(frozen=True)
class StorageSlot:
    """One state variable of a contract's storage layout."""

    label: str
    slot: int
    offset: int
    type: str


@dataclass(frozen=True)
class Artifact:
    """A compiled contract: its ABI, creation and runtime code, and storage layout
    (``storage_types`` is the compiler's type table, with struct members and their slots)."""

    name: str
    abi: tuple[dict[str, Any], ...]
    bytecode: bytes
    deployed_bytecode: bytes
    storage_layout: tuple[StorageSlot, ...]
    storage_types: dict[str, Any]
    source_path: str

    def slot_of(self, label: str) -> int:
        """The storage slot of the state variable ``label`` (raises ``KeyError`` if absent)."""
        for entry in self.storage_layout:
            if entry.label == label:
                return entry.slot
        raise KeyError(f"{self.name} has no state variable {label!r}")


def artifacts_dir() -> Path:
    """The directory holding ``<Name>.json`` artifacts."""
    override = os.environ.get(ARTIFACTS_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "contracts" / "artifacts"


@functools.cache
def _load(directory: Path, name: str) -> Artifact:
    path = directory / f"{name}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactNotFound(
            f"no artifact {name!r} in {directory}: run `python contracts/build.py` "
            f"or set {ARTIFACTS_ENV}"
        ) from None
    return Artifact(
        name=raw["contractName"],
        abi=tuple(raw["abi"]),
        bytecode=bytes.fromhex(raw["bytecode"][2:]),
        deployed_bytecode=bytes.fromhex(raw["deployedBytecode"][2:]),
        storage_layout=tuple(
            StorageSlot(s["label"], s["slot"], s["offset"], s["type"])
            for s in raw["storageLayout"]["storage"]
        ),
        storage_types=raw["storageLayout"]["types"],
        source_path=raw["sourcePath"],
    )


def load_artifact(name: str) -> Artifact:
    """The artifact of contract ``name`` (cached per directory and name)."""
    return _load(artifacts_dir(), name)


def _abi_type(entry: dict[str, Any]) -> str:
    if entry["type"] == "tuple":
        return "(" + ",".join(_abi_type(c) for c in entry["components"]) + ")"
    if entry["type"].startswith("tuple["):
        inner = {"type": "tuple", "components": entry["components"]}
        return _abi_type(inner) + entry["type"][len("tuple") :]
    return entry["type"]


def describe_revert(data: bytes, *names: str) -> str:
    """Revert data as ``Error(args…)``, decoded with the custom errors of the artifacts
    ``names`` (and Solidity's ``Error(string)``); raw hex when nothing matches."""
    from eth_abi import decode as abi_decode
    from eth_hash.auto import keccak

    if len(data) < 4:
        return "reverted without a reason" if not data else f"revert data 0x{data.hex()}"
    errors = [{"name": "Error", "inputs": [{"type": "string"}]}]
    for name in names:
        errors += [e for e in load_artifact(name).abi if e.get("type") == "error"]
    for error in errors:
        types = [_abi_type(i) for i in error["inputs"]]
        if keccak(f"{error['name']}({','.join(types)})".encode())[:4] != data[:4]:
            continue
        try:
            values = abi_decode(types, data[4:])
        except Exception:  # malformed arguments: fall back to the raw bytes
            break
        shown = ", ".join("0x" + v.hex() if isinstance(v, bytes) else str(v) for v in values)
        return f"{error['name']}({shown})"
    return f"revert data 0x{data.hex()}"
