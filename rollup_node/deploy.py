"""Deploying the rollup's L1 contracts and writing the rollup config that follows from them.

``deploy_rollup`` takes a rollup config (parameters only), picks the L1 anchor — the latest L1
block when deployment starts — sets ``l2_genesis_timestamp`` to its timestamp, builds the L2
genesis to know its output root (SCC element 0), and deploys from one funded key, in one go:

1. ``CanonicalTransactionChain`` with the consensus parameters of SPEC §2;
2. ``BondManager(required_bond, scc)`` and ``StateCommitmentChain(ctc, bondManager, proposer,
   disputeGameFactory, fraud_proof_window, genesisOutputRoot)`` — they name each other, so the
   SCC's address is computed from the deployer's nonce before it exists;
3. the proposer's bond (``BondManager.deposit``) when the proposer is the deployer.

It returns the config with ``genesis_l1``, ``l2_genesis_timestamp``, ``sequencer_address`` and
``l1_addresses`` filled in: every node of the rollup runs with that file. Contracts that do not
exist yet in ``contracts/`` (messengers, bridges, the dispute game factory) get the zero address.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

import rlp
from eth_account import Account
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from web3 import AsyncWeb3

from rollup_node.chain.chain import Chain
from rollup_node.chain.genesis import build_genesis, l2_genesis_alloc, l2_rules
from rollup_node.chain.store import ChainStore
from rollup_node.config import ZERO_ADDRESS, L1Addresses, L1Anchor, RollupConfig
from rollup_node.contracts import load_artifact
from rollup_node.l1.transactor import Transactor
from rollup_node.proposer.outputs import output_at
from rollup_node.protocol.output_root import OutputRootPreimage
from rollup_node.protocol.predeploys import SEQUENCER_FEE_VAULT


class DeploymentFailed(RuntimeError):
    """A deployment transaction failed; the message names the contract."""


def open_l2_chain(store: ChainStore, rollup: RollupConfig) -> Chain:
    """The L2 chain over ``store``, writing the genesis of ``rollup`` if the store is empty."""
    rules = l2_rules(rollup)
    fee_recipient = bytes.fromhex(rollup.sequencer_address[2:])
    return Chain.initialize(
        store,
        rules,
        lambda: build_genesis(
            rules,
            store.state_db(),
            l2_genesis_alloc(rollup, fee_recipient),
            timestamp=rollup.l2_genesis_timestamp,
            gas_limit=rollup.l2_gas_limit,
            coinbase=SEQUENCER_FEE_VAULT,
            mix_hash=bytes.fromhex(rollup.genesis_l1.mix_hash[2:]),
        ),
    )


def genesis_output(rollup: RollupConfig) -> OutputRootPreimage:
    """The output root preimage of L2 genesis under ``rollup`` (built in a scratch store)."""
    with tempfile.TemporaryDirectory(prefix="l2-genesis-") as scratch:
        store = ChainStore(scratch)
        try:
            return output_at(open_l2_chain(store, rollup), 0)
        finally:
            store.close()


def create_address(sender: str, nonce: int) -> str:
    """The address a CREATE from ``sender`` at ``nonce`` deploys to."""
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def ctc_constructor_config(rollup: RollupConfig, sequencer: str) -> tuple:
    """The CTC's ``Config`` struct (its field order) from the rollup config."""
    return (
        sequencer,
        rollup.l2_genesis_timestamp,
        rollup.l2_block_time,
        rollup.max_sequencer_drift,
        rollup.force_inclusion_blocks,
        rollup.deposit_gas_per_block,
        rollup.max_deposit_gas,
        rollup.max_deposit_data,
        rollup.max_batch_bytes,
        rollup.max_blocks_per_batch,
        ZERO_ADDRESS,  # withdrawal finalizer: the L1 messenger, not deployed by this version
    )


@dataclass(frozen=True, slots=True)
class Roles:
    """The L1 accounts the contracts name (checksummed hex)."""

    sequencer: str
    proposer: str


async def _anchor(w3: AsyncWeb3) -> L1Anchor:
    block = await w3.eth.get_block("latest")
    return L1Anchor(
        number=block["number"],
        hash="0x" + bytes(block["hash"]).hex(),
        timestamp=block["timestamp"],
        base_fee=block.get("baseFeePerGas", 0),
        mix_hash="0x" + bytes(block.get("mixHash", b"\x00" * 32)).hex(),
    )


def _creation(name: str, *args: object) -> bytes:
    artifact = load_artifact(name)
    contract = AsyncWeb3().eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
    return bytes.fromhex(contract.constructor(*args).data_in_transaction[2:])


def _calldata(name: str, function: str, *args: object) -> bytes:
    artifact = load_artifact(name)
    contract = AsyncWeb3().eth.contract(abi=list(artifact.abi))
    return bytes.fromhex(contract.encode_abi(function, args=list(args))[2:])


async def deploy_rollup(
    w3: AsyncWeb3,
    private_key: str,
    rollup: RollupConfig,
    sequencer: str | None = None,
    proposer: str | None = None,
) -> RollupConfig:
    """Deploy the L1 contracts from ``private_key`` and return the rollup config to run with.

    ``sequencer`` and ``proposer`` default to the deployer's address. The proposer's bond is
    deposited only when the proposer is the deployer.
    """
    chain_id = await w3.eth.chain_id
    if chain_id != rollup.l1_chain_id:
        raise DeploymentFailed(
            f"L1 chain id is {chain_id}, the rollup config says {rollup.l1_chain_id}"
        )
    deployer = Account.from_key(private_key).address
    roles = Roles(sequencer or deployer, proposer or deployer)
    anchor = await _anchor(w3)
    rollup = RollupConfig.model_validate(
        {
            **rollup.model_dump(),
            "genesis_l1": anchor.model_dump(),
            "l2_genesis_timestamp": max(rollup.l2_genesis_timestamp, anchor.timestamp),
            "sequencer_address": roles.sequencer,
        }
    )
    genesis_root = genesis_output(rollup).root
    tx = Transactor(w3, private_key, chain_id)
    nonce = await w3.eth.get_transaction_count(deployer, "pending")
    ctc, bonds, scc = (create_address(deployer, nonce + i) for i in range(3))
    creations = [
        (
            "CanonicalTransactionChain",
            _creation("CanonicalTransactionChain", ctc_constructor_config(rollup, roles.sequencer)),
        ),
        ("BondManager", _creation("BondManager", rollup.required_bond, scc)),
        (
            "StateCommitmentChain",
            _creation(
                "StateCommitmentChain",
                ctc,
                bonds,
                roles.proposer,
                ZERO_ADDRESS,  # dispute game factory: not deployed by this version
                rollup.fraud_proof_window,
                genesis_root,
            ),
        ),
    ]
    # Send everything before waiting: on a chain with a block time they land in one block.
    pending = []
    for name, code in creations:
        signed = await tx.sign(None, code)
        pending.append((name, await tx.broadcast(signed)))
    if roles.proposer == deployer and rollup.required_bond:
        signed = await tx.sign(
            bonds, _calldata("BondManager", "deposit"), value=rollup.required_bond, gas=100_000
        )
        pending.append(("BondManager.deposit", await tx.broadcast(signed)))
    for (name, tx_hash), expected in zip(pending, (ctc, bonds, scc, None), strict=False):
        receipt = await tx.wait(tx_hash, name)
        if expected is not None and receipt.contract_address != expected:
            raise DeploymentFailed(f"{name} landed at {receipt.contract_address}, not {expected}")
    addresses = L1Addresses(
        canonical_transaction_chain=ctc, state_commitment_chain=scc, bond_manager=bonds
    )
    return RollupConfig.model_validate(
        {**rollup.model_dump(), "l1_addresses": addresses.model_dump()}
    )
