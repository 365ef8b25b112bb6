"""The whole fault-proof program (native build) against the node: py-evm and C must agree.

The L1 side is a synthetic ``World``; the L2 side is the node's own chain (genesis with the
predeploys, ``chain.genesis``) served by ``host.ProgramHost``. The block's inputs come from the
program's derivation (src/derive_main.c, tested against SPEC §6 in test_derive.py); the node
executes them with py-evm, and the program must reproduce the node's output root exactly:
exit 0 for it, 1 for any other root.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rlp
from eth_account import Account

from rollup_node.chain.genesis import devnet_accounts, open_l2_chain
from rollup_node.chain.outputs import output_at
from rollup_node.chain.store import ChainStore
from rollup_node.chain.witness import StoreL2Reader
from rollup_node.config import L1Addresses, RollupConfig
from rollup_node.faultproof.differential.world import EMPTY_ROOT, Batch, QueueElement, World
from rollup_node.faultproof.mips.elf import load_elf
from rollup_node.faultproof.mips.step import run as run_vm
from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.oracle.host import run_native
from rollup_node.faultproof.program.build import binary_path, build
from rollup_node.faultproof.program.host import Dispute, ProgramHost
from rollup_node.protocol.deposits import decode_deposit
from rollup_node.protocol.errors import TransactionRejected
from rollup_node.protocol.predeploys import L2_TO_L1_MESSAGE_PASSER, SEQUENCER_FEE_VAULT

CTC = L1Addresses(canonical_transaction_chain="0xc7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7")
BASE = RollupConfig(l2_genesis_timestamp=10_000, force_inclusion_blocks=10, l1_addresses=CTC)
ANCHOR = 3


@pytest.fixture(scope="module")
def binaries() -> tuple[str, str]:
    build("native", ("fpp", "derive"))
    return str(binary_path("fpp", "native")), str(binary_path("derive", "native"))


def _world(batch_data: bytes, queue: list[QueueElement], deposits: int) -> World:
    world = World(BASE, 20, queue, [Batch(batch_data, 1, 0, deposits, 12)], ANCHOR, 0)
    world.anchor_genesis(ANCHOR)
    return world


def _derived(derive: str, host: ProgramHost, world: World) -> tuple[list[bytes], list[bytes]]:
    result = run_native([derive], host.oracle(world.source), timeout=60)
    assert result.exit_code == 0, result.stderr.decode()
    deposits, txs = [], []
    for line in result.stdout.decode().splitlines():
        key, _, value = line.partition(" ")
        if key == "deposit":
            deposits.append(bytes.fromhex(value))
        elif key == "tx":
            txs.append(bytes.fromhex(value))
    return deposits, txs


def _signed(index: int, nonce: int, to: bytes, data: bytes = b"", value: int = 0) -> bytes:
    _, key = devnet_accounts()[index]
    tx = {
        "type": 2,
        "chainId": BASE.l2_chain_id,
        "nonce": nonce,
        "to": to,
        "value": value,
        "data": data,
        "gas": 200_000,
        "maxFeePerGas": 2 * 10**9,
        "maxPriorityFeePerGas": 10**8,
    }
    return bytes(Account.sign_transaction(tx, key).raw_transaction)


def _prove(
    tmp_path: Path,
    binaries: tuple[str, str],
    batch: bytes,
    queue,
    deposits: int,
    mips_steps: int = 0,
):
    """Derive block 1, execute it in py-evm and in C; return (node root, C exit codes).

    With ``mips_steps``, the MIPS build also runs on the reference VM for the node's root
    (``codes["mips"]`` is its exit code, ``None`` if it did not finish in that many steps).
    """
    fpp, derive = binaries
    world = _world(batch, queue, deposits)
    store = ChainStore(tmp_path / "l2")
    try:
        chain = open_l2_chain(store, world.config)
        pre = output_at(chain, 0)
        dispute = Dispute(world.l1_hashes[-1], pre.root, b"\0" * 32, 1, world.config)
        deposit_txs, txs = _derived(derive, ProgramHost(dispute, None, StoreL2Reader(chain)), world)

        env = chain.next_env(
            BASE.l2_genesis_timestamp + BASE.l2_block_time,
            SEQUENCER_FEE_VAULT,
            world.l1_mix_hash(ANCHOR),
        )
        builder = chain.new_block(env)
        for raw in deposit_txs:
            builder.apply_deposit(decode_deposit(raw))
        applied = 0
        for raw in txs:
            try:
                builder.apply_transaction(raw)
                applied += 1
            except TransactionRejected:
                pass
        chain.commit(builder.seal())
        expected = output_at(chain, 1)

        codes = {}
        for name, root in (("right", expected.root), ("wrong", b"\x22" * 32)):
            run = Dispute(world.l1_hashes[-1], pre.root, root, 1, world.config)
            result = ProgramHost(run, None, StoreL2Reader(chain)).run_native(
                fpp, world.source, timeout=120
            )
            assert result.exit_code in (0, 1), result.stderr.decode()
            codes[name] = result.exit_code
        if mips_steps:
            run = Dispute(world.l1_hashes[-1], pre.root, expected.root, 1, world.config)
            oracle = ProgramHost(run, None, StoreL2Reader(chain)).oracle(world.source)
            state = load_elf(binary_path("fpp", "mips").read_bytes())
            run_vm(state, HostIO(oracle, stderr=lambda _: None), max_steps=mips_steps)
            codes["mips"] = state.exit_code if state.exited else None
        # block 2 is in no batch at the L1 head: whatever root is claimed for it is invalid
        beyond = Dispute(world.l1_hashes[-1], expected.root, expected.root, 2, world.config)
        result = ProgramHost(beyond, None, StoreL2Reader(chain)).run_native(
            fpp, world.source, timeout=120
        )
        assert b"not derivable" in result.stderr, result.stderr.decode()
        codes["not derivable"] = result.exit_code
        return expected, codes, applied
    finally:
        store.close()


def _batch(blocks: list[tuple[int, int, list[bytes]]]) -> bytes:
    return rlp.encode([[origin, deposits, txs] for origin, deposits, txs in blocks])


def test_empty_block_matches_the_node(tmp_path: Path, binaries: tuple[str, str]) -> None:
    """Block 1 with only the L1-info deposit."""
    batch = b"\x00" + _batch([(ANCHOR, 0, [])])
    _, codes, _ = _prove(tmp_path, binaries, batch, [], 0)
    assert codes == {"right": 0, "wrong": 1, "not derivable": 1}


def test_deposit_transfers_and_a_withdrawal_match_the_node(
    tmp_path: Path, binaries: tuple[str, str]
) -> None:
    """A minting user deposit, signed transfers, a withdrawal through the message passer (which
    changes the output root's storage root) and a dropped invalid transaction."""
    alice, bob = devnet_accounts()[0][0], devnet_accounts()[1][0]
    queue = [QueueElement(alice, bob, 10**18, 100_000, False, b"", 2)]
    txs = [
        _signed(0, 1, bob, value=12345),  # the deposit took alice's nonce 0
        _signed(0, 1, bob, value=1),  # nonce reused: invalid, dropped
        _signed(1, 0, L2_TO_L1_MESSAGE_PASSER, _withdrawal(bob), value=10**15),
    ]
    expected, codes, applied = _prove(
        tmp_path, binaries, b"\x00" + _batch([(ANCHOR, 1, txs)]), queue, 1
    )
    assert applied == 2
    assert expected.message_passer_storage_root != EMPTY_ROOT
    assert codes == {"right": 0, "wrong": 1, "not derivable": 1}


def test_creation_deposit_matches_the_node(tmp_path: Path, binaries: tuple[str, str]) -> None:
    """A contract-creating user deposit."""
    bob = devnet_accounts()[1][0]
    init_code = bytes.fromhex("600160005260206000f3")
    queue = [QueueElement(bob, b"\0" * 20, 0, 200_000, True, init_code, 3)]
    _, codes, _ = _prove(tmp_path, binaries, b"\x00" + _batch([(ANCHOR, 1, [])]), queue, 1)
    assert codes == {"right": 0, "wrong": 1, "not derivable": 1}


def _withdrawal(target: bytes) -> bytes:
    """Calldata of ``initiateWithdrawal(target, 100_000, "")``."""
    selector = bytes.fromhex("c2b3e5ac")
    return (
        selector
        + target.rjust(32, b"\0")
        + (100_000).to_bytes(32, "big")
        + (96).to_bytes(32, "big")
        + b"\0" * 32
    )
