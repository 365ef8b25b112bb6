"""Generated L2 blocks: the C fault-proof program must reproduce py-evm's output root exactly.

Each block is drawn from a seed: minting deposits (some failing), transfers, contract
deployments, creations and calls that revert, storage churn (set, overwrite, clear), contracts
destroyed in the transaction that created them and ones that SELFDESTRUCT later (EIP-6780),
precompile calls (ecrecover, sha256, ripemd160, identity, modexp, bn254 add/mul/pairing,
blake2f; inputs at their edges, from the differential fuzzer's generator), withdrawals through
the message passer, legacy and access-list transactions, and transactions invalid at their
position (dropped by both). For each block the program exits 0
for the node's root and 1 for a wrong one. The default suite runs a few seeds; the `slow`
suite runs 500.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from eth_account import Account

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.faultproof.differential.bytecode import init_code
from rollup_node.faultproof.differential.generator import precompile_input, withdrawal_calldata
from rollup_node.faultproof.differential.world import QueueElement
from rollup_node.faultproof.program.build import build
from rollup_node.protocol.addresses import create_address
from rollup_node.protocol.predeploys import L2_TO_L1_MESSAGE_PASSER

from .test_program import ANCHOR, BASE, _batch, _prove
from .test_program import binaries as binaries  # the module's build fixture

# runtime: SSTORE(calldata[0:32], calldata[32:64])
CHURN = bytes.fromhex("602035600035" + "5500")
# runtime: CALLER SELFDESTRUCT
DESTRUCT = bytes.fromhex("33ff")
# runtime: REVERT with 4 bytes of data
REVERTER = bytes.fromhex("63deadbeef60005260046000fd")
PRECOMPILES = [1, 2, 3, 4, 5, 6, 7, 8, 9]


class _Block:
    """The transactions and deposits of one generated block."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.keys = [key for _, key in devnet_accounts()]
        self.addresses = [address for address, _ in devnet_accounts()]
        self.nonces = [0] * len(self.keys)
        self.contracts: dict[str, list[bytes]] = {"churn": [], "destruct": []}
        self.txs: list[bytes] = []
        self.queue: list[QueueElement] = []
        self.invalid = 0

    def sign(
        self,
        who: int,
        to: bytes | None,
        data: bytes = b"",
        value: int = 0,
        gas: int = 300_000,
        nonce: int | None = None,
    ) -> None:
        rng = self.rng
        tx: dict = {
            "chainId": BASE.l2_chain_id,
            "nonce": self.nonces[who] if nonce is None else nonce,
            "value": value,
            "data": data,
            "gas": gas,
        }
        if to is not None:
            tx["to"] = to
        kind = rng.choice(["legacy", "access", "dynamic", "dynamic"])
        if kind == "dynamic":
            tx.update(
                type=2, maxFeePerGas=2 * 10**9, maxPriorityFeePerGas=rng.choice([0, 10**6, 10**8])
            )
        else:
            tx["gasPrice"] = 2 * 10**9
            if kind == "access":
                tx["type"] = 1
                slots = ["0x" + rng.randbytes(32).hex() for _ in range(rng.randint(0, 2))]
                tx["accessList"] = [
                    {"address": "0x" + (to or b"\x01" * 20).hex(), "storageKeys": slots}
                ]
                tx["gas"] += 2_400 + 1_900 * len(slots)  # the access list's intrinsic gas
        self.txs.append(bytes(Account.sign_transaction(tx, self.keys[who]).raw_transaction))
        if nonce is None:
            self.nonces[who] += 1

    def deploy(self, who: int, kind: str, runtime: bytes) -> None:
        address = create_address(self.addresses[who], self.nonces[who])
        self.sign(who, None, init_code(runtime), value=self.rng.choice([0, 7]))
        self.contracts[kind].append(address)

    def step(self) -> None:
        rng = self.rng
        who = rng.randrange(len(self.keys))
        action = rng.choice(
            ["transfer", "deploy_churn", "churn", "churn", "revert_create", "revert_call",
             "create_destroy", "deploy_destruct", "destruct", "precompile", "withdraw", "invalid"]
        )  # fmt: skip
        if action == "transfer":
            self.sign(who, rng.randbytes(20), value=rng.randint(1, 10**18), gas=21_000)
        elif action == "deploy_churn":
            self.deploy(who, "churn", CHURN)
        elif action == "churn" and self.contracts["churn"]:
            slot = rng.randint(0, 3).to_bytes(32, "big")
            value = rng.choice([0, 1, rng.getrandbits(256)]).to_bytes(32, "big")
            self.sign(who, rng.choice(self.contracts["churn"]), slot + value)
        elif action == "revert_create":
            self.sign(who, None, REVERTER)  # init code that reverts
        elif action == "revert_call":
            self.deploy(who, "churn", REVERTER)  # a deployed reverter: calling it reverts
            self.sign(who, self.contracts["churn"][-1], b"")
        elif action == "create_destroy":
            self.sign(who, None, DESTRUCT, value=rng.choice([0, 5]))  # destroyed in creating tx
        elif action == "deploy_destruct":
            self.deploy(who, "destruct", DESTRUCT)
        elif action == "destruct" and self.contracts["destruct"]:
            self.sign(who, rng.choice(self.contracts["destruct"]), b"")
        elif action == "precompile":
            address = rng.choice(PRECOMPILES)
            self.sign(who, address.to_bytes(20, "big"), precompile_input(rng, address), gas=200_000)
        elif action == "withdraw":
            self.sign(
                who, L2_TO_L1_MESSAGE_PASSER, withdrawal_calldata(rng.randbytes(20)), value=10**15
            )
        elif action == "invalid":
            self.invalid += 1
            self.sign(who, rng.randbytes(20), value=1, gas=21_000, nonce=self.nonces[who] + 5)
        else:
            self.sign(who, rng.randbytes(20), value=1, gas=21_000)

    def deposits(self) -> None:
        rng = self.rng
        for _ in range(rng.randint(0, 3)):
            sender = rng.randbytes(20)  # fresh: deposits don't disturb the signers' nonces
            mint = rng.choice([0, 10**15, 10**18])
            creation = rng.random() < 0.3
            data = init_code(CHURN) if creation else rng.randbytes(rng.randint(0, 40))
            to = (
                b"\0" * 20 if creation else rng.choice([rng.randbytes(20), L2_TO_L1_MESSAGE_PASSER])
            )
            gas = rng.choice([21_000, 60_000, 200_000])
            self.queue.append(
                QueueElement(sender, to, mint, gas, creation, data, rng.randint(1, ANCHOR))
            )
        self.queue.sort(key=lambda q: q.l1_block)


def _check(seed: int, tmp_path: Path, binaries: tuple[str, str], mips_steps: int = 0) -> dict:
    block = _Block(seed)
    block.deposits()
    for _ in range(block.rng.randint(2, 14)):
        block.step()
    batch = b"\x00" + _batch([(ANCHOR, len(block.queue), block.txs)])
    _, codes, applied = _prove(tmp_path, binaries, batch, block.queue, len(block.queue), mips_steps)
    assert applied == len(block.txs) - block.invalid, f"seed {seed}: a valid transaction dropped"
    assert {k: v for k, v in codes.items() if k != "mips"} == {
        "right": 0,
        "wrong": 1,
        "not derivable": 1,
    }, f"seed {seed}"
    return codes


@pytest.mark.parametrize("seed", range(8))
def test_generated_block_matches_the_node(
    seed: int, tmp_path: Path, binaries: tuple[str, str]
) -> None:
    _check(seed, tmp_path, binaries)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(8, 508))
def test_generated_block_matches_the_node_500(
    seed: int, tmp_path: Path, binaries: tuple[str, str]
) -> None:
    _check(seed, tmp_path, binaries)


@pytest.mark.slow
@pytest.mark.mips
@pytest.mark.parametrize("seed", [0, 3, 7])
def test_generated_block_on_the_mips_vm_matches_native(
    seed: int, tmp_path: Path, binaries: tuple[str, str]
) -> None:
    """The MIPS build on the reference VM accepts the node's root, like the native build."""
    build("mips", ("fpp",))
    codes = _check(seed, tmp_path, binaries, mips_steps=60_000_000)
    assert codes["mips"] == 0, f"seed {seed}: MIPS run gave {codes['mips']}"
