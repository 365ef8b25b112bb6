"""The batcher: packs the sequencer's sealed L2 blocks into batches (SPEC §5) and appends them
to the CTC (``packing`` builds a batch, ``ctc`` speaks to the contract, ``driver`` is the loop)."""
