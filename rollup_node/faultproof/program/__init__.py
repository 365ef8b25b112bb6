"""The C fault-proof program (SPEC §10) and the Python around it.

The program itself is C under ``src/`` (see README.md); ``build`` compiles it natively and
for the MIPS VM, and ``host`` serves its preimages.
"""
