"""Fault proofs: the MIPS VM, the preimage oracle and the fault-proof program (SPEC §8–§10).

- ``mips/``    the reference MIPS VM (state, Merkle memory, step, witness), the ELF loader and the
               fast unicorn emulator that hands its state to the reference VM.
- ``oracle/``  preimage keys, preimage sources, the hint router and the host that serves a
               native or MIPS run of the program.
- ``program/`` the freestanding C fault-proof program and its build.
"""
