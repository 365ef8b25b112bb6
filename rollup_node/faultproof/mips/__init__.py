"""The fault-proof VM: a single-threaded big-endian MIPS32 machine (SPEC §8).

Data flow: ``elf.load_elf`` builds the initial ``State`` (registers, ``Memory``); ``step.step``
advances it one instruction exactly as ``MIPS.sol`` does; ``witness.StepWitness`` packages the
pre-state and the memory proofs one on-chain step needs. ``fast.FastEmulator`` runs the same
program natively in unicorn between system calls and hands its state to the reference VM;
``checkpoint`` saves and restores a state with its memory.

The instruction table is documented in ``docs/mips.md``.
"""
