"""The devnet's wallet accounts: the ten accounts of the standard test mnemonic, held unlocked.

Like anvil's dev accounts, they let a dapp developer use node-held signers (ethers'
``getSigner(0)``, web3.py's ``eth.accounts[0]``) against the devnet: ``eth_accounts`` lists
them and ``eth_sendTransaction``, ``eth_sign``, ``personal_sign`` and ``eth_signTypedData_v4``
sign with them (``rpc/accounts.py``). The accounts are funded at genesis on both chains
(``test test … junk``, SPEC §2). SPEC §12 has ``eth_accounts`` empty: that holds for every
node that runs a rollup role; the devnet is a developer's tool and serves them on its L1 and
L2, like anvil. A sequencer, verifier or replica holds no wallet keys
(``wallet_accounts_for``), so that no key can be used over RPC outside a developer's machine.

The devnet's own L1 operator (batcher, proposer: the sequencer key) is account 0
(``Node.sequencer_key``); a person signing L1 transactions with the same key races the node
for nonces, so the README points wallets at account 1 and later.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data

from rollup_node.chain.genesis import devnet_accounts

DEVNET_MODE = "devnet"


class DevAccounts:
    """Unlocked accounts that sign transactions, messages and typed data (the RPC ``Signer``).

    Every method raises ``KeyError`` for an address that is not one of them (the caller
    answers "unknown account"; retrying cannot help).
    """

    def __init__(self, count: int = 10) -> None:
        self._keys = dict(devnet_accounts(count))

    def accounts(self) -> list[bytes]:
        """The addresses, in mnemonic order (``eth_accounts``)."""
        return list(self._keys)

    def _key(self, sender: bytes) -> str:
        key = self._keys.get(sender)
        if key is None:
            raise KeyError(f"account 0x{sender.hex()} is not unlocked")
        return key

    def sign(self, sender: bytes, tx: dict[str, Any]) -> bytes:
        """The raw signed transaction of an eth-account transaction dict."""
        return bytes(Account.sign_transaction(tx, self._key(sender)).raw_transaction)

    def sign_message(self, sender: bytes, message: bytes) -> bytes:
        """The 65-byte signature (``v`` 27/28) of ``message`` with the EIP-191 personal prefix
        (``"\\x19Ethereum Signed Message:\\n" + len``), as geth's ``eth_sign`` makes it."""
        signed = Account.sign_message(encode_defunct(primitive=message), self._key(sender))
        return bytes(signed.signature)

    def sign_typed_data(self, sender: bytes, typed_data: dict[str, Any]) -> bytes:
        """The 65-byte signature of EIP-712 typed data (``domain``, ``types``,
        ``primaryType``, ``message``), as ``eth_signTypedData_v4``.

        Raises ``ValueError`` when the typed data is malformed (the caller's request is wrong).
        """
        key = self._key(sender)
        try:
            message = encode_typed_data(full_message=typed_data)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"invalid typed data: {exc}") from None
        return bytes(Account.sign_message(message, key).signature)


def wallet_accounts_for(mode: str) -> DevAccounts | None:
    """The accounts a node in ``mode`` serves over RPC: the dev accounts on the devnet, none
    in any other mode."""
    return DevAccounts() if mode == DEVNET_MODE else None
