"""Genesis blocks of the L2 chain and of the embedded L1 (SPEC §3.5–§3.6), and the L2 chain
opened on its genesis (``open_l2_chain``) with its output root (``genesis_output``, SCC element 0).

The L2 alloc holds the predeploys (runtime code from the compiled artifacts, storage written
directly — no constructor runs), the keyless CREATE2 deployer and the devnet balances. Genesis
is built by the same ``BlockBuilder`` as every other block, with no transactions.
"""

from __future__ import annotations

import tempfile
from functools import cache

from eth.constants import BLANK_ROOT_HASH
from eth_account import Account

from rollup_node.chain.builder import (
    BlockBuilder,
    BlockEnv,
    ChainRules,
    GenesisAccount,
    SealedBlock,
)
from rollup_node.chain.chain import Chain
from rollup_node.chain.outputs import output_at
from rollup_node.chain.statedb import StagedStateDB
from rollup_node.chain.store import ChainStore
from rollup_node.config import DEVNET_MNEMONIC, ConfigError, RollupConfig
from rollup_node.contracts import load_artifact
from rollup_node.protocol import predeploys as p
from rollup_node.protocol.output_root import OutputRootPreimage

GENESIS_BASE_FEE = 1_000_000_000
DEVNET_BALANCE_WEI = 10_000 * 10**18
L1_GAS_LIMIT = 30_000_000

#: Runtime code of the keyless CREATE2 deployer (the deterministic-deployment proxy) that
#: lives at ``CREATE2_DEPLOYER`` on most EVM chains.
CREATE2_DEPLOYER_CODE = bytes.fromhex(
    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035"
    "828234f58015156039578182fd5b8082525050506014600cf3"
)


@cache
def devnet_accounts(count: int = 10) -> tuple[tuple[bytes, str], ...]:
    """(address, private key hex) of the standard test mnemonic's first ``count`` accounts."""
    Account.enable_unaudited_hdwallet_features()
    out = []
    for i in range(count):
        acct = Account.from_mnemonic(DEVNET_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}")
        out.append((bytes.fromhex(acct.address[2:]), acct.key.hex()))
    return tuple(out)


def _code(name: str) -> bytes:
    return load_artifact(name).deployed_bytecode


def l2_genesis_alloc(config: RollupConfig, fee_recipient: bytes) -> dict[bytes, GenesisAccount]:
    """The L2 genesis alloc for ``config``; fee vaults pay out to ``fee_recipient`` on L1."""
    anchor = config.genesis_l1
    l1 = config.l1_addresses
    vault_storage = {0: int.from_bytes(fee_recipient, "big")}
    alloc = {
        p.L1_BLOCK: GenesisAccount(
            code=_code("L1Block"),
            storage={
                p.L1_BLOCK_NUMBER_SLOT: anchor.number,
                p.L1_BLOCK_TIMESTAMP_SLOT: anchor.timestamp,
                p.L1_BLOCK_BASEFEE_SLOT: anchor.base_fee,
                p.L1_BLOCK_HASH_SLOT: int(anchor.hash, 16),
                p.L1_BLOCK_SEQUENCE_SLOT: 0,
            },
        ),
        p.GAS_PRICE_ORACLE: GenesisAccount(
            code=_code("GasPriceOracle"),
            storage={
                p.GAS_PRICE_ORACLE_OVERHEAD_SLOT: config.l1_fee_overhead,
                p.GAS_PRICE_ORACLE_SCALAR_SLOT: config.l1_fee_scalar,
            },
        ),
        p.L2_TO_L1_MESSAGE_PASSER: GenesisAccount(code=_code("L2ToL1MessagePasser")),
        # The bridge pair names its L1 half in storage: with no constructor, genesis writes it.
        p.L2_CROSS_DOMAIN_MESSENGER: GenesisAccount(
            code=_code("L2CrossDomainMessenger"),
            storage={p.L2_MESSENGER_OTHER_MESSENGER_SLOT: int(l1.l1_cross_domain_messenger, 16)},
        ),
        p.L2_STANDARD_BRIDGE: GenesisAccount(
            code=_code("L2StandardBridge"),
            storage={p.L2_BRIDGE_L1_BRIDGE_SLOT: int(l1.l1_standard_bridge, 16)},
        ),
        p.ERC20_FACTORY: GenesisAccount(code=_code("MintableERC20Factory")),
        p.SEQUENCER_FEE_VAULT: GenesisAccount(
            code=_code("SequencerFeeVault"), storage=vault_storage
        ),
        p.L1_FEE_VAULT: GenesisAccount(code=_code("L1FeeVault"), storage=vault_storage),
        p.CREATE2_DEPLOYER: GenesisAccount(code=CREATE2_DEPLOYER_CODE),
    }
    for address, _ in devnet_accounts():
        alloc[address] = GenesisAccount(balance=DEVNET_BALANCE_WEI)
    return alloc


def build_genesis(
    rules: ChainRules,
    state_db: StagedStateDB,
    alloc: dict[bytes, GenesisAccount],
    *,
    timestamp: int,
    gas_limit: int,
    coinbase: bytes,
    mix_hash: bytes,
) -> SealedBlock:
    """Genesis: block 0 with ``alloc`` as its state and no transactions."""
    env = BlockEnv(
        number=0,
        timestamp=timestamp,
        parent_hash=b"\x00" * 32,
        coinbase=coinbase,
        gas_limit=gas_limit,
        base_fee=GENESIS_BASE_FEE,
        mix_hash=mix_hash,
    )
    builder = BlockBuilder(rules, state_db, BLANK_ROOT_HASH, env)
    for address, account in sorted(alloc.items()):
        builder.set_account(address, account)
    return builder.seal()


def l2_rules(config: RollupConfig) -> ChainRules:
    """The L2 chain's rules from the rollup config."""
    return ChainRules(
        chain_id=config.l2_chain_id,
        is_rollup=True,
        l1_fee_overhead=config.l1_fee_overhead,
        l1_fee_scalar=config.l1_fee_scalar,
    )


def l1_rules(chain_id: int) -> ChainRules:
    """The embedded L1's rules: plain Cancun."""
    return ChainRules(chain_id=chain_id, is_rollup=False)


def l1_genesis_alloc() -> dict[bytes, GenesisAccount]:
    """The embedded L1's alloc: the devnet accounts, funded."""
    return {address: GenesisAccount(balance=DEVNET_BALANCE_WEI) for address, _ in devnet_accounts()}


def open_l2_chain(store: ChainStore, rollup: RollupConfig) -> Chain:
    """The L2 chain over ``store``, writing the genesis of ``rollup`` if the store is empty."""
    rules = l2_rules(rollup)
    fee_recipient = bytes.fromhex(rollup.sequencer_address[2:])
    return Chain.initialize(
        store,
        rules,
        lambda: build_genesis(
            rules,
            store.state_db(),
            l2_genesis_alloc(rollup, fee_recipient),
            timestamp=rollup.l2_genesis_timestamp,
            gas_limit=rollup.l2_gas_limit,
            coinbase=p.SEQUENCER_FEE_VAULT,
            mix_hash=bytes.fromhex(rollup.genesis_l1.mix_hash[2:]),
        ),
    )


def check_store_identity(store: ChainStore, rollup: RollupConfig) -> None:
    """Refuse an L2 store that holds another chain than ``rollup`` describes (``ConfigError``).

    The store's chain id and rollup config hash (metadata written the first time a store is
    opened under a config) and its genesis block hash (against the genesis ``rollup`` makes,
    built in a scratch store) must match; the message names both values. A node on a data dir
    of another chain would otherwise serve its blocks and derive on with the new rules.
    """
    expected = {
        b"chain_id": rollup.l2_chain_id.to_bytes(32, "big"),
        b"rollup_config_hash": rollup.consensus_config_hash(),
    }
    names = {b"chain_id": "chain id", b"rollup_config_hash": "rollup config hash"}
    for key, want in expected.items():
        have = store.get_meta(key)
        if have is not None and have != want:
            shown = (
                (str(int.from_bytes(have, "big")), str(rollup.l2_chain_id))
                if key == b"chain_id"
                else ("0x" + have.hex(), "0x" + want.hex())
            )
            raise ConfigError(
                f"invalid data dir: it holds an L2 chain with {names[key]} {shown[0]}, "
                f"the config says {shown[1]}"
            )
    with tempfile.TemporaryDirectory(prefix="l2-genesis-") as scratch:
        fresh = ChainStore(scratch)
        try:
            want_genesis = open_l2_chain(fresh, rollup).store.canonical_hash(0)
        finally:
            fresh.close()
    have_genesis = store.canonical_hash(0)
    if have_genesis != want_genesis:
        raise ConfigError(
            f"invalid data dir: its L2 genesis is 0x{(have_genesis or b'').hex()}, "
            f"the config's is 0x{(want_genesis or b'').hex()}"
        )
    for key, want in expected.items():
        if store.get_meta(key) is None:
            store.put_meta(key, want)


def genesis_output(rollup: RollupConfig) -> OutputRootPreimage:
    """The output root preimage of L2 genesis under ``rollup`` (built in a scratch store)."""
    with tempfile.TemporaryDirectory(prefix="l2-genesis-") as scratch:
        store = ChainStore(scratch)
        try:
            return output_at(open_l2_chain(store, rollup), 0)
        finally:
            store.close()
