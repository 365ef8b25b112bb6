"""Misbehaving sequencers (fault injection): a malformed batch becomes fallback blocks in
every node (SPEC §6.1, §6.3); a wrong output root is flagged by the verifier (SPEC §1)."""

from __future__ import annotations

from pathlib import Path

from rollup_node.faults import Faults
from rollup_node.protocol.deposits import DEPOSIT_TX_TYPE
from tests.e2e.rollup_helpers import follower, same_chain, sequencer, wait_for


def test_malformed_batch_gives_fallback_blocks_everywhere(tmp_path: Path) -> None:
    seq = sequencer(tmp_path / "seq", Faults(malformed_batch_at=2))
    ver = follower(tmp_path / "ver", seq, "verifier")
    try:
        wait_for("the malformed batch", lambda: seq.node.derivation.status.malformed_batches)
        target = seq.node.derivation.heads.safe + 3
        for node in (seq, ver):
            wait_for("later batches", lambda n=node: n.node.l2.safe_number() >= target)
        assert ver.node.derivation.status.malformed_batches == 1
        same_chain(seq, ver, target)
        first = seq.node.derivation.heads.records[0]
        assert first.batch_index == 0 and first.last_l2_block >= 2
        for number in range(1, first.last_l2_block + 1):
            block = seq.node.l2.block_by_number(number)
            assert block is not None
            # fallback: deposits only, and the origin stays the parent's (the genesis anchor)
            assert all(tx.type == DEPOSIT_TX_TYPE for tx in block.transactions)
            l1_info = block.transactions[0].data
            assert int.from_bytes(l1_info[4:36], "big") == seq.node.rollup.genesis_l1.number
        # blocks after the malformed batch are the sequencer's own again
        assert seq.node.derivation.engine.replaced >= first.last_l2_block
        # the fault-proof program reproduces the fallback blocks' roots: they get proposed
        proposer = seq.node.proposer
        wait_for("the roots proposed", lambda: proposer.proposed >= target or proposer.halted)
        assert proposer.halted is None
    finally:
        ver.stop()
        seq.stop()


def test_wrong_output_root_is_flagged_within_one_l1_block(tmp_path: Path) -> None:
    seq = sequencer(tmp_path / "seq", Faults(wrong_output_root_once=4))
    ver = follower(tmp_path / "ver", seq, "verifier")
    try:
        assert ver.l1_url is None and seq.l1_w3 is not None

        def disputes() -> list:
            return ver.w3.provider.make_request("rollup_disputes", [])["result"]

        found = wait_for("the verifier to flag the root", disputes, timeout=60, every=0.05)
        l1_head_at_detection = seq.l1_w3.eth.block_number
        (entry,) = found
        assert int(entry["l2BlockNumber"], 16) == 4
        posted_in = int(entry["l1BlockNumber"], 16)
        assert l1_head_at_detection <= posted_in + 1
        local = ver.w3.provider.make_request("rollup_outputAtBlock", [hex(4)])["result"]
        assert entry["localOutputRoot"] == local["outputRoot"] != entry["postedOutputRoot"]
        registry = ver.node.registry
        assert registry.get_sample_value("verifier_output_root_mismatches_total") == 1
        # every other root was checked and agreed
        wait_for("more roots checked", lambda: ver.node.watcher.checked.get(6))
        assert len(disputes()) == 1
    finally:
        ver.stop()
        seq.stop()
