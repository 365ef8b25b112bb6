"""The MIPS build runs on the project's reference VM and agrees with the native build.

The derivation driver (src/derive_main.c) exercises keccak, RLP, the MPT over L1 proofs and the
oracle protocol (4-byte preimage reads, hints) — the program's whole foundation — in a few
million steps.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account

from rollup_node.chain.genesis import devnet_accounts, open_l2_chain
from rollup_node.chain.outputs import output_at
from rollup_node.chain.store import ChainStore
from rollup_node.chain.witness import StoreL2Reader
from rollup_node.faultproof.differential.world import Batch
from rollup_node.faultproof.mips.elf import load_elf
from rollup_node.faultproof.mips.step import run
from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.oracle.host import Oracle, run_native
from rollup_node.faultproof.program.build import binary_path, build
from rollup_node.faultproof.program.host import Dispute, ProgramHost
from rollup_node.protocol.l1_info import L1Origin, l1_info_deposit

from .test_derive import QUEUE, TX_A, _world
from .test_derive import _batch as derive_batch
from .test_program import ANCHOR, _batch
from .test_program import _world as program_world

pytestmark = pytest.mark.mips

MAX_STEPS = 50_000_000


def test_derivation_on_the_vm_matches_native() -> None:
    """Same stdout and exit code from the reference VM and the native binary."""
    build("native", ("derive",))
    build("mips", ("derive",))
    world = _world([Batch(derive_batch((3, 1, [TX_A])), 1, 0, 1, 12)], QUEUE)
    source = world.build(1)

    native = run_native([str(binary_path("derive", "native"))], source, timeout=60)

    stdout: list[bytes] = []
    state = load_elf(binary_path("derive", "mips").read_bytes())
    run(state, HostIO(Oracle(source), stdout=stdout.append), max_steps=MAX_STEPS)
    assert state.exited, f"not finished after {state.step} steps"
    assert (state.exit_code, b"".join(stdout)) == (native.exit_code, native.stdout)
    assert b"deposit 7e" in native.stdout


def test_program_on_the_vm_accepts_the_nodes_root(tmp_path: Path) -> None:
    """The MIPS build proves block 1 (a signed transfer) valid against the node's own root."""
    build("mips", ("fpp",))
    _, key = devnet_accounts()[0]
    tx = {
        "type": 2,
        "chainId": 901,
        "nonce": 0,
        "to": devnet_accounts()[1][0],
        "value": 7,
        "gas": 21_000,
        "maxFeePerGas": 2 * 10**9,
        "maxPriorityFeePerGas": 1,
    }
    raw = bytes(Account.sign_transaction(tx, key).raw_transaction)
    world = program_world(b"\x00" + _batch([(ANCHOR, 0, [raw])]), [], 0)
    store = ChainStore(tmp_path / "l2")
    try:
        chain = open_l2_chain(store, world.config)
        env = chain.next_env(
            world.config.l2_genesis_timestamp + world.config.l2_block_time,
            bytes.fromhex("4200000000000000000000000000000000000011"),
            world.l1_mix_hash(ANCHOR),
        )
        builder = chain.new_block(env)
        origin = L1Origin(
            ANCHOR,
            world.l1_hashes[ANCHOR],
            world.l1_timestamp(ANCHOR),
            world.l1_base_fee(ANCHOR),
            world.l1_mix_hash(ANCHOR),
        )
        builder.apply_deposit(l1_info_deposit(origin, 1, 1))
        builder.apply_transaction(raw)
        chain.commit(builder.seal())
        dispute = Dispute(
            world.l1_hashes[-1], output_at(chain, 0).root, output_at(chain, 1).root, 1, world.config
        )
        host = ProgramHost(dispute, None, StoreL2Reader(chain))
        state = load_elf(binary_path("fpp", "mips").read_bytes())
        report: list[bytes] = []
        run(state, HostIO(host.oracle(world.source), stderr=report.append), max_steps=MAX_STEPS)
    finally:
        store.close()
    assert state.exited, f"not finished after {state.step} steps"
    assert state.exit_code == 0, b"".join(report).decode()
