"""Verifier (watch) mode: compares every output root on the SCC with the node's own."""
