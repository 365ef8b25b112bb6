"""CanonicalTransactionChain: the deposit queue and the batch rules of SPEC §4."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from tests.contracts.chain_helpers import (
    deploy,
    deploy_forwarder,
    latest_timestamp,
    mine_blocks,
    one_block,
    reverts,
    set_next_block_timestamp,
    transact,
)

T = 2
DRIFT = 600
F = 5
D = 20_000_000
M = 5_000_000
MAX_DATA = 49_152
MAX_BATCH_BYTES = 1_000
MAX_BLOCKS = 10
ALIAS_OFFSET = 0x1111000000000000000000000000000000001111


@dataclass
class Ctc:
    w3: Web3
    contract: Contract
    sequencer: str
    genesis_timestamp: int

    def enqueue(
        self,
        gas: int = 100_000,
        data: bytes = b"",
        sender: str | None = None,
        to: str | None = None,
        value: int = 0,
        creation: bool = False,
    ):
        sender = sender or self.w3.eth.accounts[2]
        to = to or ("0x" + "00" * 20 if creation else self.w3.eth.accounts[3])
        call = self.contract.functions.enqueue(to, gas, creation, data)
        return transact(self.w3, call, sender, value)

    def append(
        self,
        num_blocks: int,
        queue_after: int,
        data: bytes = b"\x00\xc0",
        max_l1_block: int | None = None,
        sender: str | None = None,
    ):
        blocks, _, _, consumed = self.contract.functions.getTotals().call()
        bound = max_l1_block if max_l1_block is not None else 2**64 - 1
        call = self.contract.functions.appendSequencerBatch(
            data, num_blocks, queue_after, blocks, consumed, bound
        )
        return transact(self.w3, call, sender or self.sequencer)


def make_ctc(w3: Web3, **overrides: int) -> Ctc:
    """A CTC with the test parameters above, any of them overridden by name."""
    params = {"genesis": latest_timestamp(w3), "T": T, "DRIFT": DRIFT, "F": F, "D": D, "M": M}
    params.update(overrides)
    sequencer = w3.eth.accounts[1]
    config = (
        sequencer,
        params["genesis"],
        params["T"],
        params["DRIFT"],
        params["F"],
        params["D"],
        params["M"],
        MAX_DATA,
        MAX_BATCH_BYTES,
        MAX_BLOCKS,
        w3.eth.accounts[9],
    )
    contract = deploy(w3, "CanonicalTransactionChain", config)
    return Ctc(w3, contract, sequencer, params["genesis"])


@pytest.fixture
def ctc(evm_w3: Web3) -> Ctc:
    return make_ctc(evm_w3)


def _element_hash(sender, to, mint, gas, creation, data, block, timestamp) -> bytes:
    return keccak(
        encode(
            ["address", "address", "uint256", "uint64", "bool", "bytes", "uint256", "uint256"],
            [sender, to, mint, gas, creation, data, block, timestamp],
        )
    )


# ------------------------------------------------------------------ enqueue


def test_enqueue_stores_element_and_emits_every_field(ctc: Ctc) -> None:
    w3, sender, to = ctc.w3, ctc.w3.eth.accounts[2], ctc.w3.eth.accounts[3]
    data = b"\x00\x01\x02"
    receipt = ctc.enqueue(gas=60_000, data=data, sender=sender, to=to, value=12345)
    block = w3.eth.get_block(receipt["blockNumber"])
    (event,) = ctc.contract.events.TransactionEnqueued().process_receipt(receipt, errors=DISCARD)
    assert dict(event.args) == {
        "queueIndex": 0,
        "from": sender,
        "to": to,
        "mint": 12345,
        "gasLimit": 60_000,
        "isCreation": False,
        "data": data,
        "l1BlockNumber": block.number,
        "l1Timestamp": block.timestamp,
    }
    f = ctc.contract.functions
    expected = _element_hash(sender, to, 12345, 60_000, False, data, block.number, block.timestamp)
    assert f.queue(0).call() == expected
    assert f.queueL1Block(0).call() == block.number
    assert (f.queueGasPrefix(0).call(), f.queueGasPrefix(1).call()) == (0, 60_000)
    assert f.queueLength().call() == 1
    assert w3.eth.get_balance(ctc.contract.address) == 12345
    ctc.enqueue(gas=70_000)
    assert f.queueGasPrefix(2).call() == 130_000


def test_storage_layout_matches_the_protocol_slots(ctc: Ctc) -> None:
    w3, address = ctc.w3, ctc.contract.address
    ctc.enqueue(gas=60_000)
    ctc.enqueue(gas=50_000)
    ctc.append(3, 2)

    def slot(n: int) -> int:
        return int.from_bytes(w3.eth.get_storage_at(address, n))

    def array_item(base_slot: int, index: int) -> bytes:
        start = int.from_bytes(keccak(base_slot.to_bytes(32, "big")))
        return w3.eth.get_storage_at(address, start + index)

    f = ctc.contract.functions
    assert (slot(0), slot(1), slot(2), slot(3)) == (2, 2, 3, 1)
    assert array_item(0, 1) == f.queue(1).call()
    assert int.from_bytes(array_item(1, 1)) == f.queueL1Block(1).call()
    assert int.from_bytes(array_item(2, 2)) == 110_000
    batch = f.getBatch(0).call()
    stored = [array_item(3, i) for i in range(8)]
    assert stored[0] == batch[0]
    assert [int.from_bytes(s) for s in stored[1:6]] == list(batch[1:6])
    assert stored[6] == batch[6] and int.from_bytes(stored[7]) == int(batch[7])
    assert (slot(4), slot(5)) == (3, 2)
    assert slot(7) == ctc.w3.eth.get_block(ctc.w3.eth.get_block("latest").number - 1).timestamp


def test_contract_sender_is_aliased(ctc: Ctc) -> None:
    forwarder = deploy_forwarder(ctc.w3, ctc.contract.address)
    call = ctc.contract.functions.enqueue(ctc.w3.eth.accounts[3], 100_000, False, b"")
    receipt = ctc.w3.eth.wait_for_transaction_receipt(
        ctc.w3.eth.send_transaction(
            {
                "from": ctc.w3.eth.accounts[2],
                "to": forwarder,
                "data": call._encode_transaction_data(),
            }
        )
    )
    (event,) = ctc.contract.events.TransactionEnqueued().process_receipt(receipt, errors=DISCARD)
    aliased = (int(forwarder, 16) + ALIAS_OFFSET) % 2**160
    assert event.args["from"] == to_checksum_address(aliased.to_bytes(20, "big"))


def test_creation_deposit(ctc: Ctc) -> None:
    receipt = ctc.enqueue(gas=100_000, data=b"\x60\x00", creation=True)
    (event,) = ctc.contract.events.TransactionEnqueued().process_receipt(receipt, errors=DISCARD)
    assert event.args.isCreation and int(event.args.to, 16) == 0
    with reverts("CreationWithTarget(address)"):
        ctc.enqueue(gas=100_000, creation=True, to=ctc.w3.eth.accounts[3])


def test_intrinsic_gas_is_cancun(ctc: Ctc) -> None:
    f = ctc.contract.functions
    data = b"\x00" * 3 + b"\x01" * 40
    assert f.intrinsicGas(data, False).call() == 21_000 + 12 + 640
    assert f.intrinsicGas(data, True).call() == 21_000 + 32_000 + 2 * 2 + 12 + 640
    with reverts("GasLimitBelowIntrinsicGas(uint256,uint256)"):
        ctc.enqueue(gas=21_000 + 651, data=data)
    ctc.enqueue(gas=21_000 + 652, data=data)


def test_gas_limit_and_data_bounds(ctc: Ctc) -> None:
    with reverts("GasLimitAboveMaxDepositGas(uint256,uint256)"):
        ctc.enqueue(gas=M + 1)
    with reverts("DepositDataTooLarge(uint256,uint256)"):
        ctc.enqueue(gas=M, data=b"\x00" * (MAX_DATA + 1))


def test_enqueue_burns_l1_gas_per_l2_gas(ctc: Ctc) -> None:
    ctc.enqueue(gas=100_000)  # the first enqueue also pays for zero-to-nonzero array lengths
    small = ctc.enqueue(gas=100_000)["gasUsed"]
    large = ctc.enqueue(gas=3_300_000)["gasUsed"]
    burned = (3_300_000 - 100_000) // 32
    assert burned <= large - small < burned + 5_000


def test_gas_bucket_limits_and_refills(evm_w3: Web3) -> None:
    # T = 100 s: the bucket (D - M = 15,000,000) refills 150,000 gas per second of L1 time.
    ctc = make_ctc(evm_w3, T=100)
    f = ctc.contract.functions
    set_next_block_timestamp(evm_w3, latest_timestamp(evm_w3) + 1000)
    for _ in range(3):
        ctc.enqueue(gas=M)  # one block (one second) each: 300,000 refilled in between
    assert f.bucketGas().call() == 300_000
    with reverts("EnqueueGasBucketEmpty(uint256,uint256)"):
        ctc.enqueue(gas=M)
    spent_at = f.bucketTimestamp().call()
    set_next_block_timestamp(evm_w3, spent_at + 11)  # calls see the latest block: + 10 s
    assert f.enqueueGasAvailable().call() == 300_000 + 10 * 150_000
    set_next_block_timestamp(evm_w3, spent_at + 1000)
    assert f.enqueueGasAvailable().call() == D - M


# ------------------------------------------------------------------ sequencer batches


def test_append_records_batch_and_event(ctc: Ctc) -> None:
    ctc.enqueue(gas=100_000)
    data = b"\x00" + b"\xc3\xc2\x01\x01"
    receipt = ctc.append(2, 1, data=data)
    block = ctc.w3.eth.get_block(receipt["blockNumber"])
    batch = ctc.contract.functions.getBatch(0).call()
    assert batch == (keccak(data), 0, 2, 0, 1, block.number, block.parentHash, False)
    (event,) = ctc.contract.events.BatchAppended().process_receipt(receipt, errors=DISCARD)
    assert event.args.batchIndex == 0 and event.args.batchData == data
    assert event.args.l1ParentHash == block.parentHash and not event.args.forced
    assert list(ctc.contract.functions.getTotals().call()) == [2, 1, 1, 1]
    ctc.append(1, 1)
    assert list(ctc.contract.functions.getBatch(1).call()[1:5]) == [2, 1, 1, 1]


def test_only_sequencer(ctc: Ctc) -> None:
    with reverts("OnlySequencer(address)"):
        ctc.append(1, 0, sender=ctc.w3.eth.accounts[2])


def test_expected_totals_must_match(ctc: Ctc) -> None:
    ctc.enqueue()
    f = ctc.contract.functions
    with reverts("UnexpectedPrevTotalBlocks(uint256,uint256)"):
        transact(ctc.w3, f.appendSequencerBatch(b"", 1, 0, 1, 0, 2**64 - 1), ctc.sequencer)
    with reverts("UnexpectedPrevQueueIndex(uint256,uint256)"):
        transact(ctc.w3, f.appendSequencerBatch(b"", 1, 1, 0, 1, 2**64 - 1), ctc.sequencer)


def test_batch_shape_bounds(ctc: Ctc) -> None:
    next_block = ctc.w3.eth.block_number + 1
    with reverts("BatchTooLate(uint256,uint256)"):
        ctc.append(1, 0, max_l1_block=next_block - 1)
    ctc.append(1, 0, max_l1_block=next_block)
    with reverts("InvalidNumBlocks(uint256)"):
        ctc.append(0, 0)
    with reverts("InvalidNumBlocks(uint256)"):
        ctc.append(MAX_BLOCKS + 1, 0)
    with reverts("BatchDataTooLarge(uint256,uint256)"):
        ctc.append(1, 0, data=b"\x01" * (MAX_BATCH_BYTES + 1))
    ctc.append(MAX_BLOCKS, 0, data=b"\x01" * MAX_BATCH_BYTES)


def test_l2_time_stays_within_drift_of_l1(evm_w3: Web3) -> None:
    genesis = latest_timestamp(evm_w3) + 100
    ctc = make_ctc(evm_w3, genesis=genesis, DRIFT=30)
    # Block n may be appended once genesis + n*T <= block.timestamp + 30.
    set_next_block_timestamp(evm_w3, genesis - 30 + 5 * T)
    with reverts("AheadOfL1Time(uint256,uint256)"):
        ctc.append(6, 0)
    ctc.append(5, 0)
    with reverts("AheadOfL1Time(uint256,uint256)"):
        ctc.append(1, 0)  # one more block needs T more seconds; only one passed
    set_next_block_timestamp(evm_w3, latest_timestamp(evm_w3) + T)
    ctc.append(1, 0)


def test_queue_index_after_bounds(ctc: Ctc) -> None:
    ctc.enqueue()
    ctc.append(1, 1)
    with reverts("InvalidQueueIndexAfter(uint256)"):
        ctc.append(1, 0)  # before the previous queue index
    with reverts("InvalidQueueIndexAfter(uint256)"):
        ctc.append(1, 2)  # past the queue's end


def test_deposit_from_the_same_l1_block_cannot_be_consumed(ctc: Ctc) -> None:
    # Only a deposit enqueued in an earlier L1 block can be consumed; with one transaction per
    # block here, a deposit in the batch's own block is made by mining both in one block.
    w3 = ctc.w3
    with one_block(w3):
        ctc.contract.functions.enqueue(w3.eth.accounts[3], 100_000, False, b"").transact(
            {"from": w3.eth.accounts[2], "gas": 500_000}
        )
        tx = ctc.contract.functions.appendSequencerBatch(b"", 1, 1, 0, 0, 2**64 - 1).transact(
            {"from": ctc.sequencer, "gas": 500_000}
        )
    assert w3.eth.get_transaction_receipt(tx)["status"] == 0
    assert ctc.contract.functions.totalBatches().call() == 0
    ctc.append(1, 1)


def test_overdue_deposits_must_be_consumed(ctc: Ctc) -> None:
    ctc.enqueue()
    enqueued_at = ctc.w3.eth.block_number
    mine_blocks(ctc.w3, F - 2)  # the next block is enqueued_at + F - 1: not yet overdue
    ctc.append(1, 0)
    with reverts("OverdueDepositNotConsumed(uint256)"):
        ctc.append(1, 0)  # block enqueued_at + F
    assert ctc.w3.eth.block_number == enqueued_at + F - 1
    ctc.append(1, 1)


def test_deposit_gas_bounded_by_blocks(ctc: Ctc) -> None:
    for _ in range(3):
        ctc.enqueue(gas=M)
    set_next_block_timestamp(ctc.w3, latest_timestamp(ctc.w3) + 10)
    ctc.enqueue(gas=1_000_000)
    # 16,000,000 of deposit gas needs two blocks of D - M = 15,000,000.
    with reverts("TooMuchDepositGas(uint256,uint256)"):
        ctc.append(1, 4)
    ctc.append(2, 4)


# ------------------------------------------------------------------ force inclusion


def test_force_include_appends_a_forced_batch(evm_w3: Web3) -> None:
    ctc = make_ctc(evm_w3, F=20)
    force = ctc.contract.functions.forceInclude()
    anyone = evm_w3.eth.accounts[4]
    with reverts("NothingToForce()"):
        transact(evm_w3, force, anyone)
    for _ in range(3):
        ctc.enqueue(gas=M)
    set_next_block_timestamp(evm_w3, latest_timestamp(evm_w3) + 10)
    ctc.enqueue(gas=M)
    ctc.enqueue(gas=M)
    first_block = ctc.contract.functions.queueL1Block(0).call()
    with reverts("NothingToForce()"):
        transact(evm_w3, force, anyone)  # not overdue yet
    mine_blocks(evm_w3, first_block + 20 - 1 - evm_w3.eth.block_number)
    receipt = transact(evm_w3, force, anyone)
    # Deposits fill the one block up to D = 20,000,000: four of 5,000,000.
    block = evm_w3.eth.get_block(receipt["blockNumber"])
    assert ctc.contract.functions.getBatch(0).call() == (
        b"\x00" * 32,
        0,
        1,
        0,
        4,
        block.number,
        block.parentHash,
        True,
    )
    (event,) = ctc.contract.events.BatchAppended().process_receipt(receipt, errors=DISCARD)
    assert event.args.forced and event.args.batchData == b""
    with reverts("NothingToForce()"):
        transact(evm_w3, force, anyone)  # element 4 came 5 L1 blocks later: not overdue yet
    last_block = ctc.contract.functions.queueL1Block(4).call()
    mine_blocks(evm_w3, last_block + 20 - 1 - evm_w3.eth.block_number)
    transact(evm_w3, force, anyone)
    assert list(ctc.contract.functions.getTotals().call()) == [2, 2, 5, 5]
    with reverts("NothingToForce()"):
        transact(evm_w3, force, anyone)


def test_force_include_takes_only_earlier_l1_blocks(evm_w3: Web3) -> None:
    ctc = make_ctc(evm_w3, F=1)
    ctc.enqueue()
    with one_block(evm_w3):
        ctc.contract.functions.enqueue(evm_w3.eth.accounts[3], 100_000, False, b"").transact(
            {"from": evm_w3.eth.accounts[2], "gas": 500_000}
        )
        ctc.contract.functions.forceInclude().transact(
            {"from": evm_w3.eth.accounts[4], "gas": 500_000}
        )
    assert list(ctc.contract.functions.getBatch(0).call()[3:5]) == [0, 1]


def test_force_include_respects_the_time_bound(evm_w3: Web3) -> None:
    genesis = latest_timestamp(evm_w3) + 100
    ctc = make_ctc(evm_w3, genesis=genesis, DRIFT=0, F=1)
    ctc.enqueue()
    mine_blocks(evm_w3)
    with reverts("AheadOfL1Time(uint256,uint256)"):
        transact(evm_w3, ctc.contract.functions.forceInclude(), evm_w3.eth.accounts[4])
    set_next_block_timestamp(evm_w3, genesis + T)
    transact(evm_w3, ctc.contract.functions.forceInclude(), evm_w3.eth.accounts[4])


def test_release_eth_only_by_withdrawal_finalizer(ctc: Ctc) -> None:
    w3 = ctc.w3
    ctc.enqueue(value=1000)
    with reverts("OnlyWithdrawalFinalizer(address)"):
        transact(w3, ctc.contract.functions.releaseEth(w3.eth.accounts[2], 1), w3.eth.accounts[2])
    before = w3.eth.get_balance(w3.eth.accounts[5])
    transact(w3, ctc.contract.functions.releaseEth(w3.eth.accounts[5], 600), w3.eth.accounts[9])
    assert w3.eth.get_balance(w3.eth.accounts[5]) == before + 600


def test_constructor_checks_config(evm_w3: Web3) -> None:
    a = evm_w3.eth.accounts
    base = [a[1], 0, T, DRIFT, F, D, M, MAX_DATA, MAX_BATCH_BYTES, MAX_BLOCKS, a[9]]
    for index, value in [(2, 0), (6, D), (9, 0)]:
        config = list(base)
        config[index] = value
        with reverts("InvalidConfig(string)"):
            deploy(evm_w3, "CanonicalTransactionChain", tuple(config))
