"""The C fault-proof program (SPEC §10) and the Python around it.

The program is freestanding C under ``src/`` (README.md describes its files, the wire protocol
and the hints); ``build`` compiles it natively and for the MIPS VM; ``host`` answers its hints
and preimage requests from L1 (web3) and from L2 through the ``L2Reader`` it declares (the node
passes ``chain.witness.StoreL2Reader``); ``run`` proves one block (``prove_block``; the
``rollup-node fpp run`` command is ``rollup_node/fpp_cli.py``, since the program imports nothing
of the node); ``prestate`` records and checks the absolute
prestate of the MIPS build. ``statetest`` and ``cli`` (the ``fpp`` subcommand) belong with the
program's EVM.
"""
