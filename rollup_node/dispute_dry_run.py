"""``rollup-node dispute dry-run``: what a dispute game over one SCC element would take, without
playing it (SPEC §10, §11).

For L2 block ``n`` and a root (default: the one posted on the SCC for element ``n``) it does what
a challenger does before ``create``, and nothing on L1:

1. **From L1**: the factory's parameters (absolute prestate, ``maxGameDepth``, ``baseMoveBond``,
   chain id, consensus config hash) and the BondManager's ``requiredBond``; the SCC's current
   batches (``StateBatchAppended`` minus ``StateBatchDeleted``) for element ``n − 1`` (agreed,
   the game's starting root) and element ``n``; the L1 head ``L1_HEAD_DEPTH`` blocks below the
   latest, as the challenger takes it (``--l1-head`` to choose another).
2. **The run**: the program on the MIPS fast path with the game's six local inputs, through
   ``trace.open_trace`` — the same run and the same preimage host as the challenger's and every
   defender's trace (``program.host.ProgramHost``: L1 headers, proofs, batches and queue
   elements over the L1 RPC; the L2 pre-state's headers and trie nodes from the node's store,
   only read, beside a running node). The trace goes to a scratch directory, removed after.
3. **The figures**: verdict (status of the final state), trace length, the depth needed against
   the deployed depth, moves per side and the stepper of a full bisection, bonds, and L1 gas
   from measured per-call figures (``faultproof/game/costs.py``, which says where they come
   from).

Exit code: 0 the program accepts the root (valid), 1 it rejects it (invalid), 2 panic or
unfinished within 2^maxGameDepth steps, 3 the dry run could not run (the message says whether
to retry: L1 unreachable; or to fix something: no store, element not posted, another prestate).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from web3 import AsyncWeb3, Web3
from web3.exceptions import Web3Exception

from rollup_node.config import ConfigError, RollupConfig, load_config
from rollup_node.faultproof.game.costs import GAS_SOURCE, GameEstimate, estimate_game
from rollup_node.faultproof.game.trace import PrestateMismatch, TraceSourceError, open_trace
from rollup_node.faultproof.mips.state import Status
from rollup_node.faultproof.program.host import (
    Dispute,
    L2Reader,
    ProgramHost,
    ProgramL1Source,
    Web3ProgramL1Source,
)
from rollup_node.l1.dispute_game_factory import DisputeGameFactoryClient, FactoryParams
from rollup_node.l1.log_scan import block_chunks
from rollup_node.l1.transactor import connect
from rollup_node.proposer.scc import StateBatch, StateBatchDeletion, read_scc_history
from rollup_node.verifier.challenger import L1_HEAD_DEPTH

VERDICTS = {
    Status.VALID: "valid",
    Status.INVALID: "invalid",
    Status.PANIC: "panic",
    Status.UNFINISHED: "unfinished",
}
EXIT_CODES = {Status.VALID: 0, Status.INVALID: 1, Status.PANIC: 2, Status.UNFINISHED: 2}
CANNOT_RUN = 3


class DryRunError(Exception):
    """The dry run cannot run; the message says why and whether a retry can help."""


@dataclass(frozen=True)
class GameSetup:
    """Everything a game against element ``n`` would be created with, read from L1."""

    n: int
    agreed_root: bytes  # SCC element n - 1: the game's starting output root
    posted_root: bytes  # SCC element n
    root: bytes  # the root the dry run disputes (the posted one unless given)
    batch_index: int  # the SCC batch holding element n
    l1_head_number: int
    l1_head_hash: bytes
    factory: FactoryParams
    creation_bond_wei: int


@dataclass(frozen=True)
class DryRun:
    """The outcome: the setup, the run and the estimate."""

    setup: GameSetup
    status: Status
    final_state_hash: bytes
    run_seconds: float
    preimages: int
    estimate: GameEstimate


async def current_batches(w3: AsyncWeb3, rollup: RollupConfig) -> list[StateBatch]:
    """The SCC's batches as L1 holds them now: every ``StateBatchAppended`` since the rollup's
    L1 anchor, less the batches a ``StateBatchDeleted`` removed (it deletes that batch and every
    later one)."""
    scc = Web3.to_checksum_address(rollup.l1_addresses.state_commitment_chain)
    latest = await w3.eth.block_number
    batches: dict[int, StateBatch] = {}
    for start, end in block_chunks(rollup.genesis_l1.number, latest):
        for event in await read_scc_history(w3, scc, start, end):
            if isinstance(event, StateBatchDeletion):
                batches = {i: b for i, b in batches.items() if i < event.batch_index}
            else:
                batches[event.batch_index] = event
    return sorted(batches.values(), key=lambda b: b.batch_index)


def _element(batches: list[StateBatch], n: int) -> tuple[bytes, StateBatch] | None:
    for batch in batches:
        if batch.prev_total_elements <= n <= batch.last_element:
            return batch.output_roots[n - batch.prev_total_elements], batch
    return None


async def read_setup(
    w3: AsyncWeb3,
    rollup: RollupConfig,
    n: int,
    root: bytes | None = None,
    l1_head_number: int | None = None,
) -> GameSetup:
    """What a game against element ``n`` disputing ``root`` (default: the posted root) would
    be created with, read from L1 (``DryRunError`` if it could not be)."""
    if n < 1:
        raise DryRunError("element 0 is the genesis root: no game can dispute it")
    batches = await current_batches(w3, rollup)
    agreed = _element(batches, n - 1)
    disputed = _element(batches, n)
    if agreed is None or disputed is None:
        posted = batches[-1].last_element if batches else -1
        raise DryRunError(
            f"SCC element {n if agreed else n - 1} is not posted (the SCC holds elements up to "
            f"{posted}); a game needs elements n - 1 and n: retry once the proposer posted them"
        )
    latest = await w3.eth.block_number
    if l1_head_number is None:
        l1_head_number = max(latest - L1_HEAD_DEPTH, disputed[1].l1_block_number)
    if not disputed[1].l1_block_number <= l1_head_number <= latest:
        raise DryRunError(
            f"L1 head {l1_head_number} is outside {disputed[1].l1_block_number}..{latest} "
            "(from the L1 block of the SCC batch holding the element to the latest)"
        )
    head = await w3.eth.get_block(l1_head_number)
    factory = DisputeGameFactoryClient(w3, rollup.l1_addresses.dispute_game_factory)
    params = await factory.params()
    return GameSetup(
        n=n,
        agreed_root=agreed[0],
        posted_root=disputed[0],
        root=disputed[0] if root is None else root,
        batch_index=disputed[1].batch_index,
        l1_head_number=l1_head_number,
        l1_head_hash=bytes(head["hash"]),
        factory=params,
        creation_bond_wei=await factory.required_bond(),
    )


def replay(
    setup: GameSetup,
    rollup: RollupConfig,
    l1: ProgramL1Source,
    l2: L2Reader,
    directory: Path,
) -> DryRun:
    """Run the program of the game ``setup`` describes on the MIPS fast path, with its trace in
    ``directory``; CPU-bound (seconds), synchronous."""
    dispute = Dispute(setup.l1_head_hash, setup.agreed_root, setup.root, setup.n, rollup)
    inputs = dispute.local_inputs()
    # The game's chain id and config hash come from the factory (as the challenger takes them);
    # a node configured for another rollup would run another program input.
    if (inputs.l2_chain_id, inputs.consensus_config_hash) != (
        setup.factory.l2_chain_id,
        setup.factory.consensus_config_hash,
    ):
        raise DryRunError("the config's rollup is not the one the factory's games dispute")
    limit = 1 << setup.factory.max_game_depth
    started = time.monotonic()
    try:
        trace = open_trace(
            directory,
            inputs,
            ProgramHost(dispute, l1, l2).oracle(),
            expected_prestate=setup.factory.absolute_prestate,
            checkpoint_interval=limit,  # the figures need no checkpoints between the ends
            max_steps=limit,
        )
    except PrestateMismatch as error:
        raise DryRunError(f"{error}: a node with this build refuses to play (SPEC §11)") from None
    except TraceSourceError as error:
        raise DryRunError(f"{error} (retry if L1 was unreachable)") from None
    seconds = time.monotonic() - started
    estimate = estimate_game(
        trace.steps,
        trace.final_status == Status.VALID,
        setup.factory.max_game_depth,
        setup.factory.base_move_bond_wei,
        setup.creation_bond_wei,
    )
    return DryRun(
        setup, trace.final_status, trace.final_state_hash, seconds, len(trace.preimages), estimate
    )


def dry_run(
    rollup: RollupConfig,
    l1_url: str,
    l2: L2Reader,
    n: int,
    root: bytes | None = None,
    l1_head_number: int | None = None,
) -> DryRun:
    """Read the game's setup from L1 at ``l1_url``, then replay the program (module docstring)."""
    setup = asyncio.run(_read_setup(l1_url, rollup, n, root, l1_head_number))
    w3 = Web3(Web3.HTTPProvider(l1_url, request_kwargs={"timeout": 30}))
    l1 = Web3ProgramL1Source(w3, rollup.l1_addresses.canonical_transaction_chain)
    with tempfile.TemporaryDirectory(prefix="dispute-dry-run-") as scratch:
        return replay(setup, rollup, l1, l2, Path(scratch))


async def _read_setup(
    l1_url: str, rollup: RollupConfig, n: int, root: bytes | None, l1_head_number: int | None
) -> GameSetup:
    w3 = connect(l1_url)
    try:
        return await read_setup(w3, rollup, n, root, l1_head_number)
    except (TimeoutError, OSError, Web3Exception) as error:
        raise DryRunError(f"L1 at {l1_url}: {error} (retry)") from None
    finally:
        await w3.provider.disconnect()


def _eth(wei: int) -> str:
    return f"{wei / 10**18:.4g} ETH"


def report_lines(result: DryRun) -> list[str]:
    """The printed report."""
    setup, estimate, factory = result.setup, result.estimate, result.setup.factory
    which = "the posted root" if setup.root == setup.posted_root else "not the posted root"
    verdict = VERDICTS[result.status]
    meaning = {
        Status.VALID: "the program accepts this root: a game against it is a false challenge, "
        "the defenders win",
        Status.INVALID: "the program rejects this root: a challenger wins a game against it",
        Status.PANIC: "the program panicked: the inputs are inconsistent (a bug: report it)",
        Status.UNFINISHED: "the program did not exit within 2^maxGameDepth steps: counted as "
        "invalid, but the deployed depth is too small (SPEC §10)",
    }[result.status]
    d = factory.max_game_depth
    moves = estimate.challenger_moves + estimate.defender_moves
    bonds_challenger = estimate.challenger_bonds_wei - setup.creation_bond_wei
    step_line = (
        f"the honest {estimate.stepper} steps at depth {d}"
        if estimate.stepper
        else f"the honest {estimate.honest_side} posts the depth-{d} claim: no valid step"
        " against it, it stands when its clock runs out"
    )
    gas_detail = ", ".join(
        f"{name} {count} x {per:,}" for name, count, per in estimate.gas_by_call if count
    )
    return [
        f"L2 block     {setup.n} (SCC element {setup.n}, batch {setup.batch_index})",
        f"root         0x{setup.root.hex()} ({which})",
        f"agreed root  0x{setup.agreed_root.hex()} (element {setup.n - 1}, the starting root)",
        f"L1 head      {setup.l1_head_number} 0x{setup.l1_head_hash.hex()}",
        f"verdict      {verdict}: {meaning}",
        f"trace        {estimate.steps:,} steps, final state 0x{result.final_state_hash.hex()}"
        f" (MIPS fast path, {result.run_seconds:.1f} s, {result.preimages:,} preimages read)",
        f"depth        {estimate.depth_needed} needed (2^{estimate.depth_needed} >= steps); "
        f"deployed maxGameDepth {d}: {'fits' if estimate.fits else 'TOO SMALL'}",
        f"moves        full bisection to depth {d}: {moves} moves, defender "
        f"{estimate.defender_moves} (odd depths), challenger {estimate.challenger_moves} (even "
        f"depths); {step_line}",
        f"bonds        challenger {_eth(estimate.challenger_bonds_wei)} (creation "
        f"{_eth(setup.creation_bond_wei)} + moves {_eth(bonds_challenger)}), defender "
        f"{_eth(estimate.defender_bonds_wei)} (moveBond = {_eth(factory.base_move_bond_wei)}"
        " x (1 + depth), read from the factory)",
        f"L1 gas       ~{estimate.l1_gas:,} for both sides ({gas_detail}; per-call gas measured "
        f"by {GAS_SOURCE})",
    ]


def run_dry_run(args: argparse.Namespace) -> int:
    """``rollup-node dispute dry-run``: print the report; the exit code says the verdict."""
    # imported here: building the CLI parser must not load py-evm
    from rollup_node.chain.genesis import open_l2_chain
    from rollup_node.chain.store import ChainStore
    from rollup_node.chain.witness import StoreL2Reader

    def fail(message: str) -> int:
        print(f"rollup-node dispute dry-run: {message}", file=sys.stderr)
        return CANNOT_RUN

    if args.block is None:
        return fail("--block N is required")
    try:
        root = None if args.root is None else bytes.fromhex(args.root.removeprefix("0x"))
        if root is not None and len(root) != 32:
            raise ValueError(f"{len(root)} bytes")
    except ValueError as error:
        return fail(f"--root is not a 32-byte hex root ({error})")
    node = {k: v for k, v in (("l1_rpc", args.l1_rpc), ("data_dir", args.data_dir)) if v}
    try:
        config = load_config(args.config, {"node": node})
    except ConfigError as error:
        return fail(str(error))
    l1_url = config.node.l1_rpc or f"http://127.0.0.1:{config.node.l1_rpc_port}"
    l2_dir = Path(config.node.data_dir) / "l2"
    if not (l2_dir / "data.mdb").exists():
        return fail(f"no L2 store in {l2_dir}: run it next to a node that follows the rollup")
    store = ChainStore(l2_dir)
    try:
        result = dry_run(
            config.rollup,
            l1_url,
            StoreL2Reader(open_l2_chain(store, config.rollup)),
            args.block,
            root,
            args.l1_head,
        )
    except DryRunError as error:
        return fail(str(error))
    finally:
        store.close()
    print("\n".join(report_lines(result)))
    return EXIT_CODES[result.status]
