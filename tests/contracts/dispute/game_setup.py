"""The dispute set-up the game, client and responder tests share: a CTC with one sequencer
batch, a bonded proposer's SCC batch (elements 1 and 2), the VM pair and a DisputeGameFactory
with a depth-2 game (SPEC §11)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from rollup_node.contracts import load_artifact
from tests.contracts.chain_helpers import deploy, next_create_address, transact
from tests.contracts.deployments import BOND, deploy_ctc, deploy_scc, deploy_vm

DEPTH = 2  # leaves at positions 4..7
CLOCK = 100
EXTENSION = 10
MOVE_BOND = 1_000
CHAIN_ID = 901
CONFIG_HASH = b"\xcc" * 32


def exited_state(exit_code: int = 0) -> bytes:
    """A 226-byte VM witness of an exited state (a step leaves it unchanged, needing no proof)."""
    return (
        b"\x11" * 32  # memRoot
        + b"\x00" * 32  # preimageKey
        + b"\x00" * 4 * 6  # preimageOffset, pc, nextPC, lo, hi, heap
        + bytes([exit_code, 1])  # exitCode, exited
        + (7).to_bytes(8, "big")  # step
        + b"\x00" * 128  # registers
    )


def state_hash(witness: bytes, status: int) -> bytes:
    return bytes([status]) + keccak(witness)[1:]


S0 = exited_state()
H0 = state_hash(S0, 0)  # the true trace: every position is the exited state S0
BOGUS = state_hash(b"bogus", 1)


@dataclass
class Dispute:
    """The deployed contracts and players of one dispute set-up."""

    w3: Web3
    scc: Contract
    bonds: Contract
    factory: Contract
    oracle: Contract
    proposer: str
    challenger: str
    defender: str
    roots: list[bytes]
    header: tuple

    def element(self, n: int) -> tuple:
        index = n - 1  # elements 1 and 2 are the batch's two roots
        return (self.roots[index], self.header, [self.roots[1 - index]])

    def create(self, root_claim: bytes = BOGUS, value: int = BOND, l1_head: int | None = None):
        head = self.w3.eth.block_number if l1_head is None else l1_head
        head_hash = self.w3.eth.get_block(head).hash
        call = self.factory.functions.create(
            2, self.element(1), self.element(2), head, head_hash, root_claim
        )
        receipt = transact(self.w3, call, self.challenger, value=value)
        (event,) = self.factory.events.GameCreated().process_receipt(receipt, errors=DISCARD)
        abi = list(load_artifact("FaultDisputeGame").abi)
        return self.w3.eth.contract(address=event.args.game, abi=abi)

    def move(self, game: Contract, parent: int, claim: bytes, attack: bool, sender: str):
        _, _, _, _, parent_claim, position, _, _ = game.functions.claimData(parent).call()
        depth = (((position | (0 if attack else 1)) << 1).bit_length()) - 1
        bond = MOVE_BOND * (1 + depth)
        call = game.functions.move(parent, parent_claim, claim, attack)
        transact(self.w3, call, sender, value=bond)
        return game.functions.claimDataLen().call() - 1


def make_dispute(w3: Web3, absolute_prestate: bytes) -> Dispute:
    """SCC with one batch (elements 1 and 2), a bonded proposer, the VM and a game factory."""
    a = w3.eth.accounts
    deployer, sequencer = a[0], a[1]
    ctc = deploy_ctc(w3, sequencer, a[9])
    transact(w3, ctc.functions.appendSequencerBatch(b"", 10, 0, 0, 0, 2**64 - 1), sequencer)
    factory_address = next_create_address(w3, deployer, later=4)
    bonds, scc = deploy_scc(w3, ctc.address, sequencer, factory_address)
    oracle, vm = deploy_vm(w3)
    factory = deploy(
        w3,
        "DisputeGameFactory",
        (
            scc.address,
            bonds.address,
            vm.address,
            oracle.address,
            absolute_prestate,
            DEPTH,
            CLOCK,
            EXTENSION,
            MOVE_BOND,
            CHAIN_ID,
            CONFIG_HASH,
        ),
    )
    assert factory.address == factory_address
    transact(w3, bonds.functions.deposit(), sequencer, value=BOND)
    roots = [keccak(b"root1"), keccak(b"root2")]
    receipt = transact(w3, scc.functions.appendStateBatch(roots, 1), sequencer)
    (event,) = scc.events.StateBatchAppended().process_receipt(receipt, errors=DISCARD)
    header = (1, event.args.batchRoot, 2, 1, event.args.extraData)
    return Dispute(w3, scc, bonds, factory, oracle, sequencer, a[2], a[3], roots, header)


def private_key(address: str) -> str:
    """The private key of one of the embedded L1's funded devnet accounts (the async clients
    sign their own transactions)."""
    from rollup_node.chain.genesis import devnet_accounts

    for raw, key in devnet_accounts():
        if raw == bytes.fromhex(address[2:]):
            return key
    raise KeyError(f"{address} is not a devnet account")
