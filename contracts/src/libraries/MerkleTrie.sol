// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RLPReader} from "./RLPReader.sol";

/// @title MerkleTrie
/// @notice Verifies Merkle-Patricia trie proofs as `eth_getProof` returns them: the RLP nodes
///         from the root down the path of a key, where a child smaller than 32 bytes is embedded
///         in its parent instead of being referenced by hash.
library MerkleTrie {
    using RLPReader for bytes;

    error InvalidProof(string reason);

    /// @notice The value stored under `key` in the trie with root `root`, or empty bytes when
    ///         the proof shows the key is absent. Reverts when the proof does not verify.
    function get(bytes memory key, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bytes memory value)
    {
        bytes memory path = _nibbles(key);
        uint256 position;
        uint256 next; // index in `proof` of the next hashed node
        bytes memory node;
        bytes32 expectedHash = root;
        bool embedded;
        while (true) {
            if (!embedded) {
                if (next >= proof.length) revert InvalidProof("proof ends early");
                node = proof[next++];
                if (keccak256(node) != expectedHash) revert InvalidProof("node hash mismatch");
            }
            RLPReader.Item[] memory items = RLPReader.readList(node);
            RLPReader.Item memory child;
            if (items.length == 17) {
                if (position == path.length) {
                    value = node.payloadOf(items[16]);
                    break;
                }
                child = items[uint8(path[position])];
                position += 1;
            } else if (items.length == 2) {
                (bool isLeaf, bytes memory segment) = _decodePath(node.payloadOf(items[0]));
                uint256 matched = _sharedPrefix(path, position, segment);
                if (isLeaf) {
                    if (matched == segment.length && position + matched == path.length) {
                        value = node.payloadOf(items[1]);
                    }
                    break;
                }
                if (matched != segment.length) break; // diverges inside an extension: absent
                position += matched;
                child = items[1];
            } else {
                revert InvalidProof("node is neither branch nor leaf/extension");
            }
            if (child.isList) {
                node = node.encodingOf(child);
                embedded = true;
            } else if (child.end - child.payload == 32) {
                expectedHash = bytes32(node.payloadOf(child));
                embedded = false;
            } else if (child.end == child.payload) {
                break; // empty child: absent
            } else {
                revert InvalidProof("bad child reference");
            }
        }
        if (!embedded && next != proof.length) revert InvalidProof("extra proof nodes");
    }

    function _nibbles(bytes memory key) private pure returns (bytes memory out) {
        out = new bytes(key.length * 2);
        for (uint256 i = 0; i < key.length; i++) {
            out[2 * i] = bytes1(uint8(key[i]) >> 4);
            out[2 * i + 1] = bytes1(uint8(key[i]) & 0x0f);
        }
    }

    /// @dev Hex-prefix decoding: the high nibble of the first byte is 2 for a leaf (0 for an
    ///      extension) plus 1 when the path has odd length, in which case the low nibble is the
    ///      path's first nibble.
    function _decodePath(bytes memory encoded) private pure returns (bool isLeaf, bytes memory path) {
        if (encoded.length == 0) revert InvalidProof("empty path");
        bytes memory all = _nibbles(encoded);
        uint8 flag = uint8(all[0]);
        if (flag > 3) revert InvalidProof("bad path flag");
        isLeaf = flag >= 2;
        uint256 skip = flag % 2 == 1 ? 1 : 2;
        if (skip == 2 && all[1] != 0) revert InvalidProof("bad path padding");
        path = RLPReader.slice(all, skip, all.length);
    }

    function _sharedPrefix(bytes memory path, uint256 position, bytes memory segment)
        private
        pure
        returns (uint256 n)
    {
        while (n < segment.length && position + n < path.length && path[position + n] == segment[n]) {
            n++;
        }
    }
}
