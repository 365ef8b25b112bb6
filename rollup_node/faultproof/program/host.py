"""The host side of the fault-proof program: its local inputs and the preimages behind its hints.

The program (src/) asks for every fact as a preimage (SPEC §8–§10) and hints before asking, so
the host can fetch it. This module registers one handler per hint type on the oracle's
``HintRouter`` (rollup_node/faultproof/oracle/) and stores what they fetch in a ``DictSource``:

==========================  ================================================================
hint (data)                 the host stores
==========================  ================================================================
``rollup-config`` (hash)    abi.encode of the consensus fields (``RollupConfig``)
``l2-output`` (root)        the output root preimage of the agreed block n−1
``l2-header`` (hash)        an L2 header, from the node's store
``l2-keccak`` (hash)        an L2 trie node or contract code, from the node's state database
``l1-header`` (hash)        an L1 header (rebuilt from ``eth_getBlockByHash`` and checked)
``l1-account`` (hash‖addr)  the account proof's nodes (``eth_getProof``)
``l1-storage`` (h‖a‖slot)   the account and storage proofs' nodes (``eth_getProof``)
``l1-batch-data`` (h‖u64)   a batch's data, from the ``BatchAppended`` event in that L1 block
``l1-queue-element`` (h‖i)  a queue element preimage, rebuilt from ``TransactionEnqueued``
==========================  ================================================================

L1 comes from any web3 endpoint through ``ProgramL1Source`` (the node's L1 client or a test chain);
L2 comes from the node's ``ChainStore`` through ``L2Reader``. Every preimage is checked against
its hash before it is stored, and again by the program.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import rlp
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak

from rollup_node.config import RollupConfig
from rollup_node.faultproof.oracle.hints import HintRouter
from rollup_node.faultproof.oracle.host import NativeResult, Oracle, run_native
from rollup_node.faultproof.oracle.keys import LocalIdent, local_key
from rollup_node.faultproof.oracle.source import ChainedSource, DictSource, PreimageSource

QUEUE_ELEMENT_TYPES = [
    "address",
    "address",
    "uint256",
    "uint64",
    "bool",
    "bytes",
    "uint256",
    "uint256",
]


class HintDataError(ValueError):
    """A hint's data has the wrong length for its type: the program and host disagree."""


class ProgramL1Source(Protocol):
    """What the fault-proof host needs from L1: headers, proofs, batches, queue elements
    (``Web3ProgramL1Source`` implements it over web3). Not the node's ``l1.reader.L1Reader``,
    which reads L1 heads for the sequencer and derivation."""

    def header_rlp(self, block_hash: bytes) -> bytes:
        """The RLP header of the block with this hash."""
        ...

    def proof_nodes(self, block_hash: bytes, address: bytes, slots: list[bytes]) -> list[bytes]:
        """Every node of the account proof and of the storage proofs of ``slots``."""
        ...

    def batch_data(self, l1_block: int) -> list[bytes]:
        """The ``batchData`` of every CTC ``BatchAppended`` event in that block."""
        ...

    def queue_element(self, index: int) -> bytes:
        """The preimage of ``queue[index]``, rebuilt from its ``TransactionEnqueued`` event."""
        ...


class L2Reader(Protocol):
    """What the host needs from the node's L2 store."""

    def node(self, key: bytes) -> bytes | None:
        """A state-database entry (trie node or code) by its hash."""
        ...

    def header_rlp(self, block_hash: bytes) -> bytes | None:
        """The RLP header of an L2 block by hash."""
        ...

    def output_preimage(self, number: int) -> bytes:
        """``bytes32(0) ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash`` of block ``number``."""
        ...


@dataclass(frozen=True)
class LocalInputs:
    """The six local inputs of one run, as a dispute game records them (SPEC §9)."""

    l1_head_hash: bytes
    pre_output_root: bytes
    disputed_output_root: bytes
    l2_block_number: int
    l2_chain_id: int
    consensus_config_hash: bytes

    def values(self) -> dict[LocalIdent, bytes]:
        """Each input's value (at most 32 bytes) by its §9 ident."""
        return {
            LocalIdent.L1_HEAD_HASH: self.l1_head_hash,
            LocalIdent.PRE_STATE_OUTPUT_ROOT: self.pre_output_root,
            LocalIdent.DISPUTED_OUTPUT_ROOT: self.disputed_output_root,
            LocalIdent.L2_BLOCK_NUMBER: self.l2_block_number.to_bytes(8, "big"),
            LocalIdent.L2_CHAIN_ID: self.l2_chain_id.to_bytes(8, "big"),
            LocalIdent.CONSENSUS_CONFIG_HASH: self.consensus_config_hash,
        }

    def preimages(self) -> dict[bytes, bytes]:
        """The type-1 keys and their values."""
        return {local_key(ident): value for ident, value in self.values().items()}


@dataclass(frozen=True)
class Dispute:
    """The local inputs of one run (SPEC §9), with the rollup config behind two of them."""

    l1_head_hash: bytes
    pre_output_root: bytes
    disputed_output_root: bytes
    l2_block_number: int
    config: RollupConfig

    def local_inputs(self) -> LocalInputs:
        """The six §9 values."""
        return LocalInputs(
            self.l1_head_hash,
            self.pre_output_root,
            self.disputed_output_root,
            self.l2_block_number,
            self.config.l2_chain_id,
            self.config.consensus_config_hash(),
        )

    def local_preimages(self) -> dict[bytes, bytes]:
        """The type-1 keys and their values."""
        return self.local_inputs().preimages()


def consensus_config_preimage(config: RollupConfig) -> bytes:
    """abi.encode of the consensus fields: the preimage of ``consensus_config_hash``."""
    fields = config.consensus_fields()
    return abi_encode([t for _, t, _ in fields], [v for _, _, v in fields])


def _split(data: bytes, *sizes: int) -> list[bytes]:
    if len(data) != sum(sizes):
        raise HintDataError(f"hint data of {len(data)} bytes, expected {sum(sizes)}")
    parts, offset = [], 0
    for size in sizes:
        parts.append(data[offset : offset + size])
        offset += size
    return parts


class ProgramHost:
    """Local inputs plus hint handlers that fill a preimage store from L1 and L2 readers.

    ``l1`` may be None when the caller stores the L1 preimages itself (tests with a synthetic
    L1); ``l2`` may be None likewise.
    """

    def __init__(self, dispute: Dispute, l1: ProgramL1Source | None, l2: L2Reader | None) -> None:
        self.dispute = dispute
        self.l1 = l1
        self.l2 = l2
        self.store = DictSource(dispute.local_preimages())

    def handlers(self) -> dict[str, Callable[[bytes], None]]:
        """The hint handlers by type."""
        handlers: dict[str, Callable[[bytes], None]] = {"rollup-config": self._rollup_config}
        if self.l2 is not None:
            handlers |= {
                "l2-output": self._l2_output,
                "l2-header": self._l2_header,
                "l2-keccak": self._l2_keccak,
            }
        if self.l1 is not None:
            handlers |= {
                "l1-header": self._l1_header,
                "l1-account": self._l1_account,
                "l1-storage": self._l1_storage,
                "l1-batch-data": self._l1_batch_data,
                "l1-queue-element": self._l1_queue_element,
            }
        return handlers

    def oracle(self, extra: PreimageSource | None = None) -> Oracle:
        """An oracle serving this host's store (then ``extra``) with its hints routed here."""
        router = HintRouter()
        for hint_type, handler in self.handlers().items():
            router.register(hint_type, handler)
        source = self.store if extra is None else ChainedSource([self.store, extra])
        return Oracle(source, router)

    def run_native(
        self, binary: str, extra: PreimageSource | None = None, timeout: float | None = None
    ) -> NativeResult:
        """Run the native program (``build/native/fpp``) against this host."""
        return run_native([binary], self.oracle(extra), timeout=timeout)

    # --- handlers ---------------------------------------------------------------------------

    def _put(self, value: bytes, expected_hash: bytes | None = None) -> None:
        if expected_hash is not None and keccak(value) != expected_hash:
            raise HintDataError(f"fetched data does not hash to {expected_hash.hex()}")
        self.store.put_keccak(value)

    # handlers() registers the l1-*/l2-* hints only with a source, so these raise only on a bug.
    def _l1_source(self) -> ProgramL1Source:
        if self.l1 is None:
            raise RuntimeError("an L1 hint reached a host without an L1 source (a bug: halt)")
        return self.l1

    def _l2_source(self) -> L2Reader:
        if self.l2 is None:
            raise RuntimeError("an L2 hint reached a host without an L2 reader (a bug: halt)")
        return self.l2

    def _rollup_config(self, data: bytes) -> None:
        (config_hash,) = _split(data, 32)
        self._put(consensus_config_preimage(self.dispute.config), config_hash)

    def _l2_output(self, data: bytes) -> None:
        (root,) = _split(data, 32)
        l2 = self._l2_source()
        self._put(l2.output_preimage(self.dispute.l2_block_number - 1), root)

    def _l2_header(self, data: bytes) -> None:
        (block_hash,) = _split(data, 32)
        l2 = self._l2_source()
        header = l2.header_rlp(block_hash)
        if header is not None:
            self._put(header, block_hash)

    def _l2_keccak(self, data: bytes) -> None:
        (key,) = _split(data, 32)
        l2 = self._l2_source()
        value = l2.node(key)
        if value is not None:
            self._put(value, key)

    def _l1_header(self, data: bytes) -> None:
        (block_hash,) = _split(data, 32)
        l1 = self._l1_source()
        self._put(l1.header_rlp(block_hash), block_hash)

    def _l1_account(self, data: bytes) -> None:
        block_hash, address = _split(data, 32, 20)
        l1 = self._l1_source()
        for node in l1.proof_nodes(block_hash, address, []):
            self._put(node)

    def _l1_storage(self, data: bytes) -> None:
        block_hash, address, slot = _split(data, 32, 20, 32)
        l1 = self._l1_source()
        for node in l1.proof_nodes(block_hash, address, [slot]):
            self._put(node)

    def _l1_batch_data(self, data: bytes) -> None:
        data_hash, l1_block = _split(data, 32, 8)
        l1 = self._l1_source()
        for candidate in l1.batch_data(int.from_bytes(l1_block, "big")):
            if keccak(candidate) == data_hash:
                self._put(candidate)
                return

    def _l1_queue_element(self, data: bytes) -> None:
        element_hash, index = _split(data, 32, 8)
        l1 = self._l1_source()
        self._put(l1.queue_element(int.from_bytes(index, "big")), element_hash)


class Web3ProgramL1Source:
    """``ProgramL1Source`` over a web3 connection to L1 and the CTC's address."""

    def __init__(self, w3: Any, ctc_address: str) -> None:
        from rollup_node.contracts import load_artifact

        self.w3 = w3
        self.ctc = w3.eth.contract(
            address=w3.to_checksum_address(ctc_address),
            abi=load_artifact("CanonicalTransactionChain").abi,
        )

    def header_rlp(self, block_hash: bytes) -> bytes:
        block = self.w3.eth.get_block(block_hash)
        fields: list[Any] = [
            bytes(block["parentHash"]),
            bytes(block["sha3Uncles"]),
            bytes.fromhex(block["miner"][2:]),
            bytes(block["stateRoot"]),
            bytes(block["transactionsRoot"]),
            bytes(block["receiptsRoot"]),
            bytes(block["logsBloom"]).rjust(256, b"\0"),  # some servers strip its zeros
            block["difficulty"],
            block["number"],
            block["gasLimit"],
            block["gasUsed"],
            block["timestamp"],
            bytes(block["extraData"]),
            bytes(block["mixHash"]),
            bytes(block["nonce"]),
        ]
        optional = [
            ("baseFeePerGas", int),
            ("withdrawalsRoot", bytes),
            ("blobGasUsed", int),
            ("excessBlobGas", int),
            ("parentBeaconBlockRoot", bytes),
            ("requestsHash", bytes),
        ]
        for name, kind in optional:
            if name not in block or block[name] is None:
                break
            fields.append(int(block[name]) if kind is int else bytes(block[name]))
        encoded = rlp.encode(fields)
        if keccak(encoded) != block_hash:
            raise HintDataError(f"L1 header {block_hash.hex()} does not re-encode to its hash")
        return encoded

    def proof_nodes(self, block_hash: bytes, address: bytes, slots: list[bytes]) -> list[bytes]:
        number = self.w3.eth.get_block(block_hash)["number"]
        # Storage keys as 32-byte hex (the API's type): anvil rejects quantities ("0x5").
        proof = self.w3.eth.get_proof(
            self.w3.to_checksum_address(address),
            ["0x" + slot.rjust(32, b"\0").hex() for slot in slots],
            number,
        )
        nodes = [bytes(node) for node in proof["accountProof"]]
        for entry in proof["storageProof"]:
            nodes += [bytes(node) for node in entry["proof"]]
        return nodes

    def batch_data(self, l1_block: int) -> list[bytes]:
        events = self.ctc.events.BatchAppended.get_logs(from_block=l1_block, to_block=l1_block)
        return [bytes(event["args"]["batchData"]) for event in events]

    def queue_element(self, index: int) -> bytes:
        events = self.ctc.events.TransactionEnqueued.get_logs(
            from_block=0, argument_filters={"queueIndex": index}
        )
        if not events:
            raise HintDataError(f"no TransactionEnqueued event for queue index {index}")
        a = events[0]["args"]
        return abi_encode(
            QUEUE_ELEMENT_TYPES,
            [
                a["from"],
                a["to"],
                a["mint"],
                a["gasLimit"],
                a["isCreation"],
                a["data"],
                a["l1BlockNumber"],
                a["l1Timestamp"],
            ],
        )
