"""The sequencer: transaction intake and the block-production loop."""
