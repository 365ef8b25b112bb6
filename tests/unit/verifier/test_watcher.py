"""The output-root watcher against a real SCC on the embedded L1 (SPEC §4, §11): it compares
every posted root, flags the wrong one, and after a game deletes batches it forgets their
elements and compares the re-proposed roots afresh."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from eth_utils import keccak
from prometheus_client import CollectorRegistry
from web3 import Web3

from rollup_node.config import RollupConfig
from rollup_node.l1.transactor import connect
from rollup_node.protocol.output_root import OutputRootPreimage
from rollup_node.verifier.watcher import OutputWatcher
from tests.contracts.chain_helpers import transact
from tests.contracts.deployments import BOND, deploy_ctc, deploy_scc


@dataclass(frozen=True)
class _Block:
    state_root: bytes
    hash: bytes


@dataclass(frozen=True)
class _Proof:
    storage_hash: bytes


class FakeChain:
    """The three chain reads the watcher makes, over made-up blocks ``0..safe``."""

    def __init__(self, safe: int) -> None:
        self.safe = safe

    def safe_number(self) -> int:
        return self.safe

    def block_by_number(self, number: int) -> _Block:
        return _Block(keccak(b"state" + bytes([number])), keccak(b"block" + bytes([number])))

    def get_proof(self, _address: bytes, _slots: list[int], number: int) -> _Proof:
        return _Proof(keccak(b"storage" + bytes([number])))

    def root(self, number: int) -> bytes:
        block = self.block_by_number(number)
        return OutputRootPreimage(
            block.state_root, self.get_proof(b"", [], number).storage_hash, block.hash
        ).root


def test_deleted_batches_are_forgotten_and_reproposals_compared(evm_w3: Web3) -> None:
    w3, a = evm_w3, evm_w3.eth.accounts
    proposer, factory, game = a[1], a[8], a[7]
    ctc = deploy_ctc(w3, proposer, a[9])
    transact(w3, ctc.functions.appendSequencerBatch(b"", 20, 0, 0, 0, 2**64 - 1), proposer)
    chain = FakeChain(safe=5)
    bonds, scc = deploy_scc(w3, ctc.address, proposer, factory, chain.root(0))
    transact(w3, bonds.functions.deposit(), proposer, value=BOND)

    def propose(roots: list[bytes]) -> tuple:
        start = scc.functions.totalElements().call()
        receipt = transact(w3, scc.functions.appendStateBatch(roots, start), proposer)
        (event,) = scc.events.StateBatchAppended().process_receipt(receipt)
        args = event.args
        return (args.batchIndex, args.batchRoot, args.batchSize, start, args.extraData)

    propose([chain.root(1), chain.root(2)])
    wrong = propose([keccak(b"wrong"), chain.root(4)])  # element 3 is wrong
    propose([chain.root(5)])

    config = RollupConfig.model_validate({"l1_addresses": {"state_commitment_chain": scc.address}})
    watcher = OutputWatcher(
        config, chain, connect(evm_w3.provider.endpoint_uri), CollectorRegistry()
    )

    loop = asyncio.new_event_loop()  # one loop: the L1 session belongs to it

    async def read_and_compare() -> None:
        await watcher.read_new_batches()
        watcher.compare_ready()

    loop.run_until_complete(read_and_compare())
    mismatch = watcher.earliest_wrong()
    assert mismatch is not None and mismatch.element == 3 and mismatch.batch_index == 2
    assert mismatch.batch.header() == wrong
    assert sorted(watcher.checked) == [0, 1, 2, 4, 5]

    # A won game deletes batch 2 and batch 3; the proposer posts correct roots again.
    transact(w3, scc.functions.registerGame(game, wrong), factory)
    transact(w3, scc.functions.deleteStateBatch(wrong), game)
    transact(w3, bonds.functions.deposit(), proposer, value=BOND)
    loop.run_until_complete(watcher.read_new_batches())
    assert sorted(watcher.checked) == [0, 1, 2] and not watcher.pending
    assert watcher.earliest_wrong() is None
    assert [d["status"] for d in watcher.disputes()] == ["deleted"]
    assert sorted(watcher.batches) == [0, 1]

    propose([chain.root(3), chain.root(4), chain.root(5)])
    loop.run_until_complete(read_and_compare())
    assert sorted(watcher.checked) == [0, 1, 2, 3, 4, 5] and not watcher.pending
    assert watcher.earliest_wrong() is None
    assert watcher.mismatch_total._value.get() == 1
    assert watcher.batches[2].output_roots[0] == chain.root(3)
    loop.run_until_complete(watcher.w3.provider.disconnect())
    loop.close()
