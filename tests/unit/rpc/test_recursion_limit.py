"""The recursion limit: py_ecc's 100,000 is set back, and py-evm still reaches call depth 1024."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import rollup_node
from rollup_node.chain.genesis import open_l2_chain
from rollup_node.chain.store import ChainStore
from rollup_node.config import RollupConfig
from rollup_node.rpc.params import call_request, state_overrides

# Calls itself with calldata n - 1 until n is 0, which returns 0x42; a failed inner call
# returns n - 1 instead (the word it left in memory).
_RECURSE = "0x5f358015601c57600190035f5260205f60205f5f305af15060205ff35b60425f5260205ff3"
_TARGET = "0x" + "11" * 20


def test_importing_the_node_leaves_the_limit_at_the_package_figure() -> None:
    # A fresh interpreter: import everything that pulls in py_ecc and py-evm, then read it.
    code = (
        "import sys, rollup_node.cli, rollup_node.node, eth.precompiles.ecpairing, "
        "py_ecc.optimized_bls12_381; print(sys.getrecursionlimit())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == rollup_node.RECURSION_LIMIT == 12_288
    assert sys.getrecursionlimit() == rollup_node.RECURSION_LIMIT


def test_a_call_chain_at_the_evm_maximum_depth_runs_in_a_worker_thread(tmp_path: Path) -> None:
    store = ChainStore(tmp_path)
    try:
        chain = open_l2_chain(store, RollupConfig())
        override = state_overrides({_TARGET: {"code": _RECURSE}})
        depth = "0x" + (1023).to_bytes(32, "big").hex()
        request = call_request({"to": _TARGET, "gas": hex(10**12), "input": depth})
        with ThreadPoolExecutor(1) as pool:  # as the node runs calls: off the event loop
            output = pool.submit(chain.call, request, 0, override).result()
        assert output == (0x42).to_bytes(32, "big")
    finally:
        store.close()
