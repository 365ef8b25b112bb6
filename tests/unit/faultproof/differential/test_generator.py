"""The random block generator: reproducible, covering what issue 13 lists, and shrinkable
(any subset of a block's specs materializes into consistently signed transactions)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import rlp
from eth_account import Account

from rollup_node.faultproof.differential.bytecode import random_program
from rollup_node.faultproof.differential.generator import (
    batch_data,
    generate,
    materialize,
)
from rollup_node.faultproof.differential.runner import ANCHOR, BASE_CONFIG

SEEDS = range(300)


def test_the_same_seed_gives_the_same_block() -> None:
    for seed in (0, 7, 12345):
        first = materialize(generate(seed, BASE_CONFIG, ANCHOR), BASE_CONFIG, ANCHOR)
        again = materialize(generate(seed, BASE_CONFIG, ANCHOR), BASE_CONFIG, ANCHOR)
        assert (first.queue, first.txs) == (again.queue, again.txs)
    other = materialize(generate(1, BASE_CONFIG, ANCHOR), BASE_CONFIG, ANCHOR)
    assert other.txs != first.txs


def test_the_blocks_cover_the_listed_features() -> None:
    """Over 300 seeds: every transaction type and invalid kind, creating, minting and
    fallback-forcing deposits, relays into every precompile, gas-limit and batch-size blocks."""
    types: Counter = Counter()
    invalid: Counter = Counter()
    deposits: Counter = Counter()
    precompiles: set[int] = set()
    snippets: Counter = Counter()
    gas_limit_blocks = batch_size_blocks = 0
    for seed in SEEDS:
        spec = generate(seed, BASE_CONFIG, ANCHOR)
        for tx in spec.txs:
            types[tx.tx_type] += 1
            if tx.invalid:
                invalid[tx.invalid] += 1
            if tx.program is not None:
                snippets.update(s.kind for s in tx.program.snippets)
                if tx.program.snippets[0].kind == "relay":
                    precompiles.add(tx.program.snippets[0].label)
        for deposit in spec.deposits:
            deposits["creation" if deposit.to is None else "call"] += 1
            deposits["minting"] += deposit.mint > 0
            deposits["after origin"] += deposit.l1_block > ANCHOR
        gas_limit_blocks += sum(tx.gas > 5_000_000 for tx in spec.txs) >= 2
        if spec.batch_target is not None:
            batch_size_blocks += 1
            block = materialize(spec, BASE_CONFIG, ANCHOR)
            size = len(batch_data(ANCHOR, len(block.queue), block.txs))
            assert BASE_CONFIG.max_batch_bytes - 64 <= size <= BASE_CONFIG.max_batch_bytes
    assert set(types) == {0, 1, 2}
    assert len(invalid) == 11, invalid
    assert min(deposits[k] for k in ("creation", "call", "minting", "after origin")) > 0
    assert precompiles == set(range(1, 11))
    for kind in ("sstore", "tstore", "call", "create", "log", "jumpi", "label", "badjump"):
        assert snippets[kind] > 0, kind
    assert gas_limit_blocks > 0 and batch_size_blocks > 0


def test_dropping_transactions_keeps_the_rest_signed_in_order() -> None:
    """The shrinker drops specs: the nonces of each sender's valid transactions stay 0, 1, …
    after its deposits, whatever was dropped."""
    spec = generate(5, BASE_CONFIG, ANCHOR)
    smaller = replace(spec, txs=spec.txs[1::2], batch_target=None)
    for candidate in (spec, smaller):
        block = materialize(candidate, BASE_CONFIG, ANCHOR)
        expected = Counter(q.sender for q in block.queue)
        valid = [raw for raw, t in zip(block.txs, candidate.txs, strict=False) if not t.invalid]
        for raw in valid:
            sender = Account.recover_transaction(raw)
            tx_nonce = _nonce(raw)
            address = bytes.fromhex(sender[2:])
            assert tx_nonce == expected[address]
            expected[address] += 1


def _nonce(raw: bytes) -> int:
    if raw[0] >= 0xC0:
        return int.from_bytes(rlp.decode(raw)[0], "big")
    return int.from_bytes(rlp.decode(raw[1:])[1], "big")


def test_programs_jump_only_to_jumpdests_and_shrink_to_valid_code() -> None:
    import random

    rng = random.Random(3)
    for _ in range(200):
        program = random_program(rng, [("contract", 1)], rng.randint(1, 30))
        for candidate in (program, program.without(0)):
            code = candidate.assemble(lambda ref: b"\x11" * 20)
            _check_jumps(code)


def _check_jumps(code: bytes) -> None:
    """Every PUSH2-then-JUMPI lands on a JUMPDEST (the generator's forward jumps)."""
    starts, i = {}, 0
    while i < len(code):
        starts[i] = code[i]
        i += 1 + (code[i] - 0x5F if 0x60 <= code[i] <= 0x7F else 0)
    for at, op in starts.items():
        if op == 0x61 and starts.get(at + 3) == 0x57:
            target = int.from_bytes(code[at + 1 : at + 3], "big")
            assert starts.get(target) == 0x5B, (code.hex(), target)
