"""L2 → L1 withdrawals as the L2ToL1MessagePasser records them (SPEC §7).

A withdrawal is identified by ``keccak(abi.encode(nonce, sender, target, value, gasLimit,
data))``; the message passer sets ``sentMessages[hash] = true`` (mapping at slot 0), and L1
finalizes it with a storage proof of that slot against the ``messagePasserStorageRoot`` of a
final output root.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak

#: ``MessagePassed(uint256 indexed nonce, address indexed sender, address indexed target,
#: uint256 value, uint256 gasLimit, bytes data, bytes32 withdrawalHash)``
MESSAGE_PASSED_TOPIC = keccak(
    b"MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)"
)

#: Storage slot of the message passer's ``sentMessages`` mapping.
SENT_MESSAGES_SLOT = 0


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """One L2 → L1 message, with every field of its hash preimage."""

    nonce: int
    sender: bytes
    target: bytes
    value: int
    gas_limit: int
    data: bytes

    @property
    def hash(self) -> bytes:
        """The withdrawal hash (also the L1 messenger's message hash)."""
        return keccak(
            abi_encode(
                ["uint256", "address", "address", "uint256", "uint256", "bytes"],
                [self.nonce, self.sender, self.target, self.value, self.gas_limit, self.data],
            )
        )

    @property
    def storage_slot(self) -> int:
        """The message passer's storage slot of ``sentMessages[hash]``."""
        return int.from_bytes(keccak(self.hash + SENT_MESSAGES_SLOT.to_bytes(32, "big")), "big")

    def as_abi(self) -> tuple:
        """The L1 messenger's ``Withdrawal`` struct, in field order."""
        return (self.nonce, self.sender, self.target, self.value, self.gas_limit, self.data)


def decode_message_passed(topics: list[bytes], data: bytes) -> Withdrawal:
    """The withdrawal of a ``MessagePassed`` log; ``ValueError`` if the log is not one or its
    recorded hash disagrees with its fields."""
    if len(topics) != 4 or topics[0] != MESSAGE_PASSED_TOPIC:
        raise ValueError("not a MessagePassed log")
    value, gas_limit, payload, recorded = abi_decode(
        ["uint256", "uint256", "bytes", "bytes32"], data
    )
    withdrawal = Withdrawal(
        nonce=int.from_bytes(topics[1], "big"),
        sender=topics[2][12:],
        target=topics[3][12:],
        value=value,
        gas_limit=gas_limit,
        data=payload,
    )
    if withdrawal.hash != recorded:
        raise ValueError("MessagePassed hash does not match its fields")
    return withdrawal
