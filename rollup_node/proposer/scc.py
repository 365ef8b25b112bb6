"""The SCC and BondManager calls the proposer and the verifier make, and the SCC's events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak
from web3 import AsyncWeb3

from rollup_node.l1.contract_io import selector

APPEND_STATE_BATCH = selector("appendStateBatch(bytes32[],uint256)")
TOTAL_ELEMENTS = selector("totalElements()")
BOND_DEPOSIT = selector("deposit()")
BONDS = selector("bonds(address)")
REQUIRED_BOND = selector("requiredBond()")
TOTAL_BLOCKS = selector("totalBlocks()")

STATE_BATCH_APPENDED = keccak(
    b"StateBatchAppended(uint256,bytes32,uint256,uint256,bytes,bytes32[])"
)
STATE_BATCH_DELETED = keccak(b"StateBatchDeleted(uint256,bytes32,address)")


async def call_uint(w3: AsyncWeb3, to: str, data: bytes) -> int:
    """A view call returning one uint256."""
    raw = await w3.eth.call({"to": to, "data": data})
    return abi_decode(["uint256"], bytes(raw))[0]


def append_state_batch_calldata(roots: list[bytes], start: int) -> bytes:
    """Calldata of ``appendStateBatch(outputRoots, shouldStartAtElement)``."""
    return APPEND_STATE_BATCH + abi_encode(["bytes32[]", "uint256"], [roots, start])


def bonds_calldata(proposer: str) -> bytes:
    """Calldata of ``bonds(proposer)``."""
    return BONDS + abi_encode(["address"], [proposer])


#: ABI type of the SCC's ``BatchHeader`` struct.
BATCH_HEADER_TYPE = "(uint256,bytes32,uint256,uint256,bytes)"


@dataclass(frozen=True, slots=True)
class StateBatch:
    """One ``StateBatchAppended`` event: roots of elements ``prevTotalElements …``, with the
    batch header the SCC stored for them."""

    batch_index: int
    prev_total_elements: int
    output_roots: tuple[bytes, ...]
    l1_block_number: int
    proposer: str
    batch_root: bytes
    extra_data: bytes
    timestamp: int

    @property
    def last_element(self) -> int:
        """The element number of the batch's last root."""
        return self.prev_total_elements + len(self.output_roots) - 1

    def header(self) -> tuple:
        """The ``BatchHeader`` struct, in field order."""
        return (
            self.batch_index,
            self.batch_root,
            len(self.output_roots),
            self.prev_total_elements,
            self.extra_data,
        )

    @property
    def header_hash(self) -> bytes:
        """``keccak(abi.encode(header))``, what the SCC stores for the batch."""
        return keccak(abi_encode([BATCH_HEADER_TYPE], [self.header()]))


def decode_state_batch(log: Any) -> StateBatch:  # noqa: ANN401 - a web3 log
    """A ``StateBatchAppended`` log."""
    topics = log["topics"]
    first = topics[1]
    index = int(first, 16) if isinstance(first, str) else int.from_bytes(bytes(first), "big")
    data = log["data"]
    raw = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
    batch_root, _size, prev_total, extra, roots = abi_decode(
        ["bytes32", "uint256", "uint256", "bytes", "bytes32[]"], raw
    )
    timestamp, _l1, proposer, _counter = abi_decode(
        ["uint256", "uint256", "address", "uint256"], extra
    )
    return StateBatch(
        index,
        prev_total,
        tuple(roots),
        log["blockNumber"],
        proposer,
        batch_root=batch_root,
        extra_data=extra,
        timestamp=timestamp,
    )


@dataclass(frozen=True, slots=True)
class StateBatchDeletion:
    """One ``StateBatchDeleted`` event: a game the challenger won deleted batch ``batch_index``
    and every later one (SPEC §4, §11)."""

    batch_index: int
    header_hash: bytes
    game: str
    l1_block_number: int


def decode_state_batch_deletion(log: Any) -> StateBatchDeletion:  # noqa: ANN401 - a web3 log
    """A ``StateBatchDeleted`` log."""
    first = log["topics"][1]
    index = int(first, 16) if isinstance(first, str) else int.from_bytes(bytes(first), "big")
    data = log["data"]
    raw = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
    header_hash, game = abi_decode(["bytes32", "address"], raw)
    return StateBatchDeletion(index, header_hash, game, log["blockNumber"])


async def read_scc_history(
    w3: AsyncWeb3, scc: str, start: int, end: int
) -> list[StateBatch | StateBatchDeletion]:
    """The ``StateBatchAppended`` and ``StateBatchDeleted`` events of L1 blocks
    ``start..end``, in log order: replaying them in order gives the SCC's current batches."""
    logs = await w3.eth.get_logs(
        {
            "address": scc,
            "fromBlock": start,
            "toBlock": end,
            "topics": [["0x" + STATE_BATCH_APPENDED.hex(), "0x" + STATE_BATCH_DELETED.hex()]],
        }
    )
    return [
        decode_state_batch(entry)
        if _topic0(entry) == STATE_BATCH_APPENDED
        else decode_state_batch_deletion(entry)
        for entry in logs
    ]


def _topic0(log: Any) -> bytes:  # noqa: ANN401 - a web3 log
    first = log["topics"][0]
    return bytes.fromhex(first.removeprefix("0x")) if isinstance(first, str) else bytes(first)


async def read_state_batches(w3: AsyncWeb3, scc: str, start: int, end: int) -> list[StateBatch]:
    """The ``StateBatchAppended`` events of L1 blocks ``start..end``, in log order (a
    re-proposed batch's event comes after the deleted one's)."""
    logs = await w3.eth.get_logs(
        {
            "address": scc,
            "fromBlock": start,
            "toBlock": end,
            "topics": ["0x" + STATE_BATCH_APPENDED.hex()],
        }
    )
    return [decode_state_batch(entry) for entry in logs]
