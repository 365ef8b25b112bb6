// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PreimageKeyLib} from "./PreimageKeyLib.sol";

/// @title PreimageOracle
/// @notice Holds the 32-byte parts of preimages MIPS.step reads (SPEC §8). A preimage is read as
///         the byte string `u64 length ‖ preimage`; a part is the 32 bytes at a part offset (zero
///         padded past the end). Parts are loaded in three ways, each checking the value against
///         its key: local data (type 1, at most 32 bytes, localized for the caller), keccak
///         preimages (type 2, hashed here) and precompile results (type 6, computed here by calling
///         the precompile with the declared gas).
contract PreimageOracle {
    /// @notice Preimage length by key.
    mapping(bytes32 => uint256) public preimageLengths;
    /// @notice Part at a part offset by key.
    mapping(bytes32 => mapping(uint256 => bytes32)) public preimageParts;
    /// @notice Whether a part has been loaded.
    mapping(bytes32 => mapping(uint256 => bool)) public preimagePartOk;

    error PartOffsetOutOfBounds();
    error LocalDataTooLarge();
    error PartNotLoaded();
    error NotEnoughGas();

    /// @notice The part of `key` at `offset` and how many of its bytes belong to the preimage.
    function readPreimage(bytes32 key, uint256 offset) external view returns (bytes32 dat, uint256 datLen) {
        if (!preimagePartOk[key][offset]) revert PartNotLoaded();
        uint256 total = preimageLengths[key] + 8;
        datLen = total - offset < 32 ? total - offset : 32;
        dat = preimageParts[key][offset];
    }

    /// @notice Load local input `ident` (SPEC §9) for the caller: `size` bytes of `word`.
    function loadLocalData(uint256 ident, bytes32 localContext, bytes32 word, uint256 size, uint256 partOffset)
        external
        returns (bytes32 key)
    {
        if (size > 32) revert LocalDataTooLarge();
        key = PreimageKeyLib.localize(PreimageKeyLib.localKey(ident), localContext, msg.sender);
        bytes memory value = new bytes(size);
        for (uint256 i = 0; i < size; i++) {
            value[i] = word[i];
        }
        _store(key, partOffset, value);
    }

    /// @notice Load the part at `partOffset` of a keccak preimage.
    function loadKeccak256PreimagePart(uint256 partOffset, bytes calldata preimage) external {
        bytes32 key = PreimageKeyLib.typed(PreimageKeyLib.KECCAK, keccak256(preimage));
        _store(key, partOffset, preimage);
    }

    /// @notice Call `precompile` with exactly `requiredGas` and load the part at `partOffset` of
    ///         `status ‖ output` (status 1 on success; 0 and no output on failure).
    function loadPrecompilePreimagePart(uint256 partOffset, address precompile, uint64 requiredGas, bytes calldata input)
        external
    {
        bytes32 key = PreimageKeyLib.typed(
            PreimageKeyLib.PRECOMPILE, keccak256(abi.encodePacked(precompile, requiredGas, input))
        );
        // The call gets all of requiredGas only if 63/64 of what is left covers it (EIP-150);
        // a caller cannot make a valid call fail by starving it.
        if (gasleft() < (uint256(requiredGas) * 64) / 63 + 10_000) revert NotEnoughGas();
        (bool ok, bytes memory output) = precompile.staticcall{gas: requiredGas}(input);
        bytes memory value = ok ? abi.encodePacked(uint8(1), output) : abi.encodePacked(uint8(0));
        _store(key, partOffset, value);
    }

    function _store(bytes32 key, uint256 partOffset, bytes memory value) internal {
        if (partOffset >= value.length + 8) revert PartOffsetOutOfBounds();
        bytes memory full = abi.encodePacked(uint64(value.length), value, bytes32(0));
        bytes32 part;
        assembly {
            part := mload(add(add(full, 32), partOffset))
        }
        preimageParts[key][partOffset] = part;
        preimagePartOk[key][partOffset] = true;
        preimageLengths[key] = value.length;
    }
}
