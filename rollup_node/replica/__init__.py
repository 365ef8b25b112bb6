"""What a replica adds to derivation: following the sequencer's unsafe head."""
