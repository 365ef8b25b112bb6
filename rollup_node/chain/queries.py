"""The chain's query values: call requests, state overrides, account/storage proofs, and the
log filter rule.

They belong to the chain (which answers the queries) so that the layers above it — the RPC
layer parsing JSON into them (``rpc/params``), output roots reading a storage root from an
``AccountProof`` — import them downward. Fields are raw: addresses and hashes are ``bytes``,
quantities ``int``; ``None`` means "not given".
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from rollup_node.chain.records import LogRecord


@dataclass(frozen=True, slots=True)
class CallRequest:
    """The transaction-like object of ``eth_call`` and ``eth_estimateGas``.

    Every field is optional; the chain fills defaults as geth does (sender zero address, gas up
    to the block gas limit, fees zero for calls). ``gas_price`` and the two dynamic fee fields
    are never both set (the parser refuses it).
    """

    sender: bytes | None = None
    to: bytes | None = None
    gas: int | None = None
    gas_price: int | None = None
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    value: int | None = None
    data: bytes | None = None
    access_list: tuple[tuple[bytes, tuple[int, ...]], ...] | None = None


@dataclass(frozen=True, slots=True)
class AccountOverride:
    """A state override for one account during a call (geth's ``StateOverride`` entry).

    ``state`` replaces the whole storage of the account; ``state_diff`` changes only the slots
    it names. The parser refuses both at once.
    """

    balance: int | None = None
    nonce: int | None = None
    code: bytes | None = None
    state: dict[int, int] | None = field(default=None, hash=False)
    state_diff: dict[int, int] | None = field(default=None, hash=False)


@dataclass(frozen=True, slots=True)
class StorageProof:
    """The Merkle proof of one storage slot: ``proof`` is the list of RLP trie nodes."""

    key: int
    value: int
    proof: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class AccountProof:
    """The answer of ``eth_getProof``: an account, its trie proof and proofs of some slots."""

    address: bytes
    balance: int
    nonce: int
    code_hash: bytes
    storage_hash: bytes
    account_proof: tuple[bytes, ...]
    storage_proofs: tuple[StorageProof, ...]


def log_matches(
    log: LogRecord,
    addresses: Collection[bytes],
    topics: Sequence[Collection[bytes] | None],
) -> bool:
    """geth's log filter rule: any of ``addresses`` (none = all) and, per position, any listed
    topic (``None`` = any). The one home of the rule: ``eth_getLogs`` (``Chain.logs``), poll
    filters and ``logs`` subscriptions all use it."""
    if addresses and log.address not in addresses:
        return False
    if len(topics) > len(log.topics):
        return False
    return all(wanted is None or log.topics[i] in wanted for i, wanted in enumerate(topics))
