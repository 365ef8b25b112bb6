"""Tests of the C fault-proof program (rollup_node/faultproof/program/)."""
