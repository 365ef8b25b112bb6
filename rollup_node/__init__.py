"""An optimistic rollup node in Python.

Package map. ``docs/architecture.md`` (at the repository root) gives the layers and the import
contract that enforces them, the path of a transaction, a batch and a dispute through these
packages, and a table from each SPEC section to the modules implementing it.

- ``protocol/``   pure rules of the protocol (SPEC §3, §5, §6): deposits, the L1-info
                  transaction, the L1 data fee, output roots, the batch codec, SCC batch trees,
                  withdrawal hashes.
- ``chain/``      execution on py-evm, block assembly (``assembly.py``) and the durable chain
                  store (LMDB).
- ``sequencer/``  transaction intake, the block-production loop, deposits from the CTC queue.
- ``l1/``         reading L1 blocks and sending L1 transactions.
- ``derivation/`` L1 → L2: CTC batches and queue elements, fallback blocks, safe head, reorgs.
- ``replica/``    follows the sequencer's unsafe blocks, re-executing each before keeping it.
- ``batcher/``    packs sealed L2 blocks into batches and posts them to the CTC.
- ``proposer/``   posts output roots to the SCC (after checking them with the fault-proof program).
- ``verifier/``   compares posted output roots with derived ones and raises alerts.
- ``withdrawals/`` finds, proves and finalizes L2 → L1 withdrawals on L1 (``rollup-node withdraw``).
- ``deploy.py``   deploys the L1 contracts and writes the rollup config.
- ``rpc/``        the aiohttp JSON-RPC server, one module per namespace.
- ``devnet/``     the embedded L1 dev chain and the one-command devnet.
- ``faultproof/`` the MIPS VM, the preimage oracle and the C fault-proof program.
- ``config.py``, ``cli.py``, ``node.py`` configuration, command line and service wiring.
"""

import sys

import py_ecc  # noqa: F401 - imported first so that the limit below is the one in force

from rollup_node.keccak_backend import choose_keccak_backend

choose_keccak_backend()  # before any module hashes: eth-hash picks its backend on first use

__version__ = "0.1.0"

#: The interpreter's recursion limit for the whole process. py_ecc (py-evm's curve maths)
#: raises it to 100,000 when imported, which lets recursive C code (the JSON decoder, repr)
#: run past the end of the C stack: one request of 100,000 '[' crashed the process. py-evm
#: needs about 6,000 frames for a call chain at the EVM's maximum depth of 1,024, so the
#: interpreter's default of 1,000 is too low; this is py-evm's own figure (``eth``'s
#: ``EVM_RECURSION_LIMIT``, which it only ever raises to), far from the C stack's end. Request
#: bodies are bounded before decoding anyway (``rpc/decode.py``).
RECURSION_LIMIT = 1024 * 12
sys.setrecursionlimit(RECURSION_LIMIT)
