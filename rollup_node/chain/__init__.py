"""Execution on py-evm and the durable chain store.

The only package that subclasses py-evm. ``records`` holds the plain data the rest of the node
(RPC, sequencer, derivation) reads; ``store`` persists it in LMDB, one atomic commit per block;
``vm`` adapts py-evm's Cancun state to the rollup rules of SPEC §3; ``builder`` executes an
ordered list of transactions into a sealed block; ``chain`` is the facade services use.
"""
