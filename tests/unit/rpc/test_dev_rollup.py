"""The ``evm_`` dev methods and the ``rollup_`` namespace, over small in-memory backends."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from rollup_node.chain.errors import UnknownBlock
from rollup_node.rpc.fees import next_base_fee
from rollup_node.rpc.server import build_app
from tests.unit.rpc.fake_backend import (
    ALICE,
    ALICE_ADDRESS,
    BOB_ADDRESS,
    ECHO,
    PRIORITY_FEE,
    FakeChain,
)


class DevClock:
    """A dev chain's clock, snapshots and one unlocked account over a FakeChain."""

    def __init__(self, chain: FakeChain) -> None:
        self.chain = chain
        self.offset_seconds = 0
        self.next_timestamp: int | None = None
        self.mined_at: list[int | None] = []
        self.snapshots: list[int] = []

    def accounts(self) -> list[bytes]:
        return [ALICE_ADDRESS]

    def sign(self, sender: bytes, tx: dict[str, Any]) -> bytes:
        if sender != ALICE_ADDRESS:
            raise KeyError(sender)
        return bytes(ALICE.sign_transaction(tx).raw_transaction)

    def mine(self, timestamp: int | None) -> int:
        self.mined_at.append(timestamp if timestamp is not None else self.next_timestamp)
        self.next_timestamp = None
        return self.chain.mine().number

    def mine_queued(self) -> None:
        """This chain does not automine: transactions wait for ``evm_mine``."""

    def increase_time(self, seconds: int) -> int:
        self.offset_seconds += seconds
        return self.offset_seconds

    def set_next_block_timestamp(self, timestamp: int) -> None:
        if timestamp <= self.chain.blocks[-1].timestamp:
            raise ValueError("timestamp must be after the head block's")
        self.next_timestamp = timestamp

    def snapshot(self) -> int:
        self.snapshots.append(len(self.chain.blocks))
        return len(self.snapshots) - 1

    def revert(self, snapshot_id: int) -> bool:
        if snapshot_id >= len(self.snapshots):
            return False
        length = self.snapshots[snapshot_id]
        del self.snapshots[snapshot_id:]
        del self.chain.blocks[length:], self.chain.states[length:]
        return True


class RollupStatus:
    """Node status answers as the node would fill them."""

    def __init__(self, chain: FakeChain) -> None:
        self.chain = chain

    def sync_status(self) -> dict[str, Any]:
        head = self.chain.head_number()
        return {"unsafe_l2": {"number": head}, "safe_l2": {"number": self.chain.safe}}

    def output_at_block(self, number: int) -> dict[str, Any]:
        block = self.chain.block_by_number(number)
        if block is None:
            raise UnknownBlock(f"no block {number}")
        return {"blockRef": {"number": number}, "stateRoot": "0x" + block.state_root.hex()}

    def rollup_config(self) -> dict[str, Any]:
        return {"l2_chain_id": 901, "block_time": 2}

    def disputes(self) -> list[dict[str, Any]]:
        return [{"game": "0x" + "11" * 20, "status": "IN_PROGRESS"}]


async def rpc(client: TestClient, method: str, *params: Any) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    return await (await client.post("/", data=json.dumps(body))).json()


async def test_dev_methods_only_when_given(chain: FakeChain) -> None:
    async with TestClient(TestServer(build_app(chain))) as client:
        assert (await rpc(client, "evm_mine"))["error"]["code"] == -32601
    clock = DevClock(chain)
    async with TestClient(TestServer(build_app(chain, dev=clock))) as client:
        snapshot = (await rpc(client, "evm_snapshot"))["result"]
        assert (await rpc(client, "evm_setNextBlockTimestamp", 1_800_000_000))["result"] is None
        assert (await rpc(client, "evm_mine"))["result"] == "0x0"
        assert clock.mined_at == [1_800_000_000]
        assert (await rpc(client, "evm_mine", "0x10"))["result"] == "0x0"
        assert clock.mined_at[-1] == 16
        assert (await rpc(client, "evm_increaseTime", 60))["result"] == "0x3c"
        assert (await rpc(client, "evm_increaseTime", "0x3c"))["result"] == "0x78"
        assert (await rpc(client, "eth_blockNumber"))["result"] == "0x3"
        assert (await rpc(client, "evm_revert", snapshot))["result"] is True
        assert (await rpc(client, "eth_blockNumber"))["result"] == "0x1"
        assert (await rpc(client, "evm_revert", snapshot))["result"] is False
        bad = await rpc(client, "evm_increaseTime", -5)
        assert bad["error"]["code"] == -32602
        for method in ("evm_increaseTime", "evm_setNextBlockTimestamp", "evm_mine"):
            for beyond in (2**40 + 1, 2**256, hex(2**63)):  # the clock stays inside 64 bits
                too_far = await rpc(client, method, beyond)
                assert too_far["error"]["code"] == -32602, (method, beyond, too_far)
        assert (await rpc(client, "evm_increaseTime", 2**40))["result"] == hex(120 + 2**40)
        past = await rpc(client, "evm_setNextBlockTimestamp", 5)
        assert past["error"] == {
            "code": -32000,
            "message": "timestamp must be after the head block's",
        }


async def test_send_transaction_signs_for_unlocked_accounts(chain: FakeChain) -> None:
    async with TestClient(TestServer(build_app(chain))) as client:
        assert (await rpc(client, "eth_accounts"))["result"] == []
        assert (await rpc(client, "eth_sendTransaction", {}))["error"]["code"] == -32601
    async with TestClient(TestServer(build_app(chain, dev=DevClock(chain)))) as client:
        assert (await rpc(client, "eth_accounts"))["result"] == ["0x" + ALICE_ADDRESS.hex()]
        request = {"from": "0x" + ALICE_ADDRESS.hex(), "to": "0x" + BOB_ADDRESS.hex()}
        sent = await rpc(client, "eth_sendTransaction", request | {"value": "0x5"})
        tx = chain.transaction(bytes.fromhex(sent["result"][2:]))
        assert (tx.sender, tx.to, tx.value, tx.nonce) == (ALICE_ADDRESS, BOB_ADDRESS, 5, 1)
        assert tx.gas == 21_000  # estimated
        assert tx.max_priority_fee_per_gas == PRIORITY_FEE
        assert tx.max_fee_per_gas == 2 * next_base_fee(chain.blocks[-1]) + PRIORITY_FEE
        legacy = await rpc(
            client,
            "eth_sendTransaction",
            {**request, "to": "0x" + ECHO.hex(), "gasPrice": "0x77359400", "gas": "0x6000"},
        )
        tx = chain.transaction(bytes.fromhex(legacy["result"][2:]))
        assert (tx.type, tx.nonce, tx.gas_price, tx.gas) == (0, 2, 2_000_000_000, 0x6000)
        stranger = {"from": "0x" + BOB_ADDRESS.hex(), "to": "0x" + ALICE_ADDRESS.hex()}
        refused = await rpc(client, "eth_sendTransaction", stranger)
        assert refused["error"] == {"code": -32000, "message": "unknown account"}
        no_sender = await rpc(client, "eth_sendTransaction", {"to": "0x" + ECHO.hex()})
        assert no_sender["error"]["message"] == ("invalid argument 0 (transaction): from: missing")


async def test_rollup_methods(chain: FakeChain) -> None:
    app = build_app(chain, rollup=RollupStatus(chain))
    async with TestClient(TestServer(app)) as client:
        status = (await rpc(client, "rollup_syncStatus"))["result"]
        assert status["unsafe_l2"] == {"number": 1}
        output = (await rpc(client, "rollup_outputAtBlock", "0x1"))["result"]
        assert output["stateRoot"] == "0x" + chain.blocks[1].state_root.hex()
        assert (await rpc(client, "rollup_rollupConfig"))["result"]["block_time"] == 2
        assert len((await rpc(client, "rollup_disputes"))["result"]) == 1
        missing = await rpc(client, "rollup_outputAtBlock", "0x9")
        assert missing["error"] == {"code": -32000, "message": "header not found"}
        bad = await rpc(client, "rollup_outputAtBlock", 1)
        assert bad["error"]["code"] == -32602
