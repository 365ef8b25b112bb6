"""A tiny in-memory chain that implements the RPC server's ``ChainBackend`` for tests.

Real, if small: it decodes and recovers signed transactions (legacy, 2930, 1559), checks them
the way the real intake does (chain id, nonce, funds, intrinsic gas), queues them, and
``mine()`` seals a block that applies them as value transfers, charging gas at the block's base
fee plus tip, with the EIP-1559 base-fee rule. Calls are served by a few built-in "contracts"
(``ECHO`` returns its calldata, ``REVERTER`` reverts with ``Error(string)`` of its calldata,
``PANICKER`` panics with code 0x11, ``BALANCE_OF_CALLER`` returns the caller's balance, so
state overrides show), and a transfer to ``LOGGER`` emits a ``Ping(address)`` log. Proofs come
from a real Merkle Patricia trie of the accounts. Nothing here is used by the node; the real
chain replaces it in end-to-end tests.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import rlp
from eth_account import Account
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from trie import HexaryTrie

from rollup_node.chain.errors import ExecutionReverted
from rollup_node.chain.queries import AccountOverride, AccountProof, CallRequest, StorageProof
from rollup_node.chain.records import BlockRecord, LogRecord, ReceiptRecord, TxRecord
from rollup_node.protocol.errors import RejectReason, TransactionRejected
from rollup_node.rpc.fees import next_base_fee
from rollup_node.rpc.formatting import effective_gas_price

CHAIN_ID = 901
GAS_LIMIT = 30_000_000
GENESIS_BASE_FEE = 1_000_000_000
BLOCK_TIME = 2
GENESIS_TIME = 1_700_000_000
PRIORITY_FEE = 1_000_000
ZERO_HASH = b"\x00" * 32
EMPTY_TRIE_ROOT = keccak(rlp.encode(b""))
EMPTY_CODE_HASH = keccak(b"")
EMPTY_UNCLES_HASH = keccak(rlp.encode([]))

# Two funded accounts (ALICE is the first account of the devnet test mnemonic).
ALICE = Account.from_key("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
BOB = Account.from_key("0x59c6995e998f97a5a0044966f0945389dc9c86dae88c7191d31fc4e8b3b0cb3a")
ALICE_ADDRESS = bytes.fromhex(ALICE.address[2:])
BOB_ADDRESS = bytes.fromhex(BOB.address[2:])
INITIAL_BALANCE = 10**24

ECHO = bytes.fromhex("00000000000000000000000000000000000ec401")
REVERTER = bytes.fromhex("00000000000000000000000000000000000de501")
PANICKER = bytes.fromhex("00000000000000000000000000000000000fa111")
BALANCE_OF_CALLER = bytes.fromhex("00000000000000000000000000000000000ba1ce")
LOGGER = bytes.fromhex("000000000000000000000000000000000000109e")
PING_TOPIC = keccak(b"Ping(address)")
DEPOSITOR = bytes.fromhex("deaddeaddeaddeaddeaddeaddeaddeaddead0001")
L1_FEE = 1234


@dataclass
class AccountState:
    """One account's state."""

    balance: int = 0
    nonce: int = 0
    code: bytes = b""
    storage: dict[int, int] = field(default_factory=dict)

    def copy(self) -> AccountState:
        return dataclasses.replace(self, storage=dict(self.storage))


State = dict[bytes, AccountState]


def error_data(reason: str) -> bytes:
    """ABI encoding of ``Error(string)``."""
    encoded = reason.encode()
    padded = encoded + b"\x00" * (-len(encoded) % 32)
    return (
        bytes.fromhex("08c379a0")
        + (32).to_bytes(32, "big")
        + len(encoded).to_bytes(32, "big")
        + padded
    )


def intrinsic_gas(data: bytes) -> int:
    zeros = data.count(0)
    return 21_000 + 4 * zeros + 16 * (len(data) - zeros)


def _int(value: bytes) -> int:
    return int.from_bytes(value, "big")


def decode_transaction(raw: bytes) -> TxRecord:
    """Decode and recover a signed legacy, 2930 or 1559 transaction."""
    try:
        if raw and raw[0] == 1:
            fields = rlp.decode(raw[1:])
            chain_id, nonce, gas_price, gas, to, value, data, access, y, r, s = fields
            max_fee = max_tip = None
            tx_type, v = 1, _int(y)
        elif raw and raw[0] == 2:
            fields = rlp.decode(raw[1:])
            chain_id, nonce, max_tip, max_fee, gas, to, value, data, access, y, r, s = fields
            gas_price = None
            max_fee, max_tip = _int(max_fee), _int(max_tip)
            tx_type, v = 2, _int(y)
        elif raw and raw[0] >= 0xC0:
            nonce, gas_price, gas, to, value, data, v_raw, r, s = rlp.decode(raw)
            access, tx_type, v = [], 0, _int(v_raw)
            max_fee = max_tip = None
            chain_id = ((v - 35) // 2).to_bytes(8, "big") if v >= 35 else b""
        elif raw and raw[0] < 0x7F:
            raise TransactionRejected(RejectReason.UNSUPPORTED_TYPE, f"type {raw[0]}")
        else:
            raise TransactionRejected(RejectReason.MALFORMED, "not an RLP list")
        sender = bytes.fromhex(Account.recover_transaction(raw)[2:])
    except TransactionRejected:
        raise
    except Exception as exc:
        raise TransactionRejected(RejectReason.MALFORMED, str(exc)) from None
    return TxRecord(
        hash=keccak(raw),
        type=tx_type,
        raw=raw,
        sender=sender,
        to=to or None,
        nonce=_int(nonce),
        gas=_int(gas),
        value=_int(value),
        data=data,
        chain_id=_int(chain_id) if chain_id else None,
        gas_price=_int(gas_price) if gas_price is not None else None,
        max_fee_per_gas=max_fee,
        max_priority_fee_per_gas=max_tip,
        access_list=tuple((a, tuple(_int(k) for k in keys)) for a, keys in access),
        v=v,
        r=_int(r),
        s=_int(s),
    )


class FakeChain:
    """An in-memory chain implementing ``ChainBackend`` (see the module docstring)."""

    chain_id = CHAIN_ID

    def __init__(self) -> None:
        self.blocks: list[BlockRecord] = []
        self.states: list[State] = []
        self.receipts_by_block: dict[bytes, tuple[ReceiptRecord, ...]] = {}
        self.queue: list[TxRecord] = []
        self.deposits: list[tuple[bytes, int]] = []  # (to, mint)
        self.callbacks: list[Callable[[BlockRecord, tuple[ReceiptRecord, ...]], None]] = []
        self.safe = 0
        self.finalized = 0
        genesis_state = {
            ALICE_ADDRESS: AccountState(INITIAL_BALANCE),
            BOB_ADDRESS: AccountState(INITIAL_BALANCE),
            ECHO: AccountState(code=b"\x60\x00", storage={0: 42, 7: 0xBEEF}),
        }
        self._seal([], [], genesis_state, GENESIS_BASE_FEE)

    # -- building ---------------------------------------------------------------------------

    def add_deposit(self, to: bytes, mint: int) -> None:
        """Queue a deposit (minting ``mint`` wei to ``to``) for the next block."""
        self.deposits.append((to, mint))

    def mine(self) -> BlockRecord:
        """Seal a block with the queued deposits and transactions; tell the subscribers."""
        parent = self.blocks[-1]
        base_fee = next_base_fee(parent)
        state = {a: s.copy() for a, s in self.states[-1].items()}
        txs: list[TxRecord] = []
        outcomes: list[tuple[int, int, tuple[bytes, ...], bytes]] = []
        for to, mint in self.deposits:
            account = state.setdefault(DEPOSITOR, AccountState())
            nonce = account.nonce
            account.nonce += 1
            state.setdefault(to, AccountState()).balance += mint
            source_hash = keccak(b"deposit" + len(txs).to_bytes(8, "big") + parent.hash)
            raw = b"\x7e" + rlp.encode([source_hash, DEPOSITOR, to, mint, 0, 100_000, False, b""])
            txs.append(
                TxRecord(
                    hash=keccak(raw), type=0x7E, raw=raw, sender=DEPOSITOR, to=to, nonce=nonce,
                    gas=100_000, value=0, data=b"", chain_id=None, gas_price=None,
                    max_fee_per_gas=None, max_priority_fee_per_gas=None, source_hash=source_hash,
                    mint=mint, is_system_tx=False,
                )
            )  # fmt: skip
            outcomes.append((1, 21_000, (), b""))
        self.deposits = []
        for tx in self.queue:
            gas_used = intrinsic_gas(tx.data)
            price = effective_gas_price(tx, base_fee)
            sender = state[tx.sender]
            sender.balance -= gas_used * price + tx.value + L1_FEE
            sender.nonce += 1
            if tx.to is not None:
                state.setdefault(tx.to, AccountState()).balance += tx.value
            topics = (PING_TOPIC, b"\x00" * 12 + tx.sender) if tx.to == LOGGER else ()
            txs.append(tx)
            outcomes.append((1, gas_used, topics, tx.data if topics else b""))
        self.queue = []
        return self._seal(txs, outcomes, state, base_fee)

    def _seal(
        self,
        txs: list[TxRecord],
        outcomes: list[tuple[int, int, tuple[bytes, ...], bytes]],
        state: State,
        base_fee: int,
    ) -> BlockRecord:
        number = len(self.blocks)
        parent_hash = self.blocks[-1].hash if self.blocks else ZERO_HASH
        gas_used = sum(o[1] for o in outcomes)
        header = [number, parent_hash, GENESIS_TIME + number * BLOCK_TIME, base_fee, gas_used]
        header += [tx.hash for tx in txs] + [self._state_root(state)]
        header_rlp = rlp.encode(header)
        block_hash = keccak(header_rlp)
        placed = [
            dataclasses.replace(tx, block_number=number, block_hash=block_hash, transaction_index=i)
            for i, tx in enumerate(txs)
        ]
        receipts, cumulative, log_index = [], 0, 0
        for i, (tx, (status, used, topics, log_data)) in enumerate(
            zip(placed, outcomes, strict=True)
        ):
            cumulative += used
            logs = ()
            if topics:
                logs = (
                    LogRecord(LOGGER, topics, log_data, number, block_hash, tx.hash, i, log_index),
                )
                log_index += 1
            deposit = tx.type == 0x7E
            receipts.append(
                ReceiptRecord(
                    transaction_hash=tx.hash, transaction_index=i, block_number=number,
                    block_hash=block_hash, type=tx.type, sender=tx.sender, to=tx.to,
                    status=status, cumulative_gas_used=cumulative, gas_used=used,
                    effective_gas_price=0 if deposit else effective_gas_price(tx, base_fee),
                    contract_address=None, logs=logs, logs_bloom=b"\x00" * 256,
                    l1_fee=None if deposit else L1_FEE,
                    l1_gas_used=None if deposit else 1_600,
                    l1_gas_price=None if deposit else 7,
                    l1_fee_scalar=None if deposit else 1_000_000,
                    deposit_nonce=tx.nonce if deposit else None,
                    deposit_receipt_version=1 if deposit else None,
                )
            )  # fmt: skip
        block = BlockRecord(
            hash=block_hash, number=number, parent_hash=parent_hash,
            timestamp=GENESIS_TIME + number * BLOCK_TIME, coinbase=b"\x42" * 20,
            state_root=self._state_root(state), transactions_root=EMPTY_TRIE_ROOT,
            receipts_root=EMPTY_TRIE_ROOT, logs_bloom=b"\x00" * 256, gas_limit=GAS_LIMIT,
            gas_used=gas_used, base_fee_per_gas=base_fee, extra_data=b"", mix_hash=ZERO_HASH,
            nonce=b"\x00" * 8, difficulty=0, withdrawals_root=EMPTY_TRIE_ROOT, blob_gas_used=0,
            excess_blob_gas=0, parent_beacon_block_root=ZERO_HASH,
            uncles_hash=EMPTY_UNCLES_HASH, size=len(header_rlp) + sum(len(t.raw) for t in txs),
            header_rlp=header_rlp, transactions=tuple(placed),
        )  # fmt: skip
        self.blocks.append(block)
        self.states.append(state)
        self.receipts_by_block[block_hash] = tuple(receipts)
        for callback in list(self.callbacks):
            callback(block, tuple(receipts))
        return block

    # -- tries ------------------------------------------------------------------------------

    @staticmethod
    def _storage_trie(account: AccountState) -> HexaryTrie:
        storage = HexaryTrie({})
        for slot, value in account.storage.items():
            if value:
                storage[keccak(slot.to_bytes(32, "big"))] = rlp.encode(value)
        return storage

    def _account_trie(self, state: State) -> HexaryTrie:
        accounts = HexaryTrie({})
        for address, account in state.items():
            accounts[keccak(address)] = rlp.encode(
                [
                    account.nonce,
                    account.balance,
                    self._storage_trie(account).root_hash,
                    keccak(account.code),
                ]
            )
        return accounts

    def _state_root(self, state: State) -> bytes:
        return self._account_trie(state).root_hash

    # -- ChainBackend -----------------------------------------------------------------------

    def head_number(self) -> int:
        return len(self.blocks) - 1

    def safe_number(self) -> int:
        return self.safe

    def finalized_number(self) -> int:
        return self.finalized

    def block_by_number(self, number: int) -> BlockRecord | None:
        return self.blocks[number] if 0 <= number < len(self.blocks) else None

    def block_by_hash(self, block_hash: bytes) -> BlockRecord | None:
        return next((b for b in self.blocks if b.hash == block_hash), None)

    def transaction(self, tx_hash: bytes) -> TxRecord | None:
        for block in self.blocks:
            for tx in block.transactions:
                if tx.hash == tx_hash:
                    return tx
        return next((tx for tx in self.queue if tx.hash == tx_hash), None)

    def receipt(self, tx_hash: bytes) -> ReceiptRecord | None:
        for receipts in self.receipts_by_block.values():
            for receipt in receipts:
                if receipt.transaction_hash == tx_hash:
                    return receipt
        return None

    def block_receipts(self, block_hash: bytes) -> tuple[ReceiptRecord, ...]:
        return self.receipts_by_block.get(block_hash, ())

    def logs(
        self,
        from_block: int,
        to_block: int,
        addresses: Sequence[bytes],
        topics: Sequence[Sequence[bytes] | None],
    ) -> list[LogRecord]:
        found = []
        for block in self.blocks[from_block : to_block + 1]:
            for receipt in self.receipts_by_block[block.hash]:
                for log in receipt.logs:
                    if addresses and log.address not in addresses:
                        continue
                    if len(topics) > len(log.topics):
                        continue
                    if all(t is None or log.topics[i] in t for i, t in enumerate(topics)):
                        found.append(log)
        return found

    def _account(self, address: bytes, block_number: int) -> AccountState:
        return self.states[block_number].get(address, AccountState())

    def balance(self, address: bytes, block_number: int) -> int:
        return self._account(address, block_number).balance

    def nonce(self, address: bytes, block_number: int) -> int:
        return self._account(address, block_number).nonce

    def pending_nonce(self, address: bytes) -> int:
        queued = [tx.nonce + 1 for tx in self.queue if tx.sender == address]
        return max([self.nonce(address, self.head_number()), *queued])

    def code(self, address: bytes, block_number: int) -> bytes:
        return self._account(address, block_number).code

    def storage_at(self, address: bytes, slot: int, block_number: int) -> bytes:
        return self._account(address, block_number).storage.get(slot, 0).to_bytes(32, "big")

    def _run(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
    ) -> tuple[bytes, int]:
        state = {a: s.copy() for a, s in self.states[block_number].items()}
        for address, override in (overrides or {}).items():
            account = state.setdefault(address, AccountState())
            if override.balance is not None:
                account.balance = override.balance
            if override.nonce is not None:
                account.nonce = override.nonce
            if override.code is not None:
                account.code = override.code
        sender = request.sender or b"\x00" * 20
        data = request.data or b""
        gas = intrinsic_gas(data)
        if request.gas is not None and request.gas < gas:
            raise ExecutionReverted(f"intrinsic gas too low: have {request.gas}, want {gas}")
        if request.value and state.get(sender, AccountState()).balance < request.value:
            raise ExecutionReverted("insufficient funds for transfer")
        if request.to == ECHO:
            return data, gas
        if request.to == REVERTER:
            raise ExecutionReverted("execution reverted", error_data(data.decode()))
        if request.to == PANICKER:
            panic = bytes.fromhex("4e487b71") + (0x11).to_bytes(32, "big")
            raise ExecutionReverted("execution reverted", panic)
        if request.to == BALANCE_OF_CALLER:
            return state.get(sender, AccountState()).balance.to_bytes(32, "big"), gas + 2_600
        return b"", gas

    def call(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> bytes:
        return self._run(request, block_number, overrides)[0]

    def estimate_gas(
        self,
        request: CallRequest,
        block_number: int,
        overrides: Mapping[bytes, AccountOverride] | None,
        pending: bool = False,
    ) -> int:
        return self._run(request, block_number, overrides)[1]

    def get_proof(self, address: bytes, slots: Sequence[int], block_number: int) -> AccountProof:
        state = self.states[block_number]
        account = state.get(address, AccountState())
        accounts = self._account_trie(state)
        storage = self._storage_trie(account)
        return AccountProof(
            address=address,
            balance=account.balance,
            nonce=account.nonce,
            code_hash=keccak(account.code),
            storage_hash=storage.root_hash,
            account_proof=tuple(rlp.encode(n) for n in accounts.get_proof(keccak(address))),
            storage_proofs=tuple(
                StorageProof(
                    slot,
                    account.storage.get(slot, 0),
                    tuple(
                        rlp.encode(n) for n in storage.get_proof(keccak(slot.to_bytes(32, "big")))
                    ),
                )
                for slot in slots
            ),
        )

    def send_raw_transaction(self, raw: bytes) -> bytes:
        tx = decode_transaction(raw)
        if tx.chain_id != CHAIN_ID:
            raise TransactionRejected(
                RejectReason.WRONG_CHAIN_ID, f"have {tx.chain_id}, want {CHAIN_ID}"
            )
        if self.transaction(tx.hash) is not None:
            raise TransactionRejected(RejectReason.ALREADY_KNOWN)
        expected = self.pending_nonce(tx.sender)
        if tx.nonce < expected:
            raise TransactionRejected(
                RejectReason.NONCE_TOO_LOW,
                f"address 0x{tx.sender.hex()}, tx: {tx.nonce} state: {expected}",
            )
        if tx.nonce > expected:
            raise TransactionRejected(
                RejectReason.NONCE_GAP,
                f"address 0x{tx.sender.hex()}, tx: {tx.nonce} state: {expected}",
            )
        if tx.gas < intrinsic_gas(tx.data):
            raise TransactionRejected(
                RejectReason.INTRINSIC_GAS_TOO_LOW,
                f"gas {tx.gas}, minimum needed {intrinsic_gas(tx.data)}",
            )
        cost = tx.gas * (tx.max_fee_per_gas or tx.gas_price or 0) + tx.value + L1_FEE
        have = self.balance(tx.sender, self.head_number())
        if have < cost:
            raise TransactionRejected(
                RejectReason.INSUFFICIENT_FUNDS,
                f"address 0x{tx.sender.hex()} have {have} want {cost}",
            )
        self.queue.append(tx)
        return tx.hash

    def suggested_priority_fee(self) -> int:
        return PRIORITY_FEE

    def subscribe_blocks(
        self, callback: Callable[[BlockRecord, tuple[ReceiptRecord, ...]], None]
    ) -> Callable[[], None]:
        self.callbacks.append(callback)
        return lambda: self.callbacks.remove(callback)


def sign(account, **fields) -> bytes:  # noqa: ANN001 - eth_account's LocalAccount
    """A signed raw transaction from ``account`` with defaults for this chain."""
    tx = {
        "chainId": CHAIN_ID,
        "gas": 21_000,
        "to": BOB.address,
        "value": 1,
        "data": b"",
    }
    if "gasPrice" not in fields:
        tx |= {"maxFeePerGas": 10 * GENESIS_BASE_FEE, "maxPriorityFeePerGas": PRIORITY_FEE}
    tx |= fields
    tx["to"] = to_checksum_address(tx["to"])
    return bytes(account.sign_transaction(tx).raw_transaction)


def populated_chain() -> FakeChain:
    """Genesis plus block 1 (a deposit, a 1559 transfer to LOGGER, a legacy transfer)."""
    chain = FakeChain()
    chain.add_deposit(ALICE_ADDRESS, 5 * 10**18)
    chain.send_raw_transaction(
        sign(ALICE, nonce=0, to="0x" + LOGGER.hex(), data=b"\x01\x02", gas=30_000)
    )
    chain.send_raw_transaction(sign(BOB, nonce=0, gasPrice=2 * GENESIS_BASE_FEE))
    chain.mine()
    return chain
