"""The log index: which canonical blocks hold logs of an address or with a topic.

``eth_getLogs`` (SPEC §8, the ``eth_`` namespace served as geth does) must not cost in
proportion to the chain's length. The store writes, in the same LMDB write transaction as
each block (``ChainStore.commit_block``), one empty-valued entry per distinct key of the block:

``La‖address‖number``  the block has a log emitted by ``address``;
``Lt‖topic‖number``    the block has a log with ``topic`` at some position;
``Lb‖number``          the block has at least one log (for queries with no address or topic).

Numbers are 8-byte big-endian, so the entries of one key are in block order and a block range
is one cursor walk. A rewind deletes the dropped blocks' entries in its own transaction, so
the index only ever names canonical blocks. A query intersects the block sets of its
constraints (the union over an address list; per topic position, the union over its OR-list)
and the caller then reads only those blocks' receipts and applies the one matching rule,
``queries.log_matches``. A topic entry does not record its position, so a candidate block may
hold no match; the matcher settles it (a superset, never a miss).

Stores written before the index existed are indexed once when opened (``build``); the meta key
``Mlogindex`` records that the index is complete.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence

import lmdb
import rlp
from eth_hash.auto import keccak

from rollup_node.chain.records import LogRecord, ReceiptRecord

ADDRESS_PREFIX = b"La"
TOPIC_PREFIX = b"Lt"
BLOCK_PREFIX = b"Lb"
#: Meta key (under the store's ``M`` prefix) whose presence says every canonical block is indexed.
COMPLETE_META = b"Mlogindex"
COMPLETE_VALUE = b"1"


def _num(n: int) -> bytes:
    return n.to_bytes(8, "big")


def block_keys(number: int, receipts: Iterable[ReceiptRecord]) -> set[bytes]:
    """The index entries of block ``number`` with these receipts (empty when it has no logs)."""
    keys: set[bytes] = set()
    suffix = _num(number)
    for receipt in receipts:
        for log in receipt.logs:
            keys.add(ADDRESS_PREFIX + log.address + suffix)
            for topic in log.topics:
                keys.add(TOPIC_PREFIX + topic + suffix)
    if keys:
        keys.add(BLOCK_PREFIX + suffix)
    return keys


def put_block(
    txn: lmdb.Transaction, dbi: lmdb._Database, number: int, receipts: Iterable[ReceiptRecord]
) -> None:
    """Write block ``number``'s entries inside the caller's write transaction."""
    for key in block_keys(number, receipts):
        txn.put(key, b"", db=dbi)


def delete_block(
    txn: lmdb.Transaction, dbi: lmdb._Database, number: int, receipts: Iterable[ReceiptRecord]
) -> None:
    """Remove block ``number``'s entries inside the caller's write transaction."""
    for key in block_keys(number, receipts):
        txn.delete(key, db=dbi)


def _numbers_under(
    cursor: lmdb.Cursor, prefix: bytes, from_block: int, to_block: int
) -> Iterator[int]:
    """Block numbers of the entries ``prefix‖number`` with ``from_block <= number <= to_block``."""
    if not cursor.set_range(prefix + _num(from_block)):
        return
    last = prefix + _num(to_block)
    for key in cursor.iternext(keys=True, values=False):
        if key > last or not key.startswith(prefix):
            return
        yield int.from_bytes(key[len(prefix) :], "big")


def candidate_blocks(
    txn: lmdb.Transaction,
    dbi: lmdb._Database,
    from_block: int,
    to_block: int,
    addresses: Collection[bytes],
    topics: Sequence[Collection[bytes] | None],
) -> list[int]:
    """Ascending numbers of the blocks in ``from_block..to_block`` that may hold a matching log.

    Every block holding a match is listed; a listed block may hold none (topic positions are
    not indexed). The cost is the number of index entries of the query's keys in the range.
    """
    if from_block > to_block:
        return []
    cursor = txn.cursor(db=dbi)
    # Each constraint is a union of per-key block lists; the answer is their intersection.
    constraints: list[Sequence[bytes]] = []
    if addresses:
        constraints.append([ADDRESS_PREFIX + a for a in addresses])
    for wanted in topics:
        if wanted is not None:
            constraints.append([TOPIC_PREFIX + t for t in wanted])
    if not constraints:
        return list(_numbers_under(cursor, BLOCK_PREFIX, from_block, to_block))
    result: set[int] | None = None
    # An empty OR-list yields an empty set, as ``log_matches`` admits no log for it; an empty
    # intersection ends the query early.
    for prefixes in constraints:
        found: set[int] = set()
        for prefix in prefixes:
            found.update(_numbers_under(cursor, prefix, from_block, to_block))
        result = found if result is None else result & found
        if not result:
            return []
    assert result is not None
    return sorted(result)


def decode_block_logs(
    number: int, block_hash: bytes, body: bytes, receipts: bytes
) -> list[LogRecord]:
    """The logs of a stored block from its raw body and receipts (the store's encodings).

    A query touches many blocks once each, so it reads only what a log needs — transaction
    hashes (``keccak`` of the stored raw transaction, as the transaction records have it)
    and the receipts' log lists — instead of decoding whole block and receipt records.
    """
    raw_txs = rlp.decode(body)[1]
    out: list[LogRecord] = []
    log_index = 0
    for tx_index, item in enumerate(rlp.decode(receipts)):
        tx_hash = keccak(raw_txs[tx_index][0])
        for address, topics, data in item[6]:
            out.append(
                LogRecord(
                    address, tuple(topics), data, number, block_hash, tx_hash, tx_index, log_index
                )
            )
            log_index += 1
    return out


def is_complete(txn: lmdb.Transaction, dbi: lmdb._Database) -> bool:
    """Whether every canonical block of this store is indexed."""
    return txn.get(COMPLETE_META, db=dbi) == COMPLETE_VALUE
