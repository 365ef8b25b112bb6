// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleTrie} from "../libraries/MerkleTrie.sol";
import {Predeploys} from "../libraries/Predeploys.sol";
import {CrossDomainMessenger} from "../universal/CrossDomainMessenger.sol";
import {L2CrossDomainMessenger} from "../L2/L2CrossDomainMessenger.sol";
import {CanonicalTransactionChain} from "./CanonicalTransactionChain.sol";
import {StateCommitmentChain} from "./StateCommitmentChain.sol";

/// @title L1CrossDomainMessenger
/// @notice The L1 end of messaging (SPEC §7). Sends L1 -> L2 messages as CTC deposits to the
///         L2CrossDomainMessenger, and finalizes L2 -> L1 withdrawals: each one once, against a
///         final SCC element, with a storage proof that L2ToL1MessagePasser.sentMessages holds
///         it. The withdrawal's L2 sender is `xDomainMessageSender()` during the call; the ETH it
///         carries comes out of the CTC, which holds the ETH of all deposits.
/// @dev Storage: slots 0-2 as CrossDomainMessenger, slot 3 `messageNonce`, slot 4
///      `finalizedWithdrawals` (mapping(bytes32 => bool)).
contract L1CrossDomainMessenger is CrossDomainMessenger {
    /// @notice A withdrawal as the L2ToL1MessagePasser recorded it.
    struct Withdrawal {
        uint256 nonce;
        address sender;
        address target;
        uint256 value;
        uint256 gasLimit;
        bytes data;
    }

    /// @notice The preimage of an output root (SPEC §4).
    struct OutputRootProof {
        bytes32 stateRoot;
        bytes32 messagePasserStorageRoot;
        bytes32 blockHash;
    }

    /// @notice Where a withdrawal's output root sits in the SCC.
    struct OutputRootLocation {
        uint256 element;
        StateCommitmentChain.BatchHeader header;
        bytes32[] siblings;
    }

    /// @notice Deposit gas added on top of the target's gas, the 64/63 rule and the relay
    ///         constants, for the L2 relay's own work before the call (decoding, hashing).
    uint256 public constant DEPOSIT_GAS_MARGIN = 20_000;

    /// @notice Nonce of the next L1 -> L2 message.
    uint256 public messageNonce;
    /// @notice Withdrawals already finalized, by withdrawal hash.
    mapping(bytes32 => bool) public finalizedWithdrawals;

    CanonicalTransactionChain public immutable ctc;
    StateCommitmentChain public immutable scc;

    event SentMessage(
        address indexed target,
        address indexed sender,
        bytes message,
        uint256 messageNonce,
        uint256 gasLimit,
        uint256 value
    );
    event WithdrawalFinalized(bytes32 indexed withdrawalHash, bool success);

    error AlreadyFinalized(bytes32 withdrawalHash);
    error InvalidOutputRootProof();
    error OutputRootNotFinal(uint256 batchIndex);
    error InvalidWithdrawalProof();
    error BlockedTarget(address target);
    error OnlyCtc(address caller);
    error MessageGasTooHigh(uint256 gas);

    constructor(CanonicalTransactionChain ctc_, StateCommitmentChain scc_) {
        ctc = ctc_;
        scc = scc_;
    }

    /// @notice ETH released by the CTC for withdrawals.
    receive() external payable {
        if (msg.sender != address(ctc)) revert OnlyCtc(msg.sender);
    }

    // ---------------------------------------------------------------- L1 -> L2

    /// @notice Send `message` to `target` on L2 with `msg.value` wei; the target gets at least
    ///         `minGasLimit` gas. Reverts if the deposit's gas would pass the CTC's maximum.
    function sendMessage(address target, bytes calldata message, uint32 minGasLimit)
        external
        payable
    {
        uint256 nonce = messageNonce;
        messageNonce = nonce + 1;
        bytes memory data = abi.encodeCall(
            L2CrossDomainMessenger.relayMessage,
            (nonce, msg.sender, target, msg.value, minGasLimit, message)
        );
        uint256 gas = depositGas(data, minGasLimit);
        if (gas > ctc.maxDepositGas()) revert MessageGasTooHigh(gas);
        ctc.enqueue{value: msg.value}(Predeploys.L2_CROSS_DOMAIN_MESSENGER, uint64(gas), false, data);
        emit SentMessage(target, msg.sender, message, nonce, minGasLimit, msg.value);
    }

    /// @notice Deposit gas for relay calldata `data` whose target needs `minGasLimit`:
    ///         intrinsic gas + ceil(64/63 · minGasLimit) + RELAY_OVERHEAD + RELAY_RESERVED +
    ///         DEPOSIT_GAS_MARGIN, so that the L2 relay passes the relay gas rule.
    function depositGas(bytes memory data, uint256 minGasLimit) public view returns (uint256) {
        return ctc.intrinsicGas(data, false) + (minGasLimit * 64 + 62) / 63 + RELAY_OVERHEAD
            + RELAY_RESERVED + DEPOSIT_GAS_MARGIN;
    }

    // ---------------------------------------------------------------- L2 -> L1

    /// @notice Finalize withdrawal `w`: prove its output root is a final SCC element, prove the
    ///         message passer's storage holds it, then call its target (a failed call is recorded
    ///         and replayable with `replayMessage`).
    function finalizeWithdrawal(
        Withdrawal calldata w,
        OutputRootLocation calldata location,
        OutputRootProof calldata outputRootProof,
        bytes[] calldata storageProof
    ) external {
        bytes32 withdrawalHash = hashMessage(w.nonce, w.sender, w.target, w.value, w.gasLimit, w.data);
        if (finalizedWithdrawals[withdrawalHash]) revert AlreadyFinalized(withdrawalHash);
        if (w.target == address(this) || w.target == address(ctc)) revert BlockedTarget(w.target);
        bytes32 outputRoot = keccak256(
            abi.encode(
                bytes32(0),
                outputRootProof.stateRoot,
                outputRootProof.messagePasserStorageRoot,
                outputRootProof.blockHash
            )
        );
        if (!scc.verifyStateCommitment(outputRoot, location.element, location.header, location.siblings)) {
            revert InvalidOutputRootProof();
        }
        if (!scc.isBatchFinal(location.header.batchIndex)) {
            revert OutputRootNotFinal(location.header.batchIndex);
        }
        if (!isWithdrawalProven(outputRootProof.messagePasserStorageRoot, withdrawalHash, storageProof)) {
            revert InvalidWithdrawalProof();
        }
        if (!_hasRelayGas(w.gasLimit)) revert InsufficientRelayGas(gasleft(), w.gasLimit);
        finalizedWithdrawals[withdrawalHash] = true;
        if (w.value > 0) ctc.releaseEth(address(this), w.value);
        _deliver(withdrawalHash, w.sender, w.target, w.value, w.gasLimit, w.data);
        emit WithdrawalFinalized(withdrawalHash, successfulMessages[withdrawalHash]);
    }

    /// @notice Whether `storageProof` shows sentMessages[withdrawalHash] == true in the message
    ///         passer's storage trie with root `storageRoot` (slot keccak(hash ‖ uint256(0)),
    ///         trie key keccak(slot), value RLP(1) = 0x01).
    function isWithdrawalProven(bytes32 storageRoot, bytes32 withdrawalHash, bytes[] memory storageProof)
        public
        pure
        returns (bool)
    {
        bytes32 slot = keccak256(abi.encode(withdrawalHash, uint256(0)));
        bytes memory value =
            MerkleTrie.get(abi.encodePacked(keccak256(abi.encode(slot))), storageProof, storageRoot);
        return value.length == 1 && value[0] == 0x01;
    }
}
