"""The preimage oracle: keys, sources, hints and the host serving a running program (SPEC §8–§9).

- ``keys``         key constructors for the three key types (local, keccak, precompile).
- ``source``       the ``PreimageSource`` interface, a verified dictionary source, a chain.
- ``hints``        the hint router: a hint type names a handler that prepares preimages.
- ``precompiles``  precompile results computed by py-evm's precompiles (``precompile`` hints).
- ``host``         ``Oracle`` (what the MIPS VM asks) and ``run_native``, which runs the native
                   program as a subprocess and serves it over four pipes.
- ``client``       the program's side of the wire protocol, in Python (the C program mirrors it).

Wire protocol (native runs; fds are the program's): the program writes a hint as
``u32 BE length ‖ payload`` to fd 4 and reads a one-byte acknowledgement (0x00) from fd 3; it
writes a 32-byte key to fd 6 and reads ``u64 BE length ‖ preimage`` from fd 5. A hint payload is
an ASCII type, one space, then raw bytes.
"""
