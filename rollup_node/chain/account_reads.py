"""Account reads straight from the state trie: balance, nonce, code and storage at a state root.

``eth_getBalance``, ``eth_getTransactionCount``, ``eth_getCode`` and ``eth_getStorageAt``
(SPEC §8) read one account of one block's state. Building py-evm's ``AccountDB`` for each of
them (journals, caches, access tracking) costs more than the read itself; here a read is one
walk of the secure account trie (key ``keccak(address)``, value the RLP account), then, for
code, one lookup by code hash, and, for storage, one walk of the account's storage trie (key
``keccak(slot as 32 bytes)``, value the RLP integer). The answers are py-evm's by construction:
the same tries, the same encodings, the same validation of addresses and slots, a missing
account read as the empty one.

Trie nodes are immutable (keyed by hash), so an account read at a state root never changes. A
small cache keeps the accounts last read at the head's state root and is emptied when a read at
the head names another root (the head moved), so it never grows past one block's hot set.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth.rlp.accounts import Account
from eth.validation import validate_canonical_address, validate_uint256
from eth.vm.interrupt import MissingBytecode
from eth_hash.auto import keccak
from trie import HexaryTrie

from rollup_node.chain.store import ChainStore

#: Accounts kept for the head's state root (wallet front-ends poll a few hot addresses).
HEAD_CACHE_SIZE = 1024
_EMPTY_ACCOUNT = Account()


class AccountReads:
    """Reads of accounts at a state root over ``store``'s state database, thread-safe."""

    def __init__(self, store: ChainStore, cache_size: int = HEAD_CACHE_SIZE) -> None:
        self._store = store
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._head_root: bytes | None = None
        self._head_accounts: OrderedDict[bytes, Account] = OrderedDict()

    def account(self, state_root: bytes, address: bytes, at_head: bool = False) -> Account:
        """The account of ``address`` at ``state_root`` (the empty account if there is none).

        ``at_head`` says ``state_root`` is the head's: the read may be served from, and is
        kept in, the head cache.
        """
        validate_canonical_address(address, title="Storage Address")
        if at_head:
            with self._lock:
                if self._head_root != state_root:
                    self._head_root = state_root
                    self._head_accounts.clear()
                cached = self._head_accounts.get(address)
                if cached is not None:
                    self._head_accounts.move_to_end(address)
                    return cached
        account = self._read_account(state_root, address)
        if at_head:
            with self._lock:
                if self._head_root == state_root:
                    self._head_accounts[address] = account
                    if len(self._head_accounts) > self._cache_size:
                        self._head_accounts.popitem(last=False)
        return account

    def code(self, state_root: bytes, address: bytes, at_head: bool = False) -> bytes:
        """The code of ``address`` at ``state_root`` (empty for an account without code)."""
        code_hash = self.account(state_root, address, at_head).code_hash
        if code_hash == EMPTY_SHA3:
            return b""
        db = self._store.state_db()
        try:
            return db[code_hash]
        except KeyError:
            raise MissingBytecode(code_hash) from None
        finally:
            db.close()

    def storage(self, state_root: bytes, address: bytes, slot: int, at_head: bool = False) -> int:
        """The value of storage ``slot`` of ``address`` at ``state_root`` (0 if unset)."""
        validate_uint256(slot, title="Storage Slot")
        storage_root = self.account(state_root, address, at_head).storage_root
        if storage_root == BLANK_ROOT_HASH:
            return 0
        db = self._store.state_db()
        try:
            raw = HexaryTrie(db, storage_root)[keccak(slot.to_bytes(32, "big"))]
        finally:
            db.close()
        return rlp.decode(raw, sedes=rlp.sedes.big_endian_int) if raw else 0

    def _read_account(self, state_root: bytes, address: bytes) -> Account:
        db = self._store.state_db()
        try:
            raw = HexaryTrie(db, state_root)[keccak(address)]
        finally:
            db.close()
        return rlp.decode(raw, sedes=Account) if raw else _EMPTY_ACCOUNT
