"""What a developer coming from anvil expects of the devnet's L2 (issue 15), through web3.py:
the ten dev accounts in ``eth_accounts``, node-held signing (``eth_sendTransaction``,
``eth_sign``), ``eth_createAccessList``, ``eth_subscribe("newPendingTransactions")`` as web3.py
sends it (with ``false``) and with ``true`` (whole transactions), ``eth_subscribe("syncing")``
and ``txpool_status``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from web3 import AsyncWeb3, Web3, WebSocketProvider

from rollup_node.chain.genesis import devnet_accounts
from tests.integration.helpers import account, deploy, logger_code, send, wait_receipts

TIMEOUT = 20
RECIPIENT = Web3.to_checksum_address("0x" + "e9" * 20)


def test_dev_accounts_sign_on_l2(devnet) -> None:  # noqa: ANN001
    w3: Web3 = devnet.w3
    expected = [Web3.to_checksum_address(address) for address, _ in devnet_accounts()]
    assert w3.eth.accounts == expected
    sender, recipient = w3.eth.accounts[7], Web3.to_checksum_address("0x" + "e7" * 20)
    tx_hash = w3.eth.send_transaction({"from": sender, "to": recipient, "value": 12_345})
    (receipt,) = wait_receipts(w3, [tx_hash])
    assert receipt["status"] == 1 and receipt["from"] == sender
    assert int(receipt["l1Fee"], 16) > 0  # an ordinary L2 user transaction: it pays the L1 fee
    assert w3.eth.get_balance(recipient) == 12_345
    signature = w3.eth.sign(sender, text="devnet")
    assert Account.recover_message(encode_defunct(text="devnet"), signature=signature) == sender


def test_access_list_on_l2(devnet) -> None:  # noqa: ANN001
    w3: Web3 = devnet.w3
    logger = deploy(w3, account(8)[1], logger_code())
    result = w3.eth.create_access_list(
        {"from": w3.eth.accounts[8], "to": logger, "data": "0x" + "01" * 32}
    )
    # The logger writes its own slot 0 (listed under the recipient) and touches no other account.
    assert [dict(entry) for entry in result["accessList"]] == [
        {"address": logger, "storageKeys": ["0x" + "00" * 32]}
    ]
    assert result["gasUsed"] > 21_000


async def _next(w3: AsyncWeb3) -> dict[str, Any]:
    async def first() -> dict[str, Any]:
        async for message in w3.socket.process_subscriptions():
            return message
        raise AssertionError("subscription stream ended")

    return await asyncio.wait_for(first(), TIMEOUT)


async def test_pending_transactions_as_web3_subscribes(devnet) -> None:  # noqa: ANN001
    _, key = account(9)
    async with AsyncWeb3(WebSocketProvider(devnet.ws_url)) as w3:
        hashes_only = await w3.eth.subscribe("newPendingTransactions")  # sends [.., false]
        tx_hash = send(devnet.w3, key, to=RECIPIENT, value=1)
        message = await _next(w3)
        assert message["subscription"] == hashes_only
        assert message["result"] == tx_hash
        assert await w3.eth.unsubscribe(hashes_only) is True

        full = await w3.eth.subscribe("newPendingTransactions", True)
        tx_hash = send(devnet.w3, key, to=RECIPIENT, value=2)
        message = await _next(w3)
        assert message["subscription"] == full
        transaction = message["result"]
        assert transaction["hash"] == tx_hash and transaction["value"] == 2
        assert transaction["from"] == Account.from_key(key).address

        syncing = await w3.eth.subscribe("syncing")
        assert isinstance(syncing, str) and syncing.startswith("0x")
        assert await w3.eth.unsubscribe(syncing) is True


def test_txpool_status_on_l2(devnet) -> None:  # noqa: ANN001
    status = devnet.w3.provider.make_request("txpool_status", [])["result"]
    assert set(status) == {"pending", "queued"}
    assert status["queued"] == "0x0"
