"""A diagnostic build of the program that reports the post-state it commits.

The fault-proof program only reports roots (src/main.c), which says *that* a block differs,
not *where*. To name the account and storage slot, the runner builds a throwaway copy of the
program (never the committed sources) whose ``state_commit`` (src/evm/state.c) also writes,
for every account it commits, ``account <address> <rlp [nonce, balance, storageRoot,
codeHash]>`` (or ``deleted``) and, for every slot, ``slot <address> <key> <value>`` to stderr.
``compare_dump`` sets that against the node's state at the same block.

The patch anchors on three lines of state.c; if they move, ``build_diagnostic`` raises
``DiagnosticUnavailable`` and the runner reports the node's side only.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import rlp
from eth_hash.auto import keccak

_PRINT = 'fp_puts(FP_FD_STDERR, "{}"); '
_HEX = "fp_put_hex(FP_FD_STDERR, {}, {}); "

_PATCHES = [
    (  # every committed slot, with its account
        "            u256_to_be(&s->value, v);\n",
        "            u256_to_be(&s->value, v);\n            "
        + _PRINT.format("slot ") + _HEX.format("a->address.bytes", 20) + _PRINT.format(" ")
        + _HEX.format("k", 32) + _PRINT.format(" ") + _HEX.format("v", 32)
        + _PRINT.format("\\n") + "\n",
    ),
    (  # every committed account
        "        rlp_list_end(&b, mark);\n",
        "        rlp_list_end(&b, mark);\n        "
        + _PRINT.format("account ") + _HEX.format("a->address.bytes", 20) + _PRINT.format(" ")
        + _HEX.format("b.data", "b.len") + _PRINT.format("\\n") + "\n",
    ),
    (  # every deleted account
        '            panic_on(mpt_put(&st->trie, key, 32, NULL, 0), "state trie delete failed");\n',
        '            panic_on(mpt_put(&st->trie, key, 32, NULL, 0), "state trie delete failed");\n'
        "            " + _PRINT.format("account ") + _HEX.format("a->address.bytes", 20)
        + _PRINT.format(" deleted\\n") + "\n",
    ),
]  # fmt: skip


class DiagnosticUnavailable(RuntimeError):
    """The diagnostic build could not be made (state.c changed shape, or make failed); the
    caller goes on without it."""


def build_diagnostic(program_dir: Path, workdir: Path) -> Path:
    """Copy ``program_dir``'s sources and Makefile to ``workdir``, patch the copy's
    ``state_commit`` to report what it commits, build it natively; return the binary."""
    copy = workdir / "diagnostic-program"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(program_dir / "src", copy / "src")
    shutil.copy(program_dir / "Makefile", copy / "Makefile")
    state_c = copy / "src" / "evm" / "state.c"
    text = state_c.read_text()
    for anchor, replacement in _PATCHES:
        if text.count(anchor) != 1:
            raise DiagnosticUnavailable(f"state.c no longer has exactly one {anchor.strip()!r}")
        text = text.replace(anchor, replacement)
    state_c.write_text(text)
    proc = subprocess.run(
        ["make", "-C", str(copy), "-j2", "build/native/fpp"], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise DiagnosticUnavailable(f"diagnostic build failed:\n{proc.stdout}{proc.stderr}")
    return copy / "build" / "native" / "fpp"


def read_dump(stderr: bytes) -> tuple[dict[bytes, Any], dict[tuple[bytes, int], int]]:
    """The accounts (address → (nonce, balance, code hash) or None if deleted) and slots
    ((address, key) → value) a diagnostic run committed."""
    accounts: dict[bytes, Any] = {}
    slots: dict[tuple[bytes, int], int] = {}
    for line in stderr.decode(errors="replace").splitlines():
        parts = line.split(" ")
        if parts[0] == "account" and len(parts) == 3:
            address = bytes.fromhex(parts[1])
            if parts[2] == "deleted":
                accounts[address] = None
            else:
                nonce, balance, _, code_hash = rlp.decode(bytes.fromhex(parts[2]))
                accounts[address] = (
                    int.from_bytes(nonce, "big"),
                    int.from_bytes(balance, "big"),
                    bytes(code_hash),
                )
        elif parts[0] == "slot" and len(parts) == 4:
            slots[(bytes.fromhex(parts[1]), int(parts[2], 16))] = int(parts[3], 16)
    return accounts, slots


def compare_dump(chain: Any, number: int, stderr: bytes) -> list[str]:
    """Where the program's committed post-state (its diagnostic dump) differs from the node's
    state at block ``number``: one line per differing account field or slot, in commit order."""
    accounts, slots = read_dump(stderr)
    out = []
    for address, fields in accounts.items():
        name = "0x" + address.hex()
        code = chain.code(address, number)
        node = (chain.nonce(address, number), chain.balance(address, number), keccak(code))
        program = fields if fields is not None else (0, 0, keccak(b""))
        for label, mine, theirs in zip(("nonce", "balance", "code hash"), node, program,
                                       strict=True):  # fmt: skip
            if mine != theirs:
                shown = (mine.hex(), theirs.hex()) if isinstance(mine, bytes) else (mine, theirs)
                out.append(f"account {name} {label}: node {shown[0]}, program {shown[1]}")
    for (address, key), value in slots.items():
        node_value = int.from_bytes(chain.storage_at(address, key, number), "big")
        if node_value != value:
            out.append(
                f"account 0x{address.hex()} slot {hex(key)}: node {hex(node_value)}, "
                f"program {hex(value)}"
            )
    return out
