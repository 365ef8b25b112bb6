"""The differential runner: one block through py-evm and through the fault-proof program.

For a materialized block the runner builds the synthetic L1 (``world``: the CTC holding the
block's queue elements and a one-block batch), derives the block with the program's own
derivation driver (SPEC §6), executes it with the node's ``BlockBuilder`` on the node's L2
genesis, and asks the program — natively, and for a sample on the MIPS build through the
unicorn fast path — to judge the node's output root (SPEC §4, §10). Agreement is exit 0; any
other exit is a mismatch. The program's report (state, transactions and receipts roots, gas
used) names which part of the block differs.

On a mismatch, ``first_divergence`` re-runs prefixes of the block (deposits, then sequenced
transactions) to find the first one after which the implementations disagree, and lists what
that transaction changed in the node's state (accounts and slots); ``shrink`` drops deposits,
transactions and bytecode snippets while the mismatch stays; ``vectors`` saves the result.

One genesis serves every block: each block is committed as block 1 and rewound afterwards
(the config, hence the genesis, does not depend on the block).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from eth_hash.auto import keccak

from rollup_node.chain.assembly import apply_sequenced, build_block
from rollup_node.chain.genesis import open_l2_chain
from rollup_node.chain.outputs import output_at
from rollup_node.chain.store import ChainStore
from rollup_node.chain.witness import StoreL2Reader
from rollup_node.config import L1Addresses, RollupConfig
from rollup_node.derivation.attributes import derivation_params
from rollup_node.faultproof.differential.diagnostic import compare_dump
from rollup_node.faultproof.differential.generator import (
    BlockSpec,
    Materialized,
    batch_data,
    generate,
    materialize,
    signers,
)
from rollup_node.faultproof.differential.world import Batch, World
from rollup_node.faultproof.mips.elf import load_elf
from rollup_node.faultproof.mips.fast import FastEmulator
from rollup_node.faultproof.mips.syscalls import HostIO
from rollup_node.faultproof.oracle.host import run_native
from rollup_node.faultproof.program.host import Dispute, ProgramHost
from rollup_node.protocol.deposits import decode_deposit
from rollup_node.protocol.derivation import block_timestamp
from rollup_node.protocol.predeploys import (
    L1_FEE_VAULT,
    L2_TO_L1_MESSAGE_PASSER,
    SEQUENCER_FEE_VAULT,
)

CTC = L1Addresses(canonical_transaction_chain="0xc7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7")
BASE_CONFIG = RollupConfig(l2_genesis_timestamp=10_000, force_inclusion_blocks=10, l1_addresses=CTC)
"""The rollup config of the synthetic world (devnet defaults; the CTC at a fixed address)."""
ANCHOR = 3
"""The L1 block the L2 genesis is anchored at, and every generated block's origin."""
L1_HEAD = 20
BATCH_L1_BLOCK = 12
MIPS_STEPS = 2_000_000_000


def anchored_world(batch: bytes, queue: list, deposits: int, config: RollupConfig) -> World:
    """The synthetic L1 holding ``queue`` and one one-block ``batch`` consuming ``deposits``
    elements, under ``config`` (already anchored: ``anchored_config``)."""
    world = World(config, L1_HEAD, list(queue), [Batch(batch, 1, 0, deposits, BATCH_L1_BLOCK)],
                  ANCHOR, 0)  # fmt: skip
    world.build_l1()
    return world


def anchored_config(config: RollupConfig = BASE_CONFIG) -> RollupConfig:
    """``config`` with its L2 genesis anchored at L1 block ``ANCHOR`` of the synthetic L1 (the
    anchor's header does not depend on the queue or batches, so one config fits every block)."""
    world = World(config, L1_HEAD, [], [], ANCHOR, 0)
    world.anchor_genesis(ANCHOR)
    return world.config


def _parse_report(stderr: bytes) -> dict[str, str]:
    """The program's ``name value`` report lines (src/main.c), by name."""
    report = {}
    for line in stderr.decode(errors="replace").splitlines():
        name, _, value = line.rpartition(" ")
        if name in ("state root", "transactions root", "receipts root", "gas used",
                    "message passer storage root", "block hash", "output root"):  # fmt: skip
            report[name] = value
    return report


@dataclass
class Verdict:
    """One block's outcome: the node's root and parts, each implementation's exit code (0: it
    accepts the node's root) and report, and seconds per implementation."""

    node_root: bytes
    node: dict[str, str]
    native: int
    program: dict[str, str]
    applied: int
    dropped: int
    mips: int | None = None
    mips_steps: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    located: list[str] = field(default_factory=list)  # from the diagnostic build, if run

    @property
    def mismatch(self) -> bool:
        """Whether any implementation disagrees with the node."""
        return self.native != 0 or (self.mips is not None and self.mips != 0)

    def differing_parts(self) -> list[str]:
        """The report fields where the native program and the node differ."""
        return [k for k, v in self.node.items() if self.program.get(k, v) != v]


@dataclass
class Divergence:
    """Where a mismatching block first diverges: ``kind`` is "deposit" or "transaction",
    ``index`` its position (deposits count the L1-info deposit as 0), with the gas each side
    gave that item, the accounts and slots where the two post-states differ (``located``,
    from the diagnostic build; empty without it) and what the node's execution changed."""

    kind: str
    index: int
    node_gas: int
    program_gas: int
    parts: list[str]
    changes: list[str]
    located: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One paragraph for a report."""
        changed = "; ".join(self.changes[:12]) or "nothing the runner watches"
        located = "; ".join(self.located[:12]) or "not located (no diagnostic build)"
        return (
            f"first diverging {self.kind} #{self.index}: gas node {self.node_gas:,} vs program "
            f"{self.program_gas:,}; differing {', '.join(self.parts) or 'output root only'}; "
            f"post-states differ at: {located}; the node's changes: {changed}"
        )


class Differential:
    """py-evm (the node's builder) against the program's native build and, on request, its
    MIPS build on the fast path. ``diagnostic`` (``diagnostic.build_diagnostic``) names the
    differing accounts and slots of a divergence. ``close`` releases the scratch store."""

    def __init__(
        self,
        workdir: Path,
        fpp: Path,
        derive: Path,
        mips_elf: Path | None = None,
        config: RollupConfig | None = None,
        diagnostic: Path | None = None,
    ) -> None:
        self.config = config or anchored_config()
        self.fpp, self.derive, self.mips_elf = str(fpp), str(derive), mips_elf
        self.diagnostic = diagnostic
        self.store = ChainStore(workdir / "l2")
        self.chain = open_l2_chain(self.store, self.config)
        self.pre_root = output_at(self.chain, 0).root
        self.timestamp = block_timestamp(derivation_params(self.config), 1)

    def close(self) -> None:
        """Close the scratch chain store."""
        self.store.close()

    # --- one block ------------------------------------------------------------------------
    def _derive(self, world: World) -> tuple[list[bytes], list[bytes]]:
        dispute = Dispute(world.l1_hashes[-1], self.pre_root, b"\0" * 32, 1, self.config)
        host = ProgramHost(dispute, None, StoreL2Reader(self.chain))
        result = run_native([self.derive], host.oracle(world.source), timeout=120)
        if result.exit_code != 0:
            raise RuntimeError(f"derivation driver failed (halt): {result.stderr.decode()}")
        deposits, txs = [], []
        for line in result.stdout.decode().splitlines():
            key, _, value = line.partition(" ")
            if key == "deposit":
                deposits.append(bytes.fromhex(value))
            elif key == "tx":
                txs.append(bytes.fromhex(value))
        return deposits, txs

    def _execute(self, world: World, deposits: list[bytes], txs: list[bytes]) -> tuple[int, int]:
        # Built as derivation builds it: the same assembly and the same drop rule.
        sealed, dropped = build_block(
            self.chain,
            self.chain.head_number() + 1,
            self.timestamp,
            SEQUENCER_FEE_VAULT,
            world.l1_mix_hash(ANCHOR),
            [decode_deposit(raw) for raw in deposits],
            lambda builder: apply_sequenced(builder, txs),
        )
        self.chain.commit(sealed)
        return len(txs) - len(dropped), len(dropped)

    def run(
        self, block: Materialized, mips: bool = False, keep: bool = False, locate: bool = False
    ) -> Verdict:
        """Execute ``block`` in py-evm, then have the program judge the node's root.

        The node's block 1 is rewound afterwards unless ``keep`` (the caller then reads it and
        calls ``rewind``). With ``locate``, the diagnostic build also runs and ``located``
        lists where its post-state differs from the node's. Raises RuntimeError (halt: a broken
        harness, not a mismatch) if the derivation driver fails.
        """
        seconds: dict[str, float] = {}
        batch = batch_data(ANCHOR, len(block.queue), block.txs)
        world = anchored_world(batch, block.queue, len(block.queue), self.config)
        deposits, txs = self._derive(world)
        started = time.perf_counter()
        applied, dropped = self._execute(world, deposits, txs)
        try:
            output = output_at(self.chain, 1)
            head = self.chain.head()
            seconds["py-evm"] = time.perf_counter() - started
            node = {
                "state root": head.state_root.hex(),
                "transactions root": head.transactions_root.hex(),
                "receipts root": head.receipts_root.hex(),
                "gas used": str(head.gas_used),
                "message passer storage root": output.message_passer_storage_root.hex(),
                "block hash": head.hash.hex(),
                "output root": output.root.hex(),
            }
            dispute = Dispute(world.l1_hashes[-1], self.pre_root, output.root, 1, self.config)
            host = ProgramHost(dispute, None, StoreL2Reader(self.chain))
            started = time.perf_counter()
            result = host.run_native(self.fpp, world.source, timeout=300)
            seconds["native"] = time.perf_counter() - started
            verdict = Verdict(output.root, node, result.exit_code, _parse_report(result.stderr),
                              applied, dropped, seconds=seconds)  # fmt: skip
            if mips:
                started = time.perf_counter()
                verdict.mips, verdict.mips_steps = self._run_mips(host, world)
                seconds["mips"] = time.perf_counter() - started
            if locate and self.diagnostic is not None:
                report = host.run_native(str(self.diagnostic), world.source, timeout=300)
                verdict.located = compare_dump(self.chain, 1, report.stderr)
            return verdict
        finally:
            if not keep:
                self.rewind()

    def rewind(self) -> None:
        """Drop the block a ``keep`` run left as block 1."""
        self.chain.rewind_to(0)

    def _run_mips(self, host: ProgramHost, world: World) -> tuple[int | None, int]:
        if self.mips_elf is None:
            raise ValueError("no MIPS build was given to this runner")
        io = HostIO(host.oracle(world.source), stderr=lambda _: None)
        state = FastEmulator(load_elf(self.mips_elf.read_bytes()), io).run(MIPS_STEPS)
        return (state.exit_code if state.exited else None), state.step

    # --- locating and shrinking a mismatch -----------------------------------------------
    def _gas(self, block: Materialized) -> tuple[bool, int, int, list[str]]:
        verdict = self.run(block)
        program_gas = int(verdict.program.get("gas used", "-1"))
        return (
            verdict.mismatch,
            int(verdict.node["gas used"]),
            program_gas,
            verdict.differing_parts(),
        )

    def first_divergence(self, block: Materialized) -> Divergence | None:
        """The first deposit or sequenced transaction after which the two disagree (prefixes
        of the block, binary search), or None if the block agrees."""
        full = self.run(block)
        if not full.mismatch:
            return None

        def prefix(deposits: int, txs: int) -> Materialized:
            return replace(block, queue=block.queue[:deposits], txs=block.txs[:txs])

        if self._gas(prefix(len(block.queue), 0))[0]:  # deposits alone disagree
            kind, count, make = "deposit", len(block.queue), lambda n: prefix(n, 0)
        else:
            kind, count, make = "transaction", len(block.txs), lambda n: prefix(len(block.queue), n)
        low, high = 0, count  # the prefix of `low` items agrees (0 deposits: L1-info only)
        if kind == "deposit" and self._gas(make(0))[0]:
            return self._divergence(kind, 0, make(0), None)
        while high - low > 1:
            middle = (low + high) // 2
            if self._gas(make(middle))[0]:
                high = middle
            else:
                low = middle
        index = high if kind == "deposit" else high - 1
        return self._divergence(kind, index, make(high), make(low))

    def _divergence(
        self, kind: str, index: int, failing: Materialized, agreeing: Materialized | None
    ) -> Divergence:
        _, node_gas, program_gas, parts = self._gas(failing)
        before_node, before_program = 0, 0
        watched = self._watched(failing)
        before: dict[str, str] = {}
        if agreeing is not None:
            _, before_node, before_program, _ = self._gas(agreeing)
            self.run(agreeing, keep=True)
            before = self._snapshot(watched)
            self.rewind()
        located = self.run(failing, keep=True, locate=True).located
        after = self._snapshot(watched)
        self.rewind()
        changes = [
            f"{k}: {before.get(k, '0')} -> {v}" for k, v in after.items() if before.get(k, "0") != v
        ]
        return Divergence(kind, index, node_gas - before_node, program_gas - before_program,
                          parts, changes, located)  # fmt: skip

    def _watched(self, block: Materialized) -> list[bytes]:
        accounts = [SEQUENCER_FEE_VAULT, L1_FEE_VAULT, L2_TO_L1_MESSAGE_PASSER]
        accounts += list(block.addresses.values()) + [a for a, _ in signers()]
        accounts += [q.sender for q in block.queue]
        return accounts

    def _snapshot(self, accounts: list[bytes]) -> dict[str, str]:
        values: dict[str, str] = {}
        for address in accounts:
            name = "0x" + address.hex()
            values[f"{name} balance"] = str(self.chain.balance(address, 1))
            values[f"{name} nonce"] = str(self.chain.nonce(address, 1))
            values[f"{name} code"] = keccak(self.chain.code(address, 1)).hex()[:16]
            for slot in range(10):
                value = int.from_bytes(self.chain.storage_at(address, slot, 1), "big")
                if value:
                    values[f"{name} slot {slot}"] = hex(value)
        return {k: v for k, v in values.items() if v not in ("0", "c5d2460186f7233c")}

    def shrink(
        self, spec: BlockSpec, budget: int = 400, log: Callable[[str], None] | None = None
    ) -> BlockSpec:
        """A smaller spec that still mismatches: cut after the first diverging transaction,
        then drop deposits, transactions and bytecode snippets one at a time while the
        mismatch stays (at most ``budget`` runs)."""
        runs = 0

        def fails(candidate: BlockSpec) -> bool:
            nonlocal runs
            runs += 1
            return self.run(materialize(candidate, self.config, ANCHOR)).mismatch

        block = materialize(spec, self.config, ANCHOR)
        divergence = self.first_divergence(block)
        if divergence is None:
            raise ValueError("the block agrees: nothing to shrink")
        if divergence.kind == "transaction" and divergence.index < len(spec.txs):
            cut = replace(spec, txs=spec.txs[: divergence.index + 1], batch_target=None)
            if fails(cut):
                spec = cut
        elif divergence.kind == "deposit":
            cut = replace(spec, deposits=spec.deposits[: divergence.index], txs=(),
                          batch_target=None)  # fmt: skip
            if fails(cut):
                spec = cut
        changed = True
        while changed and runs < budget:
            changed = False
            for field_name in ("deposits", "txs"):
                items = getattr(spec, field_name)
                i = len(items) - 1
                while i >= 0 and runs < budget:
                    candidate = replace(spec, **{field_name: items[:i] + items[i + 1 :]})
                    if fails(candidate):
                        spec, items, changed = candidate, items[:i] + items[i + 1 :], True
                    i -= 1
            for field_name in ("deposits", "txs"):
                items = list(getattr(spec, field_name))
                for i, item in enumerate(items):
                    j = len(item.program.snippets) - 1 if item.program is not None else -1
                    while j >= 0 and runs < budget:
                        smaller = replace(item, program=item.program.without(j))
                        items[i] = smaller
                        candidate = replace(spec, **{field_name: tuple(items)})
                        if fails(candidate):
                            spec, item, changed = candidate, smaller, True
                        else:
                            items[i] = item
                        j -= 1
            if log is not None:
                log(f"shrink: {len(spec.deposits)} deposits, {len(spec.txs)} txs after {runs} runs")
        return spec


@dataclass
class FuzzResult:
    """Totals of a run over many seeds."""

    blocks: int = 0
    transactions: int = 0  # sequenced transactions in the batches, applied or dropped
    dropped: int = 0  # of those, dropped by derivation as invalid (SPEC §6 rule 4)
    deposits: int = 0  # queue elements (user deposits) the blocks consumed
    mips_blocks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    mismatches: list[int] = field(default_factory=list)
    mips_steps: int = 0

    def rate(self, implementation: str) -> float:
        """Blocks per second of one implementation (its own time only)."""
        count = self.mips_blocks if implementation == "mips" else self.blocks
        spent = self.seconds.get(implementation, 0.0)
        return count / spent if spent else 0.0


def fuzz(
    runner: Differential,
    seeds: range | Callable[[], int | None],
    mips_every: int = 0,
    on_mismatch: Callable[[int, Verdict], None] | None = None,
) -> FuzzResult:
    """Run the block of each seed (``seeds`` a range, or a function giving the next seed and
    None to stop); every ``mips_every``-th block also on the MIPS build."""
    result = FuzzResult()
    iterator = iter(seeds) if isinstance(seeds, range) else iter(seeds, None)
    for seed in iterator:
        spec = generate(seed, runner.config, ANCHOR)
        mips = bool(mips_every) and result.blocks % mips_every == 0
        block = materialize(spec, runner.config, ANCHOR)
        verdict = runner.run(block, mips=mips)
        result.blocks += 1
        result.transactions += verdict.applied + verdict.dropped
        result.dropped += verdict.dropped
        result.deposits += len(block.queue)
        result.mips_blocks += mips
        result.mips_steps += verdict.mips_steps
        for name, spent in verdict.seconds.items():
            result.seconds[name] = result.seconds.get(name, 0.0) + spent
        if verdict.mismatch:
            result.mismatches.append(seed)
            if on_mismatch is not None:
                on_mismatch(seed, verdict)
    return result
