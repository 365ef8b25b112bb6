"""Configuration: the rollup config (consensus, SPEC §2) and the node config (operations).

Both come from one TOML file (``[rollup]`` and ``[node]`` tables), then ``ROLLUP_NODE_*``
environment variables, then command-line flags, later ones winning. Validation is pydantic's;
``load_config`` turns the first problem into one line naming the key (``ConfigError``).

Environment variables: ``ROLLUP_NODE_<KEY>`` sets ``node.<key>``; ``ROLLUP_NODE_ROLLUP__<KEY>``
sets ``rollup.<key>`` (e.g. ``ROLLUP_NODE_RPC_PORT=9545``, ``ROLLUP_NODE_ROLLUP__L2_BLOCK_TIME=1``).
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import tomli_w
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ENV_PREFIX = "ROLLUP_NODE_"
DEVNET_MNEMONIC = "test test test test test test test test test test test junk"
ZERO_ADDRESS = "0x" + "00" * 20
ZERO_HASH = "0x" + "00" * 32


class ConfigError(ValueError):
    """A configuration value is missing or wrong; the message names the key."""


def _hex_bytes(value: str, length: int, what: str) -> str:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ValueError(f"{what} must be 0x-prefixed hex")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError as exc:
        raise ValueError(f"{what} is not valid hex") from exc
    if len(raw) != length:
        raise ValueError(f"{what} must be {length} bytes, got {len(raw)}")
    return "0x" + raw.hex()


class L1Anchor(BaseModel):
    """The L1 block the L2 genesis refers to (its L1 origin)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(0, ge=0)
    hash: str = ZERO_HASH
    timestamp: int = Field(0, ge=0)
    base_fee: int = Field(1_000_000_000, ge=0)
    mix_hash: str = ZERO_HASH

    @field_validator("hash", "mix_hash")
    @classmethod
    def _hash32(cls, v: str) -> str:
        return _hex_bytes(v, 32, "a block hash")


class L1Addresses(BaseModel):
    """Where the rollup's L1 contracts live (written by deployment)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    canonical_transaction_chain: str = ZERO_ADDRESS
    state_commitment_chain: str = ZERO_ADDRESS
    bond_manager: str = ZERO_ADDRESS
    l1_cross_domain_messenger: str = ZERO_ADDRESS
    l1_standard_bridge: str = ZERO_ADDRESS
    dispute_game_factory: str = ZERO_ADDRESS

    @field_validator("*")
    @classmethod
    def _address(cls, v: str) -> str:
        return _hex_bytes(v, 20, "an address")


class RollupConfig(BaseModel):
    """The rollup's parameters (SPEC §2). Changing a consensus field forks the chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    l1_chain_id: int = Field(900, ge=1)
    l2_chain_id: int = Field(901, ge=1)
    l2_block_time: int = Field(2, ge=1)
    l2_genesis_timestamp: int = Field(0, ge=0)
    l2_gas_limit: int = Field(30_000_000, ge=5_000_000)
    max_sequencer_drift: int = Field(600, ge=0)
    force_inclusion_blocks: int = Field(30, ge=1)
    deposit_gas_per_block: int = Field(20_000_000, ge=1)
    max_deposit_gas: int = Field(5_000_000, ge=21_000)
    max_deposit_data: int = Field(49_152, ge=0)
    max_batch_bytes: int = Field(120_000, ge=1)
    max_blocks_per_batch: int = Field(1_000, ge=1)
    l1_fee_overhead: int = Field(188, ge=0)
    l1_fee_scalar: int = Field(1_000_000, ge=0)
    # not consensus: what disputes and operations use
    confirmations: int = Field(0, ge=0)  # L1 depth before a derived block counts as safe
    fraud_proof_window: int = Field(600, ge=1)
    required_bond: int = Field(10**18, ge=0)
    max_clock_duration: int = Field(120, ge=1)
    clock_extension: int = Field(10, ge=0)
    max_game_depth: int = Field(40, ge=2, le=63)
    sequencer_address: str = ZERO_ADDRESS
    genesis_l1: L1Anchor = L1Anchor()
    l1_addresses: L1Addresses = L1Addresses()

    @field_validator("sequencer_address")
    @classmethod
    def _address(cls, v: str) -> str:
        return _hex_bytes(v, 20, "an address")

    @model_validator(mode="after")
    def _bounds(self) -> RollupConfig:
        if self.max_deposit_gas >= self.deposit_gas_per_block:
            raise ValueError("max_deposit_gas must be below deposit_gas_per_block (M < D)")
        if self.deposit_gas_per_block + 1_000_000 > self.l2_gas_limit:
            raise ValueError("deposit_gas_per_block + 1,000,000 must not exceed l2_gas_limit")
        if self.l2_genesis_timestamp and self.l2_genesis_timestamp < self.genesis_l1.timestamp:
            raise ValueError("l2_genesis_timestamp must not precede the L1 anchor's timestamp")
        return self

    def consensus_fields(self) -> list[tuple[str, str, Any]]:
        """The consensus fields in hashing order, as (name, ABI type, value) — docs/protocol.md."""
        a = self.l1_addresses
        return [
            ("l1_chain_id", "uint256", self.l1_chain_id),
            ("l2_chain_id", "uint256", self.l2_chain_id),
            ("l2_block_time", "uint256", self.l2_block_time),
            ("l2_genesis_timestamp", "uint256", self.l2_genesis_timestamp),
            ("l2_gas_limit", "uint256", self.l2_gas_limit),
            ("max_sequencer_drift", "uint256", self.max_sequencer_drift),
            ("force_inclusion_blocks", "uint256", self.force_inclusion_blocks),
            ("deposit_gas_per_block", "uint256", self.deposit_gas_per_block),
            ("max_deposit_gas", "uint256", self.max_deposit_gas),
            ("max_deposit_data", "uint256", self.max_deposit_data),
            ("max_batch_bytes", "uint256", self.max_batch_bytes),
            ("max_blocks_per_batch", "uint256", self.max_blocks_per_batch),
            ("l1_fee_overhead", "uint256", self.l1_fee_overhead),
            ("l1_fee_scalar", "uint256", self.l1_fee_scalar),
            ("genesis_l1_number", "uint256", self.genesis_l1.number),
            ("genesis_l1_hash", "bytes32", bytes.fromhex(self.genesis_l1.hash[2:])),
            ("canonical_transaction_chain", "address", a.canonical_transaction_chain),
            ("state_commitment_chain", "address", a.state_commitment_chain),
        ]

    def consensus_config_hash(self) -> bytes:
        """``keccak(abi.encode(consensus fields))`` (SPEC §2)."""
        fields = self.consensus_fields()
        return keccak(abi_encode([t for _, t, _ in fields], [v for _, _, v in fields]))


Mode = Literal["sequencer", "verifier", "replica", "devnet"]


class NodeConfig(BaseModel):
    """How this node runs: its role, storage, endpoints, keys and limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Mode = "devnet"
    data_dir: Path = Path("./data")
    l1_rpc: str | None = None
    rpc_host: str = "127.0.0.1"
    rpc_port: int = Field(9545, ge=0, le=65535)
    l1_rpc_port: int = Field(8545, ge=0, le=65535)  # the embedded L1's port (devnet)
    l1_block_time: float = Field(2.0, ge=0)  # embedded L1; 0 = a block per transaction
    sequencer_key: str | None = None
    #: Verifier: hex key of the L1 account that creates dispute games and plays them (SPEC §1,
    #: §11); it pays the challenger bond and move bonds. Unset: the verifier only watches.
    #: Kept out of the config's repr so it is never logged.
    challenger_key: str | None = Field(None, repr=False)
    #: Sequencer, verifier, devnet: run the dispute agent (SPEC §1, §11) — follow every game,
    #: defend roots this node agrees with (the sequencer with its own key, a verifier with
    #: ``challenger_key``) and challenge wrong ones (a verifier with ``challenger_key``). Off:
    #: the node plays no part in games and its key never pays a move bond, e.g. a sequencer
    #: whose operator leaves disputes to verifiers with keys and funds of their own.
    play_disputes: bool = True
    #: Replica: the sequencer's WebSocket URL, to follow its unsafe head (L1 alone if unset).
    sequencer_ws: str | None = None
    #: Verifier, replica: run the native fault-proof program on every safe block, in the
    #: background, and alert when it does not accept the node's output root
    #: (``verifier/program_check.py``). A sequencer's proposer always checks before posting.
    check_with_program: bool = False
    #: ``/healthz`` fails when derivation has not read L1 for this long (``/readyz`` too)
    health_l1_stale_seconds: float = Field(60.0, gt=0)
    #: ``/healthz`` fails when the unsafe head has not moved for this long (keep it above the
    #: L2 block time, and on a follower above the time between batches)
    health_head_stall_seconds: float = Field(60.0, gt=0)
    #: ``/readyz`` fails when derivation is more L1 blocks than this behind L1's head (minus
    #: ``confirmations``): syncing
    ready_max_l1_behind_blocks: int = Field(10, ge=0)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    rpc_max_batch: int = Field(100, ge=1)
    rpc_max_body_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    rpc_max_log_range: int = Field(10_000, ge=1)
    rpc_max_log_results: int = Field(10_000, ge=1)
    rpc_max_batch_cost: int = Field(10_000, ge=1)  # rpc/limits.py: units of a batch's calls
    rpc_gas_cap: int = Field(50_000_000, ge=21_000)  # gas of one eth_call / eth_estimateGas
    rpc_max_proof_keys: int = Field(1_024, ge=1)  # storage keys of one eth_getProof
    rpc_max_fee_history_blocks: int = Field(1_024, ge=1)  # blocks of one eth_feeHistory
    rpc_evm_timeout: float = Field(5.0, gt=0)  # seconds one eth_call / eth_estimateGas may run
    rpc_max_concurrent_calls: int = Field(2, ge=1)  # eth_call / eth_estimateGas at once
    rpc_call_niceness: int = Field(10, ge=0, le=19)  # added to the call workers' nice value
    rpc_max_trace_steps: int = Field(100_000, ge=1)  # struct logs of one debug trace

    @field_validator("sequencer_key", "challenger_key")
    @classmethod
    def _key(cls, v: str | None) -> str | None:
        return None if v is None else _hex_bytes(v, 32, "a private key")

    @model_validator(mode="after")
    def _disputes(self) -> NodeConfig:
        if self.challenger_key is not None and not self.play_disputes:
            raise ValueError(
                "challenger_key is set but play_disputes is off: a node that does not play "
                "cannot challenge (unset one of them)"
            )
        return self

    @field_validator("l1_rpc")
    @classmethod
    def _l1_url(cls, v: str | None) -> str | None:
        if v is not None:
            parts = urlsplit(v)
            if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
                raise ValueError("not an http(s):// or ws(s):// URL")
        return v

    @field_validator("sequencer_ws")
    @classmethod
    def _ws(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("ws://", "wss://")):
            raise ValueError("must be a ws:// or wss:// URL")
        return v


class Config(BaseModel):
    """The whole configuration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rollup: RollupConfig = RollupConfig()
    node: NodeConfig = NodeConfig()


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key.startswith("rollup__"):
            tree.setdefault("rollup", {})[key[len("rollup__") :]] = value
        else:
            tree.setdefault("node", {})[key] = value
    return tree


def format_error(error: ValidationError) -> str:
    """One line naming the first invalid key and what is wrong with it."""
    first = error.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "config"
    got = first.get("input")
    # A key's value is never echoed (it may be a real key with one typo).
    secret = key.endswith("_key")
    shown = "" if isinstance(got, dict) or secret else f" (got {got!r})"
    return f"invalid config: {key}: {first['msg']}{shown}"


def load_config(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Read TOML files (if given, later ones win), apply environment and ``overrides``.

    Raises ``ConfigError`` naming the key on any problem.
    """
    data: dict[str, Any] = {}
    paths = [] if path is None else [path] if isinstance(path, str | os.PathLike) else list(path)
    for one in paths:
        try:
            with open(one, "rb") as f:
                data = _merge(data, tomllib.load(f))
        except FileNotFoundError as exc:
            raise ConfigError(f"invalid config: file {one} not found") from exc
        except IsADirectoryError as exc:
            raise ConfigError(f"invalid config: {one} is a directory, not a file") from exc
        except OSError as exc:
            raise ConfigError(f"invalid config: cannot read {one}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"invalid config: {one} is not UTF-8 text (at byte {exc.start})"
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid config: {one} is not valid TOML: {exc}") from exc
    data = _merge(data, _from_env(os.environ if environ is None else environ))
    data = _merge(data, overrides or {})
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_error(exc)) from exc


def check_data_dir(path: Path) -> None:
    """Refuse a data dir that is not a writable directory (``ConfigError`` naming it).

    A dir that does not exist yet is fine if its nearest existing parent is a writable
    directory (the node creates it). Writability is tried with a real file, not permission
    bits, which say nothing for root or read-only mounts.
    """
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"invalid config: node.data_dir: {existing} is not a directory")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise ConfigError(
            f"invalid config: node.data_dir: {existing} is not writable ({exc.strerror})"
        ) from None


def write_rollup_config(config: Config, path: str | os.PathLike[str]) -> None:
    """Write the ``[rollup]`` table (and nothing operational) so other nodes can follow."""
    data = {"rollup": config.rollup.model_dump(mode="json")}
    Path(path).write_text(tomli_w.dumps(data))
