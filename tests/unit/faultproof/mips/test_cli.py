"""``rollup-node mips run`` / ``prestate`` through ``register``, and checkpoints."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from rollup_node.faultproof.mips.checkpoint import (
    CheckpointError,
    decode_checkpoint,
    encode_checkpoint,
    load_checkpoint,
)
from rollup_node.faultproof.mips.cli import register
from rollup_node.faultproof.mips.elf import load_elf
from rollup_node.faultproof.mips.memory import verify_proof
from rollup_node.faultproof.mips.step import run
from tests.unit.faultproof.mips.programs import build_test_program

pytestmark = pytest.mark.mips


@pytest.fixture(scope="module")
def elf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mips-program")
    build_test_program(out)
    return out / "program.elf"


def invoke(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["mips", *argv])
    return args.func(args)


def final_line(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    out = capsys.readouterr().out.strip().splitlines()
    return dict(field.split("=", 1) for field in out[-1].split())


def test_prestate_is_the_loaded_state_hash(elf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke("prestate", str(elf), "program", "5") == 0
    expected = load_elf(elf.read_bytes(), [b"program", b"5"]).hash()
    assert capsys.readouterr().out.strip() == "0x" + expected.hex()


def test_fast_and_reference_runs_agree(elf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    invoke("run", str(elf), "program", "5")
    fast = final_line(capsys)
    invoke("run", str(elf), "program", "5", "--reference")
    reference = final_line(capsys)
    assert fast["state"] == reference["state"] and fast["steps"] == reference["steps"]
    assert fast["exit"] in ("0", "1")


def test_stop_proof_and_snapshots(elf: Path, tmp_path: Path, capsys) -> None:
    proof_file = tmp_path / "proof.json"
    code = invoke(
        "run",
        str(elf),
        "program",
        "5",
        "--stop-at",
        "9000",
        "--proof-at",
        "7000",
        "--proof-out",
        str(proof_file),
        "--snapshot-every",
        "3000",
        "--snapshot-dir",
        str(tmp_path),
    )
    assert code == 0
    line = final_line(capsys)
    assert line["steps"] == "9000" and line["exit"] == "running"
    reference = load_elf(elf.read_bytes(), [b"program", b"5"])
    run(reference, max_steps=7000)
    witness = json.loads(proof_file.read_text())
    assert witness["preStateHash"] == "0x" + reference.hash().hex()
    proof = bytes.fromhex(witness["proof"][2:])
    assert verify_proof(reference.memory.merkle_root(), reference.pc, proof[:896])
    snapshot, _ = load_checkpoint(tmp_path / "checkpoint-6000.ckpt")
    assert snapshot.step == 6000
    invoke("run", str(elf), "--resume", str(tmp_path / "checkpoint-6000.ckpt"), "--stop-at", "9000")
    assert final_line(capsys)["state"] == line["state"]


def test_bad_elf_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.elf"
    bad.write_bytes(b"\x7fELF" + bytes(60))
    assert invoke("run", str(bad)) == 2
    assert "error:" in capsys.readouterr().err


def test_checkpoint_round_trip_and_corruption(elf: Path) -> None:
    state = load_elf(elf.read_bytes(), [b"p"])
    run(state, max_steps=500)
    restored, hint = decode_checkpoint(encode_checkpoint(state, b"\x00\x00"))
    assert restored.hash() == state.hash() and hint == b"\x00\x00"
    with pytest.raises(CheckpointError):
        decode_checkpoint(b"garbage")
    import zlib

    raw = bytearray(zlib.decompress(encode_checkpoint(state)))
    raw[-1] ^= 0xFF
    with pytest.raises(CheckpointError, match="memory root"):
        decode_checkpoint(zlib.compress(bytes(raw)))


def test_preimages_file_and_missing_preimage(elf: Path, tmp_path: Path, capsys) -> None:
    from rollup_node.faultproof.oracle.keys import keccak_key, local_key

    data = b"preimage for the test program"
    preimages = tmp_path / "preimages.json"
    preimages.write_text(
        json.dumps({local_key(1).hex(): keccak_key(data).hex(), keccak_key(data).hex(): data.hex()})
    )
    assert invoke("run", str(elf), "program", "5", "oracle", "--preimages", str(preimages)) in (
        0,
        1,
    )
    assert final_line(capsys)["exit"] in ("0", "1")
    assert invoke("run", str(elf), "program", "5", "oracle") == 2
    assert "could not answer" in capsys.readouterr().err
    preimages.write_text(json.dumps({keccak_key(data).hex(): "00"}))
    assert invoke("run", str(elf), "--preimages", str(preimages)) == 2
    assert "does not hash" in capsys.readouterr().err
