"""The program against a running devnet: every L2 block the sequencer made and batched to L1
is proven valid from L1 data alone, fetched by ``host.Web3ProgramL1Source`` (eth_getProof, headers,
CTC events) and the node's own store — and a wrong output root is proven invalid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from rollup_node.chain.witness import StoreL2Reader
from rollup_node.faultproof.program.host import Web3ProgramL1Source
from rollup_node.faultproof.program.run import prove_block
from tests.e2e.rollup_helpers import account, enqueue_deposit, sequencer, wait_for
from tests.integration.helpers import send, wait_receipts

pytestmark = pytest.mark.slow

ETH = 10**18


def test_devnet_blocks_are_proven_from_l1(tmp_path: Path) -> None:
    seq = sequencer(tmp_path / "seq")
    try:
        _, key = account(1)
        recipient, _ = account(7)
        wait_receipts(seq.w3, [send(seq.w3, key, to=recipient, value=5)])
        fresh = "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"
        enqueue_deposit(seq, key, fresh, 2 * ETH)
        wait_for("the deposit on L2", lambda: seq.w3.eth.get_balance(fresh) == 2 * ETH)
        target = seq.node.l2.head_number()
        wait_for("the blocks to be safe", lambda: seq.node.l2.safe_number() >= target)

        rollup = seq.node.rollup
        assert seq.l1_w3 is not None
        l1 = Web3ProgramL1Source(seq.l1_w3, rollup.l1_addresses.canonical_transaction_chain)
        head = bytes(seq.l1_w3.eth.get_block("latest")["hash"])
        for number in range(1, target + 1):
            result = prove_block(StoreL2Reader(seq.node.l2), rollup, l1, head, number)
            assert result.verdict == "valid", f"block {number}: {result.report}"
        l2 = StoreL2Reader(seq.node.l2)
        wrong = prove_block(l2, rollup, l1, head, target, disputed_root=b"\x01" * 32)
        assert wrong.verdict == "invalid", wrong.report

        # the same through the command line, as an operator runs it next to the node
        config = tmp_path / "check.toml"
        node = {"data_dir": str(seq.config.node.data_dir), "l1_rpc": seq.l1_url}
        config.write_text(tomli_w.dumps({"node": node, "rollup": rollup.model_dump(mode="json")}))
        for disputed, code in ((None, 0), ("0x" + "01" * 32, 1)):
            argv = ["fpp", "run", "--config", str(config), "--block", str(target)]
            argv += ["--disputed", disputed] if disputed else []
            # its own process: LMDB opens the node's store once per process
            done = subprocess.run(
                [sys.executable, "-m", "rollup_node.cli", *argv],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == code, done.stdout + done.stderr
    finally:
        seq.stop()
