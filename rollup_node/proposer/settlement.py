"""What L1 says now about settlement (SPEC §4): SCC batches posted and final, the newest batch
not yet final with its fraud-proof window left and the games holding it, and the proposer's
bond against the required one.

Read on demand (``rollup_settlementStatus``, the status page) with a handful of ``eth_call``s
at L1's latest block; the window left is counted in L1 time (the SCC compares the batch's
timestamp plus ``fraudProofWindow`` with ``block.timestamp``).
"""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address
from web3 import AsyncWeb3

from rollup_node.config import RollupConfig
from rollup_node.contracts import load_artifact
from rollup_node.proposer.scc import bonds_calldata, call_uint


async def read_settlement(w3: AsyncWeb3, config: RollupConfig, proposer: str) -> dict[str, Any]:
    """The SCC's batch counts, its newest non-final batch (``None`` when every batch is final)
    and ``proposer``'s bond, as JSON-ready values (wei and seconds as integers)."""
    addresses = config.l1_addresses
    scc = w3.eth.contract(
        address=to_checksum_address(addresses.state_commitment_chain),
        abi=list(load_artifact("StateCommitmentChain").abi),
    )
    functions = scc.functions
    total = await functions.totalBatches().call()
    final = await functions.finalizedBatches().call()
    window = await functions.fraudProofWindow().call()
    latest = await w3.eth.get_block("latest")
    newest: dict[str, Any] | None = None
    if total > final:
        index = total - 1
        ends = await functions.batchTimestamps(index).call() + window
        header_hash = await functions.batchHeaderHashes(index).call()
        newest = {
            "batchIndex": index,
            "windowEndsAt": ends,
            "windowLeftSeconds": max(0, ends - latest["timestamp"]),
            "openGames": await functions.openGames(header_hash).call(),
        }
    bond = await call_uint(
        w3, to_checksum_address(addresses.bond_manager), bonds_calldata(proposer)
    )
    return {
        "l1Block": latest["number"],
        "l1Timestamp": latest["timestamp"],
        "batchesPosted": total,
        "batchesFinal": final,
        "fraudProofWindowSeconds": window,
        "newestUnfinalized": newest,
        "proposer": to_checksum_address(proposer),
        "bondWei": str(bond),
        "requiredBondWei": str(config.required_bond),
    }
