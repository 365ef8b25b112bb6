"""protocol/addresses.create_address against py-evm's own helper (the reference it replaces)."""

import random

from eth._utils.address import generate_contract_address  # the reference, in tests only

from rollup_node.protocol.addresses import create_address


def test_create_address_matches_py_evm() -> None:
    rng = random.Random(14)
    nonces = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 2**64 - 1] + [rng.randrange(2**64) for _ in range(50)]
    for nonce in nonces:
        sender = rng.randbytes(20)
        assert create_address(sender, nonce) == generate_contract_address(sender, nonce)
