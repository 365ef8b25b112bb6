"""The L1 client of the PreimageOracle (SPEC §8): load the preimage part a MIPS step reads, and
ask whether it is there already.

The oracle holds 32-byte parts of ``u64 length ‖ preimage`` by (key, part offset). Keccak parts
(type 2) and precompile results (type 6) are loaded here by anyone: the contract checks the data
against the key itself (hashing it, or calling the precompile with the declared gas). Local
inputs (type 1) are loaded only by a game's ``addLocalData``, under a key localized to that game
(``localized_key``); this client only reads them.
"""

from __future__ import annotations

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from web3 import AsyncWeb3

from rollup_node.contracts import load_artifact
from rollup_node.faultproof.oracle.keys import KeyType, local_key
from rollup_node.l1.contract_io import send_call
from rollup_node.l1.transactor import L1Receipt, Transactor

#: The ``localContext`` FaultDisputeGame passes to MIPS and the oracle (``LOCAL_CONTEXT``).
GAME_LOCAL_CONTEXT = b"\x00" * 32


def localized_key(ident: int, game: str, local_context: bytes = GAME_LOCAL_CONTEXT) -> bytes:
    """The key under which the oracle stores local input ``ident`` loaded by ``game``:
    ``keccak(abi.encode(localKey(ident), localContext, game))`` with its first byte set to 1
    (PreimageKeyLib.localize)."""
    digest = keccak(
        abi_encode(["bytes32", "bytes32", "address"], [local_key(ident), local_context, game])
    )
    return bytes([KeyType.LOCAL]) + digest[1:]


class PreimageOracleClient:
    """The oracle at ``address``; ``transactor`` is needed only for loads."""

    def __init__(self, w3: AsyncWeb3, address: str, transactor: Transactor | None = None) -> None:
        self.w3 = w3
        self.address = to_checksum_address(address)
        self.transactor = transactor
        self.contract = w3.eth.contract(
            address=self.address, abi=list(load_artifact("PreimageOracle").abi)
        )

    async def part_loaded(self, key: bytes, offset: int) -> bool:
        """Whether the part of ``key`` at ``offset`` is in the oracle (``preimagePartOk``)."""
        return await self.contract.functions.preimagePartOk(key, offset).call()

    async def read_part(self, key: bytes, offset: int) -> tuple[bytes, int]:
        """``readPreimage(key, offset)``: the 32-byte part and how many of its bytes belong to
        ``u64 length ‖ preimage`` (reverts ``PartNotLoaded`` when absent)."""
        part, length = await self.contract.functions.readPreimage(key, offset).call()
        return bytes(part), length

    def _calldata(self, function: str, *args: object) -> bytes:
        return bytes.fromhex(self.contract.encode_abi(function, args=list(args))[2:])

    async def _send(self, what: str, data: bytes) -> L1Receipt:
        if self.transactor is None:
            raise RuntimeError(f"{what}: this oracle client was built without a transactor")
        return await send_call(self.transactor, self.address, data, what)

    async def load_keccak_part(self, offset: int, preimage: bytes) -> L1Receipt:
        """``loadKeccak256PreimagePart(offset, preimage)``."""
        data = self._calldata("loadKeccak256PreimagePart", offset, preimage)
        return await self._send(f"load keccak preimage part at {offset}", data)

    async def load_precompile_part(
        self, offset: int, precompile: str, required_gas: int, call_input: bytes
    ) -> L1Receipt:
        """``loadPrecompilePreimagePart(offset, precompile, requiredGas, input)``: the oracle
        calls the precompile with ``required_gas`` and stores ``status ‖ output``. The gas
        estimate at pending covers the call (the contract refuses to start it with less)."""
        data = self._calldata(
            "loadPrecompilePreimagePart",
            offset,
            to_checksum_address(precompile),
            required_gas,
            call_input,
        )
        return await self._send(f"load precompile preimage part at {offset}", data)
