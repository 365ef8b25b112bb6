"""L2 → L1 withdrawals: finding, proving and finalizing them on L1 (SPEC §7)."""
