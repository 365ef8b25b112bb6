"""A real L2 block to dispute: the node's chain executes it on a synthetic L1 (differential.world).

Block 1 holds the L1-info deposit and ``transfers`` signed transfers, posted in one CTC batch;
the node's own chain (genesis with the predeploys) builds and commits it, so its output root is
the one an honest proposer posts. ``BlockGame.source(root)`` is the program host's oracle for a
game disputing ``root`` — what a node hands the trace provider. The trace tests and
bench/dispute_trace.py share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rlp
from eth_account import Account

from rollup_node.chain.genesis import devnet_accounts, open_l2_chain
from rollup_node.chain.outputs import output_at
from rollup_node.chain.store import ChainStore
from rollup_node.chain.witness import StoreL2Reader
from rollup_node.config import L1Addresses, RollupConfig
from rollup_node.faultproof.differential.world import Batch, World
from rollup_node.faultproof.oracle.host import Oracle
from rollup_node.faultproof.program.host import Dispute, LocalInputs, ProgramHost
from rollup_node.protocol.l1_info import L1Origin, l1_info_deposit
from rollup_node.protocol.predeploys import SEQUENCER_FEE_VAULT

ANCHOR = 3
CTC = L1Addresses(canonical_transaction_chain="0xc7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7")
CONFIG = RollupConfig(l2_genesis_timestamp=10_000, force_inclusion_blocks=10, l1_addresses=CTC)


def transfers(count: int, chain_id: int) -> list[bytes]:
    """``count`` signed 1-wei transfers from the first devnet account to the second."""
    _, key = devnet_accounts()[0]
    to = devnet_accounts()[1][0]
    return [
        bytes(
            Account.sign_transaction(
                {
                    "type": 2,
                    "chainId": chain_id,
                    "nonce": nonce,
                    "to": to,
                    "value": 1,
                    "gas": 21_000,
                    "maxFeePerGas": 2 * 10**9,
                    "maxPriorityFeePerGas": 1,
                },
                key,
            ).raw_transaction
        )
        for nonce in range(count)
    ]


@dataclass
class BlockGame:
    """Block 1 on the node's chain, and what a game over it needs."""

    world: World
    store: ChainStore
    chain: Any
    pre_root: bytes
    correct_root: bytes

    def dispute(self, disputed_root: bytes) -> Dispute:
        """The game's inputs, at the synthetic L1's head."""
        return Dispute(self.world.l1_hashes[-1], self.pre_root, disputed_root, 1, self.world.config)

    def inputs(self, disputed_root: bytes) -> LocalInputs:
        """The six local inputs of a game disputing ``disputed_root``."""
        return self.dispute(disputed_root).local_inputs()

    def source(self, disputed_root: bytes) -> Oracle:
        """The program host's oracle: L2 from the node's store, L1 from the synthetic world."""
        host = ProgramHost(self.dispute(disputed_root), None, StoreL2Reader(self.chain))
        return host.oracle(self.world.source)

    def close(self) -> None:
        """Close the chain store."""
        self.store.close()


def precompile_calls(chain_id: int) -> list[bytes]:
    """Signed calls, from the third devnet account, of the precompiles the program asks the
    oracle for (SPEC §8): bn254 add and mul of the curve's generator, a pairing of nothing (true)
    and of two zero pairs."""
    _, key = devnet_accounts()[2]
    generator = (1).to_bytes(32, "big") + (2).to_bytes(32, "big")
    inputs = [
        (6, generator + generator),
        (7, generator + (7).to_bytes(32, "big")),
        (8, b""),
        (8, bytes(384)),
    ]
    return [
        bytes(
            Account.sign_transaction(
                {
                    "type": 2,
                    "chainId": chain_id,
                    "nonce": nonce,
                    "to": address.to_bytes(20, "big"),
                    "data": data,
                    "gas": 300_000,
                    "maxFeePerGas": 2 * 10**9,
                    "maxPriorityFeePerGas": 1,
                },
                key,
            ).raw_transaction
        )
        for nonce, (address, data) in enumerate(inputs)
    ]


def transfer_block(directory: Path, count: int, calls: list[bytes] | None = None) -> BlockGame:
    """Build block 1 with ``count`` transfers (then ``calls``, signed transactions) on a fresh
    chain in ``directory``."""
    txs = transfers(count, CONFIG.l2_chain_id) + list(calls or [])
    batch = b"\x00" + rlp.encode([[ANCHOR, 0, txs]])
    world = World(CONFIG, 20, [], [Batch(batch, 1, 0, 0, 12)], ANCHOR, 0)
    world.anchor_genesis(ANCHOR)
    store = ChainStore(directory / "l2")
    chain = open_l2_chain(store, world.config)
    env = chain.next_env(
        world.config.l2_genesis_timestamp + world.config.l2_block_time,
        SEQUENCER_FEE_VAULT,
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
    for raw in txs:
        builder.apply_transaction(raw)
    chain.commit(builder.seal())
    return BlockGame(world, store, chain, output_at(chain, 0).root, output_at(chain, 1).root)
