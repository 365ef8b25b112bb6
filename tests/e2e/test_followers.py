"""A verifier and a replica started later on empty data dirs rebuild the sequencer's chain
from L1 alone (SPEC §1, §6): same blocks, same state roots, deposits from the CTC queue."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.rollup_helpers import (
    account,
    enqueue_deposit,
    follower,
    same_chain,
    sequencer,
    wait_for,
)
from tests.integration.helpers import send, wait_receipts

ETH = 10**18


def test_followers_rebuild_the_chain_from_l1(tmp_path: Path) -> None:
    seq = sequencer(tmp_path / "seq")
    followers = []
    try:
        sender, key = account(1)
        recipient, _ = account(7)
        fresh = "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"
        hashes = [send(seq.w3, key, to=recipient, value=i + 1) for i in range(3)]
        receipts = wait_receipts(seq.w3, hashes)
        deposit = enqueue_deposit(seq, key, fresh, 3 * ETH)
        # the deposit reaches L2 through the sequencer's CTC queue reader
        wait_for("the deposit on L2", lambda: seq.w3.eth.get_balance(fresh) == 3 * ETH)
        target = seq.node.l2.head_number()
        wait_for("the sequencer's blocks to be safe", lambda: seq.node.l2.safe_number() >= target)
        followers.append(follower(tmp_path / "verifier", seq, "verifier"))
        followers.append(follower(tmp_path / "replica", seq, "replica", confirmations=2))
        for node in followers:
            wait_for(
                f"{node.config.node.mode} to derive",
                lambda n=node: n.node.l2.safe_number() >= target,
            )
            same_chain(seq, node, target)
            assert node.w3.eth.get_balance(fresh) == 3 * ETH
            got = node.w3.eth.get_transaction_receipt(receipts[0]["transactionHash"])
            assert got["blockHash"] == receipts[0]["blockHash"]
        assert deposit["blockNumber"] <= seq.node.derivation.status.l1_safe
        # the replica reads only L1 blocks at least 2 deep
        lagging = followers[1].node.derivation.status
        assert lagging.l1_safe <= lagging.l1_head - 2
        # the sequencer's own blocks were confirmed, never replaced
        assert seq.node.derivation.engine.replaced == 0
        status = followers[1].w3.provider.make_request("rollup_syncStatus", [])["result"]
        assert int(status["safeL2"]["number"], 16) >= target
        # a replica does not take transactions
        error = followers[1].w3.provider.make_request("eth_sendRawTransaction", ["0x00"])
        assert "error" in error
    finally:
        for node in followers:
            node.stop()
        seq.stop()


def test_restarts_resume_without_gaps_or_duplicates(tmp_path: Path) -> None:
    """A replica and the sequencer restarted on their data dirs go on from their records and
    from the CTC's totals: every batch is derived once, and the chains still agree."""
    seq = sequencer(tmp_path / "seq")
    rep = follower(tmp_path / "rep", seq, "replica")
    try:
        wait_for("a few batches", lambda: rep.node.derivation.heads.next_batch >= 2)
        rep.stop()
        seq.stop()
        seq = sequencer(tmp_path / "seq")
        rep = follower(tmp_path / "rep", seq, "replica")
        before = rep.node.derivation.heads.next_batch
        assert before >= 2  # the records survived
        wait_for("more batches", lambda: rep.node.derivation.heads.next_batch >= before + 2)
        records = rep.node.derivation.heads.records
        assert [r.batch_index for r in records] == list(range(len(records)))
        for previous, record in zip(records, records[1:], strict=False):
            assert record.last_l2_block > previous.last_l2_block
        target = rep.node.l2.safe_number()
        wait_for("the sequencer's safe head", lambda: seq.node.l2.safe_number() >= target)
        same_chain(seq, rep, target)
    finally:
        rep.stop()
        seq.stop()


def test_replica_follows_the_sequencers_unsafe_head(tmp_path: Path) -> None:
    """With ``sequencer_ws`` a replica executes the sequencer's blocks as they are announced
    (its ``latest`` runs ahead of its safe head), and derivation later confirms them as they
    are: nothing replaced, the same chain."""
    seq = sequencer(tmp_path / "seq")
    # 8 L1 blocks deep before safe: the followed blocks stay unsafe for several seconds, so
    # the checks below that the replica runs ahead of its safe head hold on a loaded machine
    rep = follower(
        tmp_path / "rep", seq, "replica", node={"sequencer_ws": seq.ws_url}, confirmations=8
    )
    try:
        _, key = account(2)
        recipient, _ = account(8)
        (receipt,) = wait_receipts(seq.w3, [send(seq.w3, key, to=recipient, value=7)])
        number = receipt["blockNumber"]

        def followed() -> bool:
            return rep.node.l2.head_number() >= number

        wait_for("the replica to follow the sequencer's block", followed, timeout=30, every=0.05)
        assert rep.node.l2.safe_number() < number  # ahead of what L1 has made safe
        got = rep.w3.eth.get_transaction_receipt(receipt["transactionHash"])
        assert got["blockHash"] == receipt["blockHash"]
        follower_service = rep.node.unsafe_follower
        assert follower_service is not None and follower_service.followed > 0
        assert follower_service.halted is None
        status = rep.w3.provider.make_request("rollup_syncStatus", [])["result"]
        assert int(status["unsafeL2"]["number"], 16) > int(status["safeL2"]["number"], 16)
        wait_for("derivation to pass it", lambda: rep.node.l2.safe_number() >= number + 2)
        same_chain(seq, rep, number + 2)
        assert rep.node.derivation.engine.replaced == 0  # confirmed, not rebuilt
    finally:
        rep.stop()
        seq.stop()
