// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PreimageKeyLib
/// @notice Preimage keys (SPEC §8, §9): the first byte is the type. Local keys (type 1) are
///         localized per dispute: the key the oracle stores and MIPS reads is
///         keccak(key ‖ localContext ‖ caller) with its first byte set to 1, where the caller is
///         the contract that loads the local data and runs the steps (the dispute game).
library PreimageKeyLib {
    uint8 internal constant LOCAL = 1;
    uint8 internal constant KECCAK = 2;
    uint8 internal constant PRECOMPILE = 6;

    /// @notice Replace the first byte of `digest` with `keyType`.
    function typed(uint8 keyType, bytes32 digest) internal pure returns (bytes32) {
        return bytes32((uint256(digest) & ~(uint256(0xFF) << 248)) | (uint256(keyType) << 248));
    }

    /// @notice The type-1 key of local input `ident`, localized for `localContext` and `caller`.
    function localize(bytes32 key, bytes32 localContext, address caller) internal pure returns (bytes32) {
        return typed(LOCAL, keccak256(abi.encode(key, localContext, caller)));
    }

    /// @notice The unlocalized type-1 key of local input `ident`.
    function localKey(uint256 ident) internal pure returns (bytes32) {
        return bytes32((uint256(LOCAL) << 248) | ident);
    }
}
