"""An optimistic rollup node in Python.

Package map (data flows top to bottom; see docs/architecture.md):

- ``protocol/``   pure rules of the protocol (SPEC §3, §5, §6): deposits, the L1-info
                  transaction, the L1 data fee, output roots, the batch codec.
- ``chain/``      execution on py-evm and the durable chain store (LMDB).
- ``sequencer/``  transaction intake and the block-production loop.
- ``rpc/``        the aiohttp JSON-RPC server, one module per namespace.
- ``devnet/``     the embedded L1 dev chain and the one-command devnet.
- ``faultproof/`` the MIPS VM, the preimage oracle and the C fault-proof program.
- ``config.py``, ``cli.py``, ``node.py`` configuration, command line and service wiring.
"""

__version__ = "0.1.0"
