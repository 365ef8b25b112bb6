"""An optimistic rollup node in Python.

Package map (data flows top to bottom; see docs/architecture.md):

- ``protocol/``   pure rules of the protocol (SPEC §3, §5, §6): deposits, the L1-info
                  transaction, the L1 data fee, output roots, the batch codec, SCC batch trees,
                  withdrawal hashes.
- ``chain/``      execution on py-evm and the durable chain store (LMDB).
- ``sequencer/``  transaction intake, the block-production loop, deposits from the CTC queue.
- ``l1/``         reading L1 blocks and sending L1 transactions.
- ``derivation/`` L1 → L2: CTC batches and queue elements, fallback blocks, safe head, reorgs.
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

__version__ = "0.1.0"
