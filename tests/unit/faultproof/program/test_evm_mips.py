"""The EVM built for the fault-proof VM (big-endian MIPS32, 32-bit limbs, no 128-bit integers)
gives the same post-state roots as the fixtures: a few state-test cases chosen for wide arithmetic
(EXP, MULMOD, SDIV, signed shifts), memory, hashing precompiles and an oracle-served ecrecover,
run through ``build/mips/statetest.elf`` on the unicorn fast path with the preimage oracle."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from rollup_node.faultproof.mips.elf import load_elf
from rollup_node.faultproof.mips.fast import FastEmulator
from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.oracle.host import Oracle
from rollup_node.faultproof.oracle.source import DictSource
from rollup_node.faultproof.program import statetest
from rollup_node.faultproof.program.build import binary_path, build

from .conftest import fixture_file

CASES = [
    ("VMTests/vmArithmeticTest/exp.json", 0),
    ("VMTests/vmArithmeticTest/mulmod.json", 3),
    ("VMTests/vmArithmeticTest/sdiv.json", 2),
    ("VMTests/vmArithmeticTest/signextend.json", 1),
    ("stShift/sar_2^255-1_248.json", 0),
    ("stPreCompiledContracts2/CALLCODESha256_5.json", 0),
    ("stPreCompiledContracts2/CallRipemd160_5.json", 0),
    ("stPreCompiledContracts/modexpTests.json", 5),
    ("stPreCompiledContracts2/CALLBlake2f.json", 1),
    ("stPreCompiledContracts2/CALLCODEEcrecover0.json", 0),
    ("stExample/add11.json", 0),
]


@pytest.fixture(scope="module")
def elf() -> bytes:
    build("mips", (statetest.BINARY,))
    return binary_path(statetest.BINARY, "mips").read_bytes()


def run_on_mips(elf: bytes, case: statetest.StateTestCase) -> tuple[bytes, bytes]:
    """Post-state root and logs hash of ``case`` from the MIPS build (case fed as a preimage)."""
    source = DictSource()
    source.put_keccak(case.encoded)
    out: list[bytes] = []
    argv = [b"statetest", keccak(case.encoded).hex().encode()]
    final = FastEmulator(load_elf(elf, argv), HostIO(Oracle(source), stdout=out.append)).run()
    assert final.exited and final.exit_code == 0, case.name
    root, logs, _ = b"".join(out).decode().split(" ", 2)
    return bytes.fromhex(root), bytes.fromhex(logs)


@pytest.mark.mips
@pytest.mark.parametrize(("relative", "index"), CASES)
def test_mips_build_matches_fixture(elf: bytes, relative: str, index: int) -> None:
    case = statetest.load_cases(fixture_file("GeneralStateTests", *relative.split("/")))[index]
    assert run_on_mips(elf, case) == (case.expected_hash, case.expected_logs)


MIPS_DIRECTORIES = ["VMTests/vmArithmeticTest", "VMTests/vmBitwiseLogicOperation", "stShift"]


@pytest.mark.slow
@pytest.mark.mips
@pytest.mark.parametrize("directory", MIPS_DIRECTORIES)
def test_mips_build_matches_whole_directories(elf: bytes, directory: str) -> None:
    files = statetest.find_test_files([fixture_file("GeneralStateTests", *directory.split("/"))])
    for path in files:
        for case in statetest.load_cases(path):
            if not case.skip_reason:
                assert run_on_mips(elf, case) == (case.expected_hash, case.expected_logs), case.name
