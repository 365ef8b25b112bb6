"""Deploying the rollup's L1 contracts and writing the rollup config that follows from them.

``deploy_rollup`` takes a rollup config (parameters only), picks the L1 anchor — the latest L1
block when deployment starts — sets ``l2_genesis_timestamp`` to its timestamp, builds the L2
genesis to know its output root (SCC element 0), and deploys from one funded key, in one go:

1. ``CanonicalTransactionChain`` with the consensus parameters of SPEC §2 (its withdrawal
   finalizer is the L1CrossDomainMessenger);
2. ``BondManager(required_bond, scc)``, ``StateCommitmentChain(ctc, bondManager, proposer,
   disputeGameFactory, fraud_proof_window, genesisOutputRoot)``;
3. ``L1CrossDomainMessenger(ctc, scc)``, ``L1StandardBridge(messenger)``;
4. ``PreimageOracle``, ``MIPS(oracle)`` and ``DisputeGameFactory`` with the recorded absolute
   prestate (``faultproof/program/prestate.json``) and the consensus config hash;
5. the proposer's bond (``BondManager.deposit``) when the proposer is the deployer.

The contracts name each other, so every address is computed from the deployer's nonce first.
It returns the config with ``genesis_l1``, ``l2_genesis_timestamp``, ``sequencer_address`` and
``l1_addresses`` filled in: every node of the rollup runs with that file.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_utils import to_checksum_address
from web3 import AsyncWeb3

from rollup_node.chain.genesis import genesis_output
from rollup_node.config import ZERO_ADDRESS, L1Addresses, L1Anchor, RollupConfig
from rollup_node.contracts import load_artifact
from rollup_node.l1.transactor import Transactor
from rollup_node.protocol.addresses import create_address as _create_address


class DeploymentFailed(RuntimeError):
    """A deployment transaction failed; the message names the contract."""


def create_address(sender: str, nonce: int) -> str:
    """The address a CREATE from ``sender`` at ``nonce`` deploys to."""
    return to_checksum_address(_create_address(bytes.fromhex(sender[2:]), nonce))


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
        ZERO_ADDRESS,  # withdrawal finalizer: the L1 messenger (deploy_rollup sets it)
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


#: Order of the contract creations; the contracts name each other, so every address is
#: computed from the deployer's nonce before the first one is sent (docs/protocol.md).
CREATION_ORDER = (
    "CanonicalTransactionChain",
    "BondManager",
    "StateCommitmentChain",
    "L1CrossDomainMessenger",
    "L1StandardBridge",
    "PreimageOracle",
    "MIPS",
    "DisputeGameFactory",
)

#: The bond of a dispute-game move at depth 0 (a move to depth d carries (1 + d) times it).
#: Not consensus; the dispute game factory holds it.
BASE_MOVE_BOND_WEI = 10**16


def _constructor_args(
    name: str, at: dict[str, str], rollup: RollupConfig, roles: Roles, genesis_root: bytes
) -> tuple:
    from rollup_node.faultproof.program.prestate import recorded

    if name == "CanonicalTransactionChain":
        config = ctc_constructor_config(rollup, roles.sequencer)
        return (config[:-1] + (at["L1CrossDomainMessenger"],),)
    if name == "BondManager":
        return (rollup.required_bond, at["StateCommitmentChain"])
    if name == "StateCommitmentChain":
        return (
            at["CanonicalTransactionChain"],
            at["BondManager"],
            roles.proposer,
            at["DisputeGameFactory"],
            rollup.fraud_proof_window,
            genesis_root,
        )
    if name == "L1CrossDomainMessenger":
        return (at["CanonicalTransactionChain"], at["StateCommitmentChain"])
    if name == "L1StandardBridge":
        return (at["L1CrossDomainMessenger"],)
    if name == "PreimageOracle":
        return ()
    if name == "MIPS":
        return (at["PreimageOracle"],)
    if name == "DisputeGameFactory":
        prestate = bytes.fromhex(recorded().absolute_prestate[2:])
        return (
            (
                at["StateCommitmentChain"],
                at["BondManager"],
                at["MIPS"],
                at["PreimageOracle"],
                prestate,
                rollup.max_game_depth,
                rollup.max_clock_duration,
                rollup.clock_extension,
                BASE_MOVE_BOND_WEI,
                rollup.l2_chain_id,
                rollup.consensus_config_hash(),
            ),
        )
    raise ValueError(f"no constructor arguments known for {name}")


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
    nonce = await w3.eth.get_transaction_count(deployer, "pending")
    at = {name: create_address(deployer, nonce + i) for i, name in enumerate(CREATION_ORDER)}
    addresses = L1Addresses(
        canonical_transaction_chain=at["CanonicalTransactionChain"],
        state_commitment_chain=at["StateCommitmentChain"],
        bond_manager=at["BondManager"],
        l1_cross_domain_messenger=at["L1CrossDomainMessenger"],
        l1_standard_bridge=at["L1StandardBridge"],
        dispute_game_factory=at["DisputeGameFactory"],
    )
    # The addresses first: the consensus hash (and the L2 genesis) may depend on them.
    rollup = RollupConfig.model_validate(
        {
            **rollup.model_dump(),
            "genesis_l1": anchor.model_dump(),
            "l2_genesis_timestamp": max(rollup.l2_genesis_timestamp, anchor.timestamp),
            "sequencer_address": roles.sequencer,
            "l1_addresses": addresses.model_dump(),
        }
    )
    genesis_root = genesis_output(rollup).root
    tx = Transactor(w3, private_key, chain_id)
    # Send everything before waiting: on a chain with a block time they land in one block.
    pending = []
    for name in CREATION_ORDER:
        code = _creation(name, *_constructor_args(name, at, rollup, roles, genesis_root))
        pending.append((name, at[name], await tx.broadcast(await tx.sign(None, code))))
    if roles.proposer == deployer and rollup.required_bond:
        signed = await tx.sign(
            at["BondManager"],
            _calldata("BondManager", "deposit"),
            value=rollup.required_bond,
            gas=100_000,
        )
        pending.append(("BondManager.deposit", None, await tx.broadcast(signed)))
    for name, expected, tx_hash in pending:
        receipt = await tx.wait(tx_hash, name)
        if expected is not None and receipt.contract_address != expected:
            raise DeploymentFailed(f"{name} landed at {receipt.contract_address}, not {expected}")
    return rollup
