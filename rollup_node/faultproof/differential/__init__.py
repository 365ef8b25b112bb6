"""Differential checking of the two block executors: py-evm (what the node runs) and the C
fault-proof program (what a dispute runs), on random L2 blocks.

A block is drawn from a seed (``generator``: contracts of random bytecode from ``bytecode``,
deposits, every transaction type, invalid transactions), placed on a synthetic L1 (``world``:
the CTC's queue and one batch, SPEC §5–§6) over the node's own L2 genesis, executed by the
node's block builder and judged by the program (SPEC §10): the program must accept exactly the
node's output root (SPEC §4). ``runner`` does that, finds the first diverging transaction of a
mismatch, shrinks it and saves it as a regression vector (``vectors``).

Layer: beside ``faultproof/program``; it uses ``chain/``, ``protocol/``, ``config`` and
``faultproof/*`` only, never node services.
"""
