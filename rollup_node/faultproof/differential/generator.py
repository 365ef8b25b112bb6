"""Random L2 blocks from a seed: specs that shrink, materialized into a queue and a batch.

``generate(seed)`` draws a ``BlockSpec``: deposits (minting, failing, creating, calling the
block's contracts) and sequenced transactions of every type the rollup accepts (legacy with
EIP-155, EIP-2930 access lists, EIP-1559; SPEC §3) — contract creations from random bytecode
(``bytecode``), calls into them, precompile calls with inputs at their edges, withdrawals,
blocks that fill the gas limit, a transaction that brings the batch to just under
``max_batch_bytes`` (SPEC §5) — and transactions that must be dropped: a wrong nonce, chain id
or fee, too little gas, more gas than the block, more value than the balance, a blob (type 3)
or deposit-typed (``0x7E``, dropped by derivation, SPEC §6) transaction, and undecodable bytes.

Specs name accounts by signer index and contracts by symbolic id, so ``materialize`` can sign
any subset of them consistently (nonces in order, contract addresses from those nonces): the
shrinker drops specs and snippets and materializes again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from functools import cache

import rlp
from eth_account import Account
from eth_hash.auto import keccak
from eth_keys import keys

from rollup_node.chain.genesis import devnet_accounts
from rollup_node.config import RollupConfig
from rollup_node.faultproof.differential.bytecode import (
    PRECOMPILES,
    Program,
    Ref,
    Snippet,
    init_code,
    push,
    random_program,
)
from rollup_node.faultproof.differential.world import QueueElement
from rollup_node.protocol.addresses import create_address
from rollup_node.protocol.predeploys import L2_TO_L1_MESSAGE_PASSER

GAS_PRICE = 2 * 10**9
INVALID_KINDS = ["nonce_gap", "nonce_reuse", "chain_id", "intrinsic", "over_block_gas",
                 "fee_below_base", "priority_above_max", "balance", "blob", "deposit_type",
                 "garbage"]  # fmt: skip


@cache
def signers() -> tuple[tuple[bytes, str], ...]:
    return tuple((address, key) for address, key in devnet_accounts())


@dataclass(frozen=True)
class TxSpec:
    """One sequenced transaction before signing.

    ``to`` is an address, a contract ``Ref`` or None (creation of ``program``, whose contract
    gets id ``creates``); ``invalid`` names the rule it breaks (None: valid when sent).
    """

    sender: int
    tx_type: int
    to: bytes | Ref | None
    data: bytes = b""
    value: int = 0
    gas: int = 300_000
    program: Program | None = None
    creates: int = -1
    invalid: str | None = None
    access: tuple[tuple[bytes | Ref, tuple[int, ...]], ...] = ()
    tip: int = 10**6


@dataclass(frozen=True)
class DepositSpec:
    """One queue element before materializing: ``sender`` is a signer index or a fresh address;
    a creation deploys ``program`` as contract id ``creates``."""

    sender: int | bytes
    to: bytes | Ref | None
    mint: int
    gas: int
    data: bytes = b""
    program: Program | None = None
    creates: int = -1
    l1_block: int = 1


@dataclass(frozen=True)
class BlockSpec:
    """A generated block: its deposits, its sequenced transactions and the batch size it aims
    at (None: no filler transaction)."""

    seed: int
    deposits: tuple[DepositSpec, ...]
    txs: tuple[TxSpec, ...]
    batch_target: int | None = None


@dataclass
class Materialized:
    """What the L1 holds for a block: the queue elements and the signed transactions."""

    queue: list[QueueElement]
    txs: list[bytes]
    invalid: int = 0  # transactions made to be dropped
    addresses: dict[int, bytes] = field(default_factory=dict)


def batch_data(origin: int, deposits: int, txs: list[bytes]) -> bytes:
    """A one-block CTC batch (SPEC §5): ``0x00 ‖ rlp([[origin, numDeposits, txs]])``."""
    return b"\x00" + rlp.encode([[origin, deposits, txs]])


# --- precompile inputs at their edges -------------------------------------------------------
_G1 = (1, 2)
_P = 21888242871839275222246405745257275088696311778017697931768080543424089234727
_N = 21888242871839275222246405745257275088548364400416034343698204186575808495617
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _u(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _ecrecover_input(rng: random.Random) -> bytes:
    message = rng.randbytes(32)
    _, key = rng.choice(signers())
    signed = keys.PrivateKey(bytes.fromhex(key.removeprefix("0x"))).sign_msg_hash(message)
    v = 27 + signed.v
    r, s = signed.r, signed.s
    edge = rng.choice(["valid", "v", "r0", "s_high", "short", "long"])
    if edge == "v":
        v = rng.choice([0, 1, 26, 29, 2**255])
    elif edge == "r0":
        r = 0
    elif edge == "s_high":
        s = _SECP256K1_N - s  # still recovers (the precompile takes high s), to another key
    data = message + _u(v) + _u(r) + _u(s)
    if edge == "short":
        return data[: rng.randint(0, 127)]
    if edge == "long":
        return data + rng.randbytes(rng.randint(1, 40))
    return data


def _modexp_input(rng: random.Random) -> bytes:
    edge = rng.choice(["small", "zero_mod", "long_exp", "huge_exp_len", "truncated", "empty"])
    if edge == "empty":
        return b""
    b, e, m = rng.randint(0, 40), rng.randint(0, 40), rng.randint(1, 40)
    if edge == "long_exp":
        e = rng.choice([32, 33, 64])
    if edge == "huge_exp_len":  # gas grows with the exponent's length: out of gas, not memory
        e = rng.choice([2**32, 2**64 - 1, 2**255])
        return _u(1) + _u(e) + _u(1) + b"\x03\xff\x05"
    base, exponent, modulus = rng.randbytes(b), rng.randbytes(e), rng.randbytes(m)
    if edge == "zero_mod":
        modulus = b"\0" * m
    data = _u(b) + _u(e) + _u(m) + base + exponent + modulus
    if edge == "truncated":
        return data[: rng.randint(96, len(data))]
    return data


def _bn_add_input(rng: random.Random) -> bytes:
    points = [_u(0) * 2, _u(1) + _u(2), _u(1) + _u(_P - 2), _u(1) + _u(3), _u(_P) + _u(0)]
    data = rng.choice(points) + rng.choice(points)  # the last two are not on the curve
    return data[: rng.choice([128, 128, 64, 0, 150])]


def _bn_mul_input(rng: random.Random) -> bytes:
    point = rng.choice([_u(0) * 2, _u(1) + _u(2), _u(1) + _u(3)])
    scalar = rng.choice([0, 1, 2, _N - 1, _N, 2**256 - 1, rng.getrandbits(256)])
    return (point + _u(scalar))[: rng.choice([96, 96, 64, 128])]


# G2 generator (x = x1·i + x0, y = y1·i + y0), as the precompile orders it: x1, x0, y1, y0
_G2 = [
    0x198E9393920D483A7260BFB731FB5D25F1AA493335A9E71297E485B7AEF312C2,
    0x1800DEEF121F1E76426A00665E5C4479674322D4F75EDADD46DEBD5CD992F6ED,
    0x090689D0585FF075EC9E99AD690C3395BC4B313370B38EF355ACDADCD122975B,
    0x12C85EA5DB8C6DEB4AAB71808DCB408FE3D1E7690C43D37B4CE6CC0166FA7DAA,
]


def _pairing_input(rng: random.Random) -> bytes:
    g2 = b"".join(_u(c) for c in _G2)
    g1, minus_g1 = _u(1) + _u(2), _u(1) + _u(_P - 2)
    edge = rng.choice(["empty", "zeros", "cancel", "single", "bad_length", "off_curve"])
    if edge == "empty":
        return b""
    if edge == "zeros":
        return b"\0" * 192
    if edge == "cancel":  # e(G1, G2)·e(−G1, G2) = 1: true
        return g1 + g2 + minus_g1 + g2
    if edge == "single":  # e(G1, G2) ≠ 1: false
        return g1 + g2
    if edge == "bad_length":
        return (g1 + g2)[: rng.choice([191, 100])]
    return _u(1) + _u(3) + g2


def _blake2f_input(rng: random.Random) -> bytes:
    rounds = rng.choice([0, 1, 12, 100])
    data = rounds.to_bytes(4, "big") + rng.randbytes(208) + bytes([rng.choice([0, 1, 1, 2])])
    return data[: rng.choice([213, 213, 213, 212])] + (b"\0" if rng.random() < 0.1 else b"")


def precompile_input(rng: random.Random, address: int) -> bytes:
    """An input for precompile ``address`` at or near an edge of its rules (Cancun)."""
    if address == 1:
        return _ecrecover_input(rng)
    if address == 5:
        return _modexp_input(rng)
    if address == 6:
        return _bn_add_input(rng)
    if address == 7:
        return _bn_mul_input(rng)
    if address == 8:
        return _pairing_input(rng)
    if address == 9:
        return _blake2f_input(rng)
    if address == 10:  # point evaluation: lengths other than 192 and wrong commitments fail
        return rng.randbytes(rng.choice([0, 191, 192, 193]))
    return rng.randbytes(rng.choice([0, 1, 31, 32, 33, 55, 56, 64, 200]))


def relay_program(address: int) -> Program:
    """A contract that STATICCALLs precompile ``address`` with its calldata and stores the
    success flag and the first output word: the precompile at depth 1, its result in state."""
    code = b"\x36\x5f\x5f\x37"  # CALLDATACOPY(0, 0, CALLDATASIZE)
    code += push(64) + push(0) + b"\x36" + push(0) + push(address) + b"\x5a\xfa"  # STATICCALL
    code += push(0) + b"\x55" + push(0) + b"\x51" + push(1) + b"\x55"  # SSTORE(0, ok), (1, out)
    return Program((Snippet("relay", code, label=address),))


def withdrawal_calldata(target: bytes) -> bytes:
    """Calldata of ``initiateWithdrawal(target, 100_000, "")`` on the message passer."""
    selector = keccak(b"initiateWithdrawal(address,uint256,bytes)")[:4]
    return selector + target.rjust(32, b"\0") + _u(100_000) + _u(96) + _u(0)


# --- drawing a block ------------------------------------------------------------------------
class _Draw:
    def __init__(self, seed: int, config: RollupConfig, origin: int) -> None:
        self.rng = random.Random(seed)
        self.config = config
        self.origin = origin
        self.contracts: list[int] = []  # ids of contracts the block creates, in order
        self.next_id = 0

    def targets(self) -> list[Ref]:
        return [("contract", k) for k in self.contracts]

    def new_contract(self) -> int:
        self.next_id += 1
        self.contracts.append(self.next_id)
        return self.next_id

    def program(self) -> Program:
        return random_program(self.rng, self.targets(), self.rng.randint(1, 24))

    def tx_type(self) -> int:
        return self.rng.choice([0, 1, 2, 2])

    def access(self) -> tuple[tuple[bytes | Ref, tuple[int, ...]], ...]:
        rng = self.rng
        entries: list[tuple[bytes | Ref, tuple[int, ...]]] = []
        for _ in range(rng.randint(0, 2)):
            address: bytes | Ref = (
                ("contract", rng.choice(self.contracts))
                if self.contracts and rng.random() < 0.6
                else rng.choice([rng.randbytes(20), (rng.randint(1, 10)).to_bytes(20, "big")])
            )
            entries.append((address, tuple(rng.randint(0, 4) for _ in range(rng.randint(0, 3)))))
        return tuple(entries)

    def deposit(self) -> DepositSpec:
        rng = self.rng
        sender: int | bytes = (
            rng.randrange(len(signers())) if rng.random() < 0.2 else rng.randbytes(20)
        )
        mint = rng.choice([0, 0, 10**15, 10**18])
        gas = rng.choice([21_000, 30_000, 100_000, 300_000, 1_000_000])
        l1_block = rng.randint(1, self.origin)
        if rng.random() < 0.03:  # enqueued after the block's origin: the block falls back
            l1_block = self.origin + 1
        kind = rng.random()
        if kind < 0.3:
            program = self.program()
            return DepositSpec(sender, None, mint, gas, b"", program, self.new_contract(), l1_block)
        if kind < 0.6 and self.contracts:
            to: bytes | Ref = ("contract", rng.choice(self.contracts))
            return DepositSpec(
                sender, to, mint, gas, rng.randbytes(rng.randint(0, 64)), l1_block=l1_block
            )
        if kind < 0.75:
            return DepositSpec(
                sender,
                L2_TO_L1_MESSAGE_PASSER,
                mint,
                gas,
                withdrawal_calldata(rng.randbytes(20)),
                l1_block=l1_block,
            )
        address = rng.choice(PRECOMPILES)
        to = rng.choice([rng.randbytes(20), address.to_bytes(20, "big")])
        data = precompile_input(rng, address) if to[:19] == b"\0" * 19 else rng.randbytes(8)
        return DepositSpec(sender, to, mint, gas, data, l1_block=l1_block)

    def tx(self) -> TxSpec:
        rng = self.rng
        who = rng.randrange(len(signers()))
        kind = rng.choices(
            ["create", "call", "transfer", "precompile", "relay", "withdraw", "invalid"],
            weights=[14, 22, 5, 8, 5, 3, 7],
        )[0]
        base = TxSpec(who, self.tx_type(), None, access=(), tip=rng.choice([0, 10**6, 10**9]))
        gas = rng.choice([60_000, 150_000, 400_000, 1_000_000])
        if kind == "create" or (kind == "call" and not self.contracts):
            return replace(
                base,
                program=self.program(),
                creates=self.new_contract(),
                value=rng.choice([0, 0, 10**9]),
                gas=gas,
                access=self.access(),
            )
        if kind == "call":
            to: Ref = ("contract", rng.choice(self.contracts))
            return replace(
                base,
                to=to,
                data=rng.randbytes(rng.choice([0, 4, 32, 68])),
                value=rng.choice([0, 0, 1, 10**12]),
                gas=gas,
                access=self.access(),
            )
        if kind == "transfer":
            to_addr = rng.choice([rng.randbytes(20), signers()[rng.randrange(10)][0]])
            return replace(base, to=to_addr, value=rng.randint(0, 10**18), gas=21_000)
        if kind in ("precompile", "relay"):
            address = rng.choice(PRECOMPILES)
            data = precompile_input(rng, address)
            gas = rng.choice([25_000, 100_000, 400_000])
            if kind == "precompile":
                return replace(base, to=address.to_bytes(20, "big"), data=data, gas=gas)
            relay = self.new_contract()
            return replace(base, program=relay_program(address), creates=relay, gas=200_000)
        if kind == "withdraw":
            return replace(
                base,
                to=L2_TO_L1_MESSAGE_PASSER,
                value=rng.choice([0, 10**15]),
                data=withdrawal_calldata(rng.randbytes(20)),
                gas=200_000,
            )
        return replace(
            base, to=rng.randbytes(20), value=1, gas=21_000, invalid=rng.choice(INVALID_KINDS)
        )

    def relay_calls(self, txs: list[TxSpec]) -> list[TxSpec]:
        """After a relay is created, a call to it with an edge input for its precompile."""
        out = []
        for spec in txs:
            out.append(spec)
            if spec.program is not None and spec.program.snippets[0].kind == "relay":
                address = spec.program.snippets[0].label  # the relay's precompile
                data = precompile_input(self.rng, address)
                out.append(
                    TxSpec(
                        spec.sender,
                        self.tx_type(),
                        ("contract", spec.creates),
                        data,
                        gas=self.rng.choice([30_000, 300_000]),
                    )
                )
        return out

    def gas_fillers(self) -> list[TxSpec]:
        """Calls that burn all their gas cheaply (a bn254 add of points off the curve), so the
        block ends near its gas limit, and one last transaction at the boundary."""
        rng = self.rng
        limit = self.config.l2_gas_limit
        count = rng.randint(2, 4)
        each = (limit - rng.randint(0, 2_000_000)) // count
        off_curve = _u(1) + _u(3) + _u(1) + _u(3)
        specs = [
            TxSpec(rng.randrange(10), 2, (6).to_bytes(20, "big"), off_curve, gas=each)
            for _ in range(count)
        ]
        last_gas = limit - count * each + rng.randint(-100_000, 100_000)
        specs.append(
            TxSpec(rng.randrange(10), 2, rng.randbytes(20), value=1, gas=max(21_000, last_gas))
        )
        return specs


def generate(seed: int, config: RollupConfig, origin: int) -> BlockSpec:
    """The block of ``seed`` for a batch naming L1 block ``origin`` (deposits enqueued at or
    before it, except rarely one after it, which makes the block a fallback, SPEC §6 rule 2)."""
    draw = _Draw(seed, config, origin)
    rng = draw.rng
    deposits = [draw.deposit() for _ in range(rng.choice([0, 0, 1, 2, 3, 5]))]
    deposits.sort(key=lambda d: d.l1_block)  # the queue is in L1 order
    txs = draw.relay_calls([draw.tx() for _ in range(rng.randint(1, 16))])
    if rng.random() < 0.08:
        txs += draw.gas_fillers()
    target = None
    if rng.random() < 0.06:
        target = config.max_batch_bytes - rng.randint(0, 64)
    return BlockSpec(seed, tuple(deposits), tuple(txs), target)


# --- materializing --------------------------------------------------------------------------
def _placeholder(contract_id: int) -> bytes:
    """Where a reference to a dropped contract points: an address nobody deployed."""
    return keccak(b"dropped" + contract_id.to_bytes(4, "big"))[:20]


def _sign(spec: TxSpec, nonce: int, chain_id: int, resolve) -> bytes:
    _, key = signers()[spec.sender]
    to = spec.to if isinstance(spec.to, bytes) or spec.to is None else resolve(spec.to)
    data = spec.data
    if spec.program is not None:
        data = init_code(spec.program.assemble(resolve))
    tx: dict = {"chainId": chain_id, "nonce": nonce, "value": spec.value, "data": data,
                "gas": spec.gas}  # fmt: skip
    if to is not None:
        tx["to"] = to
    if spec.tx_type == 2:
        tx.update(type=2, maxFeePerGas=GAS_PRICE, maxPriorityFeePerGas=min(spec.tip, GAS_PRICE))
    else:
        tx["gasPrice"] = GAS_PRICE
    if spec.tx_type in (1, 2):
        tx["type"] = spec.tx_type
        tx["accessList"] = [
            {
                "address": "0x" + (a if isinstance(a, bytes) else resolve(a)).hex(),
                "storageKeys": ["0x" + _u(slot).hex() for slot in slots],
            }
            for a, slots in spec.access
        ]
    invalid = spec.invalid
    if invalid == "chain_id":
        tx["chainId"] = chain_id + 1
    elif invalid == "intrinsic":
        tx["gas"] = 20_999
    elif invalid == "over_block_gas":
        tx["gas"] = 30_000_001
    elif invalid == "fee_below_base":
        if spec.tx_type == 2:
            tx.update(maxFeePerGas=1, maxPriorityFeePerGas=1)
        else:
            tx["gasPrice"] = 1
    elif invalid == "priority_above_max":
        tx.pop("gasPrice", None)
        tx.pop("accessList", None)
        tx.update(type=2, maxFeePerGas=GAS_PRICE, maxPriorityFeePerGas=GAS_PRICE + 1)
    elif invalid == "balance":
        tx["value"] = 10**30
    raw = bytes(Account.sign_transaction(tx, key).raw_transaction)
    if invalid == "blob":  # a type-3 envelope: the rollup takes no blob transactions
        return b"\x03" + raw[1:] if raw[0] in (1, 2) else b"\x03" + raw
    if invalid == "deposit_type":  # a sequenced 0x7E: derivation drops it (SPEC §6)
        return b"\x7e" + raw[1:] if raw[0] in (1, 2) else b"\x7e" + raw
    if invalid == "garbage":
        return raw[: len(raw) // 2]
    return raw


def _filler(spec: BlockSpec, queue_len: int, txs: list[bytes], nonces: list[int],
            chain_id: int, origin: int) -> list[bytes]:  # fmt: skip
    """Add a transaction whose calldata brings the batch to ``spec.batch_target`` bytes."""
    assert spec.batch_target is not None
    rng = random.Random(spec.seed ^ 0xF111)
    who = rng.randrange(len(signers()))
    payload = rng.randbytes(spec.batch_target)
    size = spec.batch_target - len(batch_data(origin, queue_len, txs)) - 150
    filler = b""
    for _ in range(4):  # the encoding's length prefixes grow with the data: converge on it
        if size <= 0:
            return txs
        data = payload[:size]
        gas = 21_000 + 16 * len(data) + 10_000
        filler = _sign(TxSpec(who, 2, b"\x0f" * 20, data, gas=gas), nonces[who], chain_id, None)
        over = len(batch_data(origin, queue_len, [*txs, filler])) - spec.batch_target
        if over == 0:
            break
        size -= over
    nonces[who] += 1
    return [*txs, filler]


def materialize(spec: BlockSpec, config: RollupConfig, origin: int) -> Materialized:
    """Sign the block's transactions and encode its deposits: nonces follow the order the
    block applies them in (deposits first), contract ids resolve to the addresses their
    creators' nonces give (a dropped creator's id to an address nobody deployed)."""
    accounts = signers()
    nonces = [0] * len(accounts)
    fresh: dict[bytes, int] = {}
    addresses: dict[int, bytes] = {}

    def sender_nonce(sender: int | bytes) -> tuple[bytes, int]:
        if isinstance(sender, int):
            nonces[sender] += 1
            return accounts[sender][0], nonces[sender] - 1
        fresh[sender] = fresh.get(sender, 0) + 1
        return sender, fresh[sender] - 1

    # Pass 1: every contract's address (deposits run first, then the sequenced transactions).
    for deposit in spec.deposits:
        address, nonce = sender_nonce(deposit.sender)
        if deposit.creates >= 0:
            addresses[deposit.creates] = create_address(address, nonce)
    for tx in spec.txs:
        if tx.invalid is None:
            address, nonce = sender_nonce(tx.sender)
            if tx.creates >= 0:
                addresses[tx.creates] = create_address(address, nonce)

    def resolve(ref: Ref) -> bytes:
        return addresses.get(ref[1], _placeholder(ref[1]))

    # Pass 2: encode and sign with the same nonces.
    nonces = [0] * len(accounts)
    fresh.clear()
    queue = []
    for deposit in spec.deposits:
        address, _ = sender_nonce(deposit.sender)
        to = deposit.to
        resolved = b"\0" * 20 if to is None else to if isinstance(to, bytes) else resolve(to)
        data = deposit.data
        if deposit.program is not None:
            data = init_code(deposit.program.assemble(resolve))
        queue.append(
            QueueElement(
                address, resolved, deposit.mint, deposit.gas, to is None, data, deposit.l1_block
            )
        )
    txs = []
    invalid = 0
    for tx in spec.txs:
        if tx.invalid is None:
            txs.append(_sign(tx, nonces[tx.sender], config.l2_chain_id, resolve))
            nonces[tx.sender] += 1
        else:
            invalid += 1
            nonce = nonces[tx.sender]
            if tx.invalid == "nonce_gap":
                nonce += 5
            elif tx.invalid == "nonce_reuse":
                nonce = nonce - 1 if nonce else nonce + 3
            txs.append(_sign(tx, nonce, config.l2_chain_id, resolve))
    if spec.batch_target is not None:
        txs = _filler(spec, len(queue), txs, nonces, config.l2_chain_id, origin)
    return Materialized(queue, txs, invalid, addresses)
