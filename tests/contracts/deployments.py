"""The L1 contract set-ups that several contract tests share.

A CanonicalTransactionChain with the common test parameters, the BondManager and
StateCommitmentChain wired to each other, and the fault-proof VM pair (PreimageOracle, MIPS).
Each is deployed from the first account; addresses a constructor needs before the contract
exists are predicted from that account's nonce.
"""

from __future__ import annotations

from web3 import Web3
from web3.contract import Contract

from tests.contracts.chain_helpers import deploy, latest_timestamp, next_create_address

WINDOW = 600  # SCC fraud-proof window, seconds
BOND = 10**18  # proposer bond, wei
MAX_DEPOSIT_GAS = 5_000_000  # M
ZERO_ROOT = b"\x00" * 32


def deploy_ctc(w3: Web3, sequencer: str, withdrawal_finalizer: str) -> Contract:
    """A CanonicalTransactionChain with L2 genesis at the latest block's time, 2 s L2 blocks,
    a drift of 10^6 s, deposits overdue after 30 L1 blocks, D = 20,000,000 and M = 5,000,000
    deposit gas, and room for batches of 120,000 bytes and 1,000 blocks."""
    config = (
        sequencer,
        latest_timestamp(w3),
        2,
        10**6,
        30,
        20_000_000,
        MAX_DEPOSIT_GAS,
        49_152,
        120_000,
        1_000,
        withdrawal_finalizer,
    )
    return deploy(w3, "CanonicalTransactionChain", config)


def deploy_scc(
    w3: Web3, ctc: str, proposer: str, factory: str, genesis_root: bytes = ZERO_ROOT
) -> tuple[Contract, Contract]:
    """A BondManager (bond ``BOND``) and the StateCommitmentChain it serves (window
    ``WINDOW``), over the CTC at ``ctc``; returns ``(bonds, scc)``."""
    scc_address = next_create_address(w3, w3.eth.accounts[0], later=1)
    bonds = deploy(w3, "BondManager", BOND, scc_address)
    scc = deploy(
        w3, "StateCommitmentChain", ctc, bonds.address, proposer, factory, WINDOW, genesis_root
    )
    assert scc.address == scc_address
    return bonds, scc


def deploy_vm(w3: Web3) -> tuple[Contract, Contract]:
    """A fresh PreimageOracle and the MIPS VM reading it; returns ``(oracle, mips)``."""
    oracle = deploy(w3, "PreimageOracle")
    return oracle, deploy(w3, "MIPS", oracle.address)
