"""Derivation: L1 → L2 (SPEC §6). One stage per file, each consuming a small interface.

Data flow, one poll of ``driver.Derivation``:

1. ``ctc_source``   reads the CTC's ``BatchAppended`` and ``TransactionEnqueued`` logs of
                    confirmed L1 blocks (``CtcSource``, over web3).
2. ``l1_traversal`` walks confirmed L1 blocks in order, keeps the queue elements it has seen and
                    detects reorgs by comparing the hash of the last L1 block it read
                    (``ReorgDetected`` → the driver resets).
3. ``attributes``   turns one batch into block inputs with the pure rules of
                    ``protocol.derivation`` and the L1 headers of the origins.
4. ``engine``       executes block inputs with the chain's builder (a sequenced transaction
                    invalid at its position is dropped) or confirms the sequencer's own block;
                    rewinds the L2 chain when derivation disagrees with it.
5. ``heads``        the batch records (which L1 block each derived batch came from) and the
                    safe and finalized heads, stored with the blocks.

Errors say what the caller must do, as ``l1.errors.classify`` decides for every L1 service:
``ReorgDetected`` = reset to the last canonical batch and resume; ``L1Unavailable`` (or a
transport failure) = retry after a doubling pause; anything else — a bug, a database error,
``chain.errors.ExecutionFault`` — halts the node. "No new L1 block yet" is a normal return,
not an error.
"""
