"""The devnet: the embedded L1 dev chain and the one-command devnet."""
