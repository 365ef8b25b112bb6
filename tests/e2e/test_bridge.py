"""ETH and ERC20 round trips through the standard bridge (SPEC §7): deposits on L1 reach L2
through the CTC queue and the L2 messenger; withdrawals on L2 are finalized on L1 with
``rollup-node withdraw`` only once their output root is final, and only once."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3
from web3.contract import Contract

from rollup_node.contracts import load_artifact
from rollup_node.protocol import predeploys
from rollup_node.withdrawals.cli import register
from tests.e2e.l1 import L1
from tests.e2e.rollup_helpers import account, l1_send, sequencer, wait_for
from tests.integration.helpers import send, wait_receipts
from tests.node_harness import RunningNode

ETH = 10**18
WINDOW = 20  # the fraud-proof window, in seconds of L1 time
MIN_GAS = 200_000


def contract(w3: Web3, name: str, address: str | bytes) -> Contract:
    if isinstance(address, bytes):
        address = "0x" + address.hex()
    return w3.eth.contract(
        address=Web3.to_checksum_address(address), abi=list(load_artifact(name).abi)
    )


def calldata(c: Contract, function: str, *args: object) -> bytes:
    return bytes.fromhex(c.encode_abi(function, args=list(args))[2:])


def l1_deploy(seq: RunningNode, key: str, name: str, *args: object) -> str:
    """Deploy artifact ``name`` on L1 from ``key``; its address."""
    w3 = seq.l1_w3
    assert w3 is not None
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
    sender = Account.from_key(key).address
    tx = factory.constructor(*args).build_transaction(
        {
            "from": sender,
            "nonce": w3.eth.get_transaction_count(sender, "pending"),
            "gas": 3_000_000,
            "maxFeePerGas": 10 * 10**9,
            "maxPriorityFeePerGas": 10**9,
            "chainId": seq.config.rollup.l1_chain_id,
        }
    )
    tx_hash = w3.eth.send_raw_transaction(Account.sign_transaction(tx, key).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert receipt["status"] == 1, f"deploying {name} failed"
    return receipt["contractAddress"]


def l2_call(seq: RunningNode, key: str, c: Contract, function: str, *args: object, value: int = 0):  # noqa: ANN201
    """Send an L2 transaction calling ``function`` and return its receipt (must succeed)."""
    data = calldata(c, function, *args)
    sender = Account.from_key(key).address
    gas = seq.w3.eth.estimate_gas({"from": sender, "to": c.address, "data": data, "value": value})
    tx_hash = send(seq.w3, key, to=c.address, data=data, value=value, gas=gas * 6 // 5)
    (receipt,) = wait_receipts(seq.w3, [tx_hash])
    assert receipt["status"] == 1, f"L2 {function} failed"
    return receipt


def l1_time(seq: RunningNode) -> int:
    """The timestamp of the L1 head: the clock fraud-proof windows run on."""
    assert seq.l1_w3 is not None
    return int(seq.l1_w3.eth.get_block("latest")["timestamp"])


#: A line of ``withdraw status``: the withdrawal's hash and where it stands. The node runs in
#: this process and logs to the same stdout, so only these lines are read.
STATUS_LINE = re.compile(r"^0x[0-9a-f]{64} (.+)$", re.MULTILINE)


def stages(out: str) -> list[str]:
    """The stage text of each withdrawal in a ``withdraw status`` output."""
    return STATUS_LINE.findall(out)


def withdraw(seq: RunningNode, action: str, tx_hash: bytes, *extra: str) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    config = Path(seq.config.node.data_dir) / "rollup.toml"
    args = parser.parse_args(
        [
            "withdraw",
            action,
            "--tx",
            "0x" + bytes(tx_hash).hex(),
            "--config",
            str(config),
            "--l1-rpc",
            str(seq.l1_url),
            "--l2-rpc",
            seq.url,
            *extra,
        ]
    )
    return args.func(args)


@pytest.fixture(scope="module")
def seq(l1: L1, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - RunningNode
    # ``l1``: built again on each L1 kind (tests/e2e/conftest.py)
    node = sequencer(tmp_path_factory.mktemp("bridge"), fraud_proof_window=WINDOW)
    yield node
    node.stop()


def test_eth_and_erc20_round_trips(seq: RunningNode, capsys: pytest.CaptureFixture) -> None:
    l1, l2 = seq.l1_w3, seq.w3
    assert l1 is not None
    addresses = seq.node.rollup.l1_addresses
    user, user_key = account(3)
    _, relayer_key = account(4)
    l1_recipient = Web3.to_checksum_address("0x" + "5e" * 20)
    l2_recipient = Web3.to_checksum_address("0x" + "6f" * 20)
    l1_bridge = contract(l1, "L1StandardBridge", addresses.l1_standard_bridge)
    l2_bridge = contract(l2, "L2StandardBridge", predeploys.L2_STANDARD_BRIDGE)

    # the genesis names each L2 predeploy's L1 half
    messenger = contract(l2, "L2CrossDomainMessenger", predeploys.L2_CROSS_DOMAIN_MESSENGER)
    assert messenger.functions.otherMessenger().call() == Web3.to_checksum_address(
        addresses.l1_cross_domain_messenger
    )
    assert l2_bridge.functions.l1Bridge().call() == Web3.to_checksum_address(
        addresses.l1_standard_bridge
    )

    # --- deposits: ETH, then an ERC20 whose L2 twin comes from the factory predeploy
    data = calldata(l1_bridge, "bridgeETHTo", l2_recipient, MIN_GAS, b"")
    assert l1_send(seq, user_key, l1_bridge.address, data, 2 * ETH)["status"] == 1
    l1_token_address = l1_deploy(
        seq, user_key, "MintableERC20", user, "0x" + "01" * 20, "T", "T", 18
    )
    l1_token = contract(l1, "MintableERC20", l1_token_address)
    for function, args in (("mint", (user, 1000)), ("approve", (l1_bridge.address, 1000))):
        assert (
            l1_send(seq, user_key, l1_token_address, calldata(l1_token, function, *args))["status"]
            == 1
        )
    factory = contract(l2, "MintableERC20Factory", predeploys.ERC20_FACTORY)
    created = l2_call(seq, user_key, factory, "createMintableERC20", l1_token_address, "T", "T", 18)
    (event,) = factory.events.MintableERC20Created().process_receipt(created)
    l2_token = contract(l2, "MintableERC20", event.args.localToken)
    data = calldata(
        l1_bridge,
        "bridgeERC20To",
        l1_token_address,
        l2_token.address,
        user,
        400,
        MIN_GAS,
        b"",
    )
    assert l1_send(seq, user_key, l1_bridge.address, data)["status"] == 1
    wait_for("the ETH deposit on L2", lambda: l2.eth.get_balance(l2_recipient) == 2 * ETH)
    wait_for(
        "the ERC20 deposit on L2",
        lambda: l2_token.functions.balanceOf(user).call() == 400,
    )
    assert l1_token.functions.balanceOf(l1_bridge.address).call() == 400  # escrowed

    # --- withdrawals: 1 ETH and 150 tokens back to an L1 address
    # Any SCC batch covering a withdrawal is appended after its L2 block exists, so in an L1
    # block at or after the one read here: its window cannot end before ``before + WINDOW``.
    before = l1_time(seq)
    eth_out = l2_call(
        seq, user_key, l2_bridge, "bridgeETHTo", l1_recipient, MIN_GAS, b"", value=ETH
    )
    # too early: the relayer refuses (waiting for the root, or in the window) and the
    # contract itself would refuse a non-final root
    code = withdraw(seq, "finalize", eth_out["transactionHash"], "--key", relayer_key)
    refused = capsys.readouterr().err
    assert withdraw(seq, "status", eth_out["transactionHash"]) == 0
    (status,) = stages(capsys.readouterr().out)
    if l1_time(seq) < before + WINDOW:  # certainly tried inside the window (not a slow run)
        assert code == 1 and "final" in refused, refused
        assert not status.startswith("finalized"), status
    done = {eth_out["transactionHash"]} if code == 0 else set()  # a slow run: window over
    token_out = l2_call(
        seq,
        user_key,
        l2_bridge,
        "bridgeERC20To",
        l2_token.address,
        l1_token_address,
        l1_recipient,
        150,
        MIN_GAS,
        b"",
    )
    assert l2_token.functions.totalSupply().call() == 250  # burned on L2

    def window_end(tx_hash: bytes) -> int | None:
        """The L1 time the window of the batch covering ``tx_hash`` ends at, once covered
        (a batch already final counts as ended now)."""
        withdraw(seq, "status", tx_hash)
        (status,) = stages(capsys.readouterr().out) or ("not found yet",)
        if status.startswith(("finalized", "ready")):
            return l1_time(seq)
        found = re.search(r"window ends at (\d+)", status)
        return int(found.group(1)) if found else None

    ends = wait_for(
        "the token withdrawal's output root on L1",
        lambda: window_end(token_out["transactionHash"]),
        timeout=90,
        every=1,
    )
    # each withdrawal may sit in its own SCC batch; the ETH one is in the same or an earlier
    # batch (its block is earlier), so it is covered too and can be proved
    code = withdraw(seq, "finalize", token_out["transactionHash"], "--key", relayer_key)
    refused = capsys.readouterr().err
    if l1_time(seq) < ends:  # the attempt certainly fell inside the window
        assert code == 1 and "fraud-proof window ends" in refused, refused
    if code == 0:
        done.add(token_out["transactionHash"])
    assert withdraw(seq, "prove", eth_out["transactionHash"]) == 0
    assert '"storageProof"' in capsys.readouterr().out

    # after its own batch's window, each finalizes (once); neither waits on the other's batch
    def finalized(tx_hash: bytes) -> bool:
        code = withdraw(seq, "finalize", tx_hash, "--key", relayer_key)
        capsys.readouterr()
        return code == 0

    for what, tx in (("ETH", eth_out), ("token", token_out)):
        if tx["transactionHash"] in done:
            continue
        wait_for(
            f"the {what} withdrawal to finalize",
            lambda tx=tx: finalized(tx["transactionHash"]),
            timeout=WINDOW * 4,
            every=2,
        )
    assert l1.eth.get_balance(l1_recipient) == ETH
    assert l1_token.functions.balanceOf(l1_recipient).call() == 150
    assert l1_token.functions.balanceOf(l1_bridge.address).call() == 250
    capsys.readouterr()
    for tx in (eth_out, token_out):
        assert withdraw(seq, "finalize", tx["transactionHash"], "--key", relayer_key) == 1
        assert "already finalized" in capsys.readouterr().err
        assert withdraw(seq, "status", tx["transactionHash"]) == 0
        assert stages(capsys.readouterr().out) == ["finalized"]
    assert l1.eth.get_balance(l1_recipient) == ETH
    assert l1_token.functions.balanceOf(l1_recipient).call() == 150


def test_the_proposer_node_finalizes_its_batches_after_the_window(seq: RunningNode) -> None:
    """Withdrawals and the proposer's bond need final batches; its node calls the
    permissionless ``finalizeBatch()`` itself once a window has passed."""
    scc = contract(
        seq.l1_w3, "StateCommitmentChain", seq.node.rollup.l1_addresses.state_commitment_chain
    )
    finalizer = seq.node.finalizer
    assert finalizer is not None
    wait_for("a batch final by the node", lambda: finalizer.finalized > 0, timeout=WINDOW * 4)
    final = scc.functions.finalizedBatches().call()
    assert final > 1  # beyond the genesis batch
    # never ahead of the window: the newest final batch was appended WINDOW seconds ago
    newest = scc.functions.batchTimestamps(final - 1).call()
    assert seq.l1_w3.eth.get_block("latest")["timestamp"] >= newest + WINDOW
