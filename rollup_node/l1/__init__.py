"""The L1 side: a reader of L1 blocks (over web3, or in-process for the embedded L1)."""
