"""The pure parts of the dispute contracts' clients: SCC elements with their batch proofs,
custom errors named from revert data, localized local keys (SPEC §4, §9, §11)."""

from __future__ import annotations

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak

from rollup_node.l1.contract_io import revert_error
from rollup_node.l1.dispute_game_factory import SccElement
from rollup_node.l1.preimage_oracle import localized_key
from rollup_node.protocol.batch_merkle import batch_root, verify_batch_proof


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8])
def test_scc_element_carries_a_proof_the_batch_root_accepts(size: int) -> None:
    roots = [keccak(bytes([i])) for i in range(size)]
    prev_total = 10
    header = (3, batch_root(roots), size, prev_total, b"extra")
    for n in range(prev_total, prev_total + size):
        element = SccElement.of(n, header, roots)
        assert element.output_root == roots[n - prev_total]
        assert verify_batch_proof(
            element.output_root, n - prev_total, size, element.siblings, header[1]
        )
        assert element.as_struct() == (roots[n - prev_total], header, list(element.siblings))
    for outside in (prev_total - 1, prev_total + size):
        with pytest.raises(ValueError, match="not in the batch"):
            SccElement.of(outside, header, roots)


def test_revert_error_names_the_contracts_errors() -> None:
    def data(signature: str, *args: tuple[str, object]) -> bytes:
        types = [t for t, _ in args]
        return keccak(text=signature)[:4] + abi_encode(types, [v for _, v in args])

    assert revert_error(data("ClaimAlreadyExists()"), "FaultDisputeGame") == "ClaimAlreadyExists"
    mismatch = data("ParentClaimMismatch(uint256,bytes32)", ("uint256", 3), ("bytes32", b"\1" * 32))
    assert revert_error(mismatch, "FaultDisputeGame") == "ParentClaimMismatch"
    assert revert_error(data("PartNotLoaded()"), "FaultDisputeGame") is None
    assert revert_error(data("PartNotLoaded()"), "FaultDisputeGame", "PreimageOracle") == (
        "PartNotLoaded"
    )
    hash_mismatch = data(
        "L1HeadHashMismatch(uint256,bytes32,bytes32)",
        ("uint256", 7),
        ("bytes32", b"\1" * 32),
        ("bytes32", b"\2" * 32),
    )
    assert revert_error(hash_mismatch, "DisputeGameFactory") == "L1HeadHashMismatch"
    assert revert_error(b"", "FaultDisputeGame") is None
    assert revert_error(b"\x08\xc3\x79", "FaultDisputeGame") is None  # shorter than a selector


def test_localized_key_is_typed_local_and_per_game() -> None:
    game_a, game_b = "0x" + "aa" * 20, "0x" + "bb" * 20
    key = localized_key(3, game_a)
    assert key[0] == 1 and len(key) == 32
    local = b"\x01" + (3).to_bytes(31, "big")
    expected = keccak(local + b"\0" * 32 + b"\0" * 12 + bytes.fromhex("aa" * 20))
    assert key[1:] == expected[1:]
    assert key != localized_key(3, game_b) and key != localized_key(4, game_a)
