"""StateCommitmentChain and BondManager: appending, Merkle batch roots, disputes, finality,
bond locking and slashing (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_abi import decode, encode
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from rollup_node.protocol.batch_merkle import batch_proof, batch_root
from tests.contracts.chain_helpers import (
    latest_timestamp,
    reverts,
    set_next_block_timestamp,
    transact,
)
from tests.contracts.deployments import (
    BOND,
    WINDOW,
    deploy_ctc,
    deploy_scc,
)

GENESIS_ROOT = b"\x99" * 32
HEADER_TYPE = "(uint256,bytes32,uint256,uint256,bytes)"


@dataclass
class Chains:
    w3: Web3
    ctc: Contract
    scc: Contract
    bonds: Contract
    proposer: str
    factory: str
    headers: list[tuple]

    def propose(self, roots: list[bytes], sender: str | None = None) -> tuple:
        start = self.scc.functions.totalElements().call()
        receipt = transact(
            self.w3, self.scc.functions.appendStateBatch(roots, start), sender or self.proposer
        )
        (event,) = self.scc.events.StateBatchAppended().process_receipt(receipt, errors=DISCARD)
        header = (
            event.args.batchIndex,
            event.args.batchRoot,
            event.args.batchSize,
            event.args.prevTotalElements,
            event.args.extraData,
        )
        self.headers.append(header)
        return header


@pytest.fixture
def chains(evm_w3: Web3) -> Chains:
    w3 = evm_w3
    a = w3.eth.accounts
    proposer, factory = a[1], a[8]
    ctc = deploy_ctc(w3, a[1], a[9])
    transact(w3, ctc.functions.appendSequencerBatch(b"", 20, 0, 0, 0, 2**64 - 1), a[1])
    bonds, scc = deploy_scc(w3, ctc.address, proposer, factory, GENESIS_ROOT)
    transact(w3, bonds.functions.deposit(), proposer, value=BOND)
    return Chains(w3, ctc, scc, bonds, proposer, factory, [])


def _roots(count: int, salt: int = 0) -> list[bytes]:
    return [keccak(bytes([salt]) + i.to_bytes(8, "big")) for i in range(count)]


# ------------------------------------------------------------------ Merkle


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
def test_batch_root_and_proofs(chains: Chains, size: int) -> None:
    roots = _roots(size)
    header = chains.propose(roots)
    assert header[1] == batch_root(roots)
    verify = chains.scc.functions.verifyStateCommitment
    for i, root in enumerate(roots):
        proof = batch_proof(roots, i)
        assert len(proof) == (size - 1).bit_length()
        assert verify(root, 1 + i, header, proof).call()
        assert not verify(b"\x01" * 32, 1 + i, header, proof).call()
    if size > 1:
        with reverts("WrongProofLength(uint256,uint256)"):
            verify(roots[0], 1, header, batch_proof(roots, 0)[:-1]).call()
    with reverts("IndexOutOfRange(uint256,uint256)"):
        verify(roots[0], 1 + size, header, batch_proof(roots, 0)).call()


def test_padding_uses_zero_per_level(chains: Chains) -> None:
    # Three leaves: the lone third leaf pairs with zero[0] = keccak(bytes32(0)).
    a, b, c = _roots(3)
    zero0 = keccak(b"\x00" * 32)
    expected = keccak(keccak(a + b) + keccak(c + zero0))
    assert chains.propose([a, b, c])[1] == expected


# ------------------------------------------------------------------ appending


def test_genesis_element_and_header(chains: Chains) -> None:
    scc = chains.scc.functions
    assert (scc.totalElements().call(), scc.totalBatches().call()) == (1, 1)
    assert scc.isBatchFinal(0).call()
    genesis_header = (0, GENESIS_ROOT, 1, 0, None)
    assert genesis_header[1] == batch_root([GENESIS_ROOT])


def test_append_header_fields(chains: Chains) -> None:
    first = chains.propose(_roots(4))
    second = chains.propose(_roots(2, salt=1))
    assert first[0] == 1 and first[2:4] == (4, 1)
    assert second[0] == 2 and second[2:4] == (2, 5)
    timestamp, l1_block, proposer, counter = decode(
        ["uint256", "uint256", "address", "uint256"], second[4]
    )
    block = chains.w3.eth.get_block("latest")
    assert (timestamp, l1_block, counter) == (block.timestamp, block.number, 2)
    assert proposer.lower() == chains.proposer.lower()
    stored = chains.scc.functions.batchHeaderHashes(2).call()
    assert stored == keccak(encode([HEADER_TYPE], [second]))
    assert chains.scc.functions.hashHeader(second).call() == stored


def test_append_rules(chains: Chains) -> None:
    scc, w3 = chains.scc.functions, chains.w3
    with reverts("NotProposer(address)"):
        transact(w3, scc.appendStateBatch(_roots(1), 1), w3.eth.accounts[2])
    with reverts("EmptyBatch()"):
        transact(w3, scc.appendStateBatch([], 1), chains.proposer)
    with reverts("UnexpectedStartElement(uint256,uint256)"):
        transact(w3, scc.appendStateBatch(_roots(1), 2), chains.proposer)
    # The CTC holds 20 L2 blocks: elements 0 ... 20.
    with reverts("BeyondL2Blocks(uint256,uint256)"):
        transact(w3, scc.appendStateBatch(_roots(21), 1), chains.proposer)
    chains.propose(_roots(20))


def test_unbonded_proposer_cannot_append(evm_w3: Web3) -> None:
    a = evm_w3.eth.accounts
    bonds, scc = deploy_scc(evm_w3, a[7], a[1], a[8], GENESIS_ROOT)
    transact(evm_w3, bonds.functions.deposit(), a[1], value=BOND - 1)
    with reverts("NotCollateralized()"):
        transact(evm_w3, scc.functions.appendStateBatch(_roots(1), 1), a[1])


# ------------------------------------------------------------------ disputes and finality


def test_finalization_waits_for_the_window_and_goes_in_order(chains: Chains) -> None:
    w3, scc = chains.w3, chains.scc.functions
    finalize = scc.finalizeBatch()
    anyone = w3.eth.accounts[3]
    with reverts("NothingToFinalize()"):
        transact(w3, finalize, anyone)
    chains.propose(_roots(2))
    appended_at = scc.batchTimestamps(1).call()
    chains.propose(_roots(2, salt=1))
    with reverts("WindowNotPassed(uint256)"):
        transact(w3, finalize, anyone)
    set_next_block_timestamp(w3, appended_at + WINDOW)
    transact(w3, finalize, anyone)
    assert scc.isBatchFinal(1).call() and not scc.isBatchFinal(2).call()
    assert scc.finalizedBatches().call() == 2


def test_open_game_freezes_its_batch_and_later_ones(chains: Chains) -> None:
    w3, scc = chains.w3, chains.scc.functions
    anyone, game = w3.eth.accounts[3], w3.eth.accounts[7]
    header = chains.propose(_roots(2))
    chains.propose(_roots(2, salt=1))
    with reverts("OnlyDisputeGameFactory(address)"):
        transact(w3, scc.registerGame(game, header), anyone)
    transact(w3, scc.registerGame(game, header), chains.factory)
    with reverts("GameAlreadyRegistered(address)"):
        transact(w3, scc.registerGame(game, header), chains.factory)
    assert scc.openGames(keccak(encode([HEADER_TYPE], [header]))).call() == 1
    set_next_block_timestamp(w3, latest_timestamp(w3) + 10 * WINDOW)
    with reverts("BatchDisputed(uint256)"):
        transact(w3, scc.finalizeBatch(), anyone)
    with reverts("NotAnOpenGame(address)"):
        transact(w3, scc.closeGame(), anyone)
    transact(w3, scc.closeGame(), game)  # the defender won
    transact(w3, scc.finalizeBatch(), anyone)
    transact(w3, scc.finalizeBatch(), anyone)
    with reverts("NotAnOpenGame(address)"):
        transact(w3, scc.closeGame(), game)


def test_games_only_within_the_window_and_on_current_headers(chains: Chains) -> None:
    w3, scc = chains.w3, chains.scc.functions
    header = chains.propose(_roots(2))
    forged = (header[0], b"\x01" * 32, *header[2:])
    with reverts("UnknownHeader()"):
        transact(w3, scc.registerGame(w3.eth.accounts[7], forged), chains.factory)
    set_next_block_timestamp(w3, scc.batchTimestamps(1).call() + WINDOW)
    with reverts("WindowClosed()"):
        transact(w3, scc.registerGame(w3.eth.accounts[7], header), chains.factory)


def test_won_game_deletes_batch_and_later_ones_and_slashes(chains: Chains) -> None:
    w3, scc = chains.w3, chains.scc.functions
    game, late_game = w3.eth.accounts[7], w3.eth.accounts[6]
    chains.propose(_roots(2))
    disputed = chains.propose(_roots(3, salt=1))
    chains.propose(_roots(1, salt=2))
    transact(w3, scc.registerGame(game, disputed), chains.factory)
    transact(w3, scc.registerGame(late_game, chains.headers[2]), chains.factory)
    with reverts("HeaderMismatch()"):
        transact(w3, scc.deleteStateBatch(chains.headers[0]), game)
    balance = w3.eth.get_balance(game)
    receipt = transact(w3, scc.deleteStateBatch(disputed), game)
    gas_cost = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert w3.eth.get_balance(game) == balance - gas_cost + BOND // 2
    (event,) = chains.scc.events.StateBatchDeleted().process_receipt(receipt, errors=DISCARD)
    assert event.args.batchIndex == 2
    assert (scc.totalBatches().call(), scc.totalElements().call()) == (2, 3)
    assert chains.bonds.functions.bonds(chains.proposer).call() == 0
    assert chains.bonds.functions.burned().call() == BOND - BOND // 2
    # A game whose header was deleted deletes and slashes nothing (its challenger is refunded by
    # the game) and no longer freezes anything.
    assert scc.deleteStateBatch(chains.headers[2]).call({"from": late_game}) is False
    transact(w3, scc.deleteStateBatch(chains.headers[2]), late_game)
    # The slashed proposer must bond again; a re-proposed batch has a new header hash.
    with reverts("NotCollateralized()"):
        chains.propose(_roots(3, salt=1))
    transact(w3, chains.bonds.functions.deposit(), chains.proposer, value=BOND)
    again = chains.propose(_roots(3, salt=1))
    assert again[:4] == disputed[:4] and again[4] != disputed[4]
    assert not scc.isCurrentHeader(disputed).call() and scc.isCurrentHeader(again).call()


# ------------------------------------------------------------------ bonds


def test_bond_locked_until_last_batch_final(chains: Chains) -> None:
    w3, bonds = chains.w3, chains.bonds.functions
    anyone = w3.eth.accounts[3]
    with reverts("NoBond()"):
        transact(w3, bonds.withdraw(), anyone)
    chains.propose(_roots(1))
    assert chains.scc.functions.hasPendingBatches(chains.proposer).call()
    with reverts("BondLocked()"):
        transact(w3, bonds.withdraw(), chains.proposer)
    set_next_block_timestamp(w3, latest_timestamp(w3) + WINDOW + 1)
    transact(w3, chains.scc.functions.finalizeBatch(), anyone)
    balance = w3.eth.get_balance(chains.proposer)
    receipt = transact(w3, bonds.withdraw(), chains.proposer)
    gas_cost = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert w3.eth.get_balance(chains.proposer) == balance - gas_cost + BOND
    assert not bonds.isCollateralized(chains.proposer).call()


def test_only_the_scc_slashes(chains: Chains) -> None:
    with reverts("OnlyStateCommitmentChain(address)"):
        transact(
            chains.w3,
            chains.bonds.functions.slash(chains.proposer, chains.w3.eth.accounts[3]),
            chains.w3.eth.accounts[3],
        )
