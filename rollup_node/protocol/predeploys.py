"""Addresses of the L2 predeploys and system accounts (SPEC §3.3, §3.6)."""

from __future__ import annotations


def _predeploy(suffix: int) -> bytes:
    return bytes.fromhex("4200000000000000000000000000000000000000")[:18] + suffix.to_bytes(
        2, "big"
    )


L2_CROSS_DOMAIN_MESSENGER = _predeploy(0x0007)
GAS_PRICE_ORACLE = _predeploy(0x000F)
L2_STANDARD_BRIDGE = _predeploy(0x0010)
SEQUENCER_FEE_VAULT = _predeploy(0x0011)
ERC20_FACTORY = _predeploy(0x0012)
L1_BLOCK = _predeploy(0x0015)
L2_TO_L1_MESSAGE_PASSER = _predeploy(0x0016)
L1_FEE_VAULT = _predeploy(0x001A)

#: The sender of the L1-info deposit; the only caller L1Block accepts.
L1_INFO_DEPOSITOR = bytes.fromhex("deaddeaddeaddeaddeaddeaddeaddeaddead0001")

#: The keyless CREATE2 deployer, placed in genesis (its keyless deployment is pre-EIP-155).
CREATE2_DEPLOYER = bytes.fromhex("4e59b44847b379578588920ca78fbf26c0b4956c")

#: Gas limit of the L1-info deposit.
L1_INFO_DEPOSIT_GAS = 1_000_000

#: L1Block storage slots (contracts/src/L2/L1Block.sol; docs/protocol.md). Consensus inputs:
#: the L1 fee reads the base fee, the next block reads the origin and sequence number.
L1_BLOCK_NUMBER_SLOT = 0
L1_BLOCK_TIMESTAMP_SLOT = 1
L1_BLOCK_BASEFEE_SLOT = 2
L1_BLOCK_HASH_SLOT = 3
L1_BLOCK_SEQUENCE_SLOT = 4

#: GasPriceOracle storage slots, written by the genesis alloc (fee parameters are consensus).
GAS_PRICE_ORACLE_OVERHEAD_SLOT = 0
GAS_PRICE_ORACLE_SCALAR_SLOT = 1

#: L2CrossDomainMessenger slot 3 holds the L1CrossDomainMessenger (slots 0-2 are the shared
#: messenger state); L2StandardBridge slot 0 holds the L1StandardBridge. Written by genesis.
L2_MESSENGER_OTHER_MESSENGER_SLOT = 3
L2_BRIDGE_L1_BRIDGE_SLOT = 0
