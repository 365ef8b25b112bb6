"""The storage slots docs/protocol.md publishes are the compiled ones.

The node's genesis alloc writes predeploy storage by slot number and the fault-proof program
reads the CTC through storage proofs, so a reordered state variable must fail here first."""

from __future__ import annotations

import pytest

from rollup_node.contracts import load_artifact

LAYOUTS = {
    "L1Block": {"_number": 0, "_timestamp": 1, "_basefee": 2, "_hash": 3, "_sequenceNumber": 4},
    "GasPriceOracle": {"_overhead": 0, "_scalar": 1},
    "L2ToL1MessagePasser": {"sentMessages": 0, "messageNonce": 1},
    "SequencerFeeVault": {"recipient": 0},
    "L1FeeVault": {"recipient": 0},
    "L2CrossDomainMessenger": {
        "successfulMessages": 0,
        "failedMessages": 1,
        "_crossDomainSender": 2,
        "otherMessenger": 3,
    },
    "L2StandardBridge": {"l1Bridge": 0},
    "MintableERC20Factory": {},
    "CanonicalTransactionChain": {
        "queue": 0,
        "queueL1Block": 1,
        "queueGasPrefix": 2,
        "_batches": 3,
        "totalBlocks": 4,
        "nextQueueIndex": 5,
        "bucketGas": 6,
        "bucketTimestamp": 7,
    },
    "StateCommitmentChain": {
        "batchHeaderHashes": 0,
        "batchTimestamps": 1,
        "totalElements": 2,
        "finalizedBatches": 3,
        "appendCounter": 4,
        "openGames": 5,
        "gameHeader": 6,
        "proposerBatchesEnd": 7,
    },
    "BondManager": {"bonds": 0, "burned": 1},
    "L1CrossDomainMessenger": {
        "successfulMessages": 0,
        "failedMessages": 1,
        "_crossDomainSender": 2,
        "messageNonce": 3,
        "finalizedWithdrawals": 4,
    },
    "L1StandardBridge": {"deposits": 0},
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_documented_slots(name: str) -> None:
    layout = load_artifact(name).storage_layout
    assert {entry.label: entry.slot for entry in layout} == LAYOUTS[name]
    # One value per slot: nothing is packed next to another variable.
    assert all(entry.offset == 0 for entry in layout)


def test_batch_struct_fills_eight_slots() -> None:
    artifact = load_artifact("CanonicalTransactionChain")
    (batches,) = (e for e in artifact.storage_layout if e.label == "_batches")
    struct = artifact.storage_types[artifact.storage_types[batches.type]["base"]]
    assert struct["numberOfBytes"] == str(8 * 32)
    assert [(m["label"], int(m["slot"]), m["offset"]) for m in struct["members"]] == [
        ("batchDataHash", 0, 0),
        ("prevTotalBlocks", 1, 0),
        ("numBlocks", 2, 0),
        ("prevQueueIndex", 3, 0),
        ("queueIndexAfter", 4, 0),
        ("l1BlockNumber", 5, 0),
        ("l1ParentHash", 6, 0),
        ("forced", 7, 0),
    ]
