"""The C fault-proof program (SPEC §10) and the Python around it.

The program is freestanding C under ``src/`` (README.md describes its files, the wire protocol
and the hints); ``build`` compiles it natively and for the MIPS VM; ``host`` answers its hints
and preimage requests from L1 (web3) and the node's L2 store; ``run`` proves one block
(``prove_block``, ``rollup-node fpp run``); ``prestate`` records and checks the absolute
prestate of the MIPS build. ``statetest`` and ``cli`` (the ``fpp`` subcommand) belong with the
program's EVM.
"""
