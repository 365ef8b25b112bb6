// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title BatchMerkle
/// @notice The binary keccak Merkle tree of an SCC batch (SPEC §4): leaves are the output
///         roots themselves, a node is keccak(left ‖ right), and a row of odd length is padded
///         with zero[d], where zero[0] = keccak(bytes32(0)) and zero[d+1] = keccak(zero[d] ‖ zero[d]).
///         A batch of one root has that root as its Merkle root.
library BatchMerkle {
    error EmptyTree();
    error IndexOutOfRange(uint256 index, uint256 size);
    error WrongProofLength(uint256 length, uint256 expected);

    /// @notice The Merkle root of `leaves` (which it overwrites as scratch space).
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 width = leaves.length;
        if (width == 0) revert EmptyTree();
        bytes32 zero = keccak256(abi.encode(bytes32(0)));
        while (width > 1) {
            uint256 next = (width + 1) / 2;
            for (uint256 i = 0; i < next; i++) {
                bytes32 left = leaves[2 * i];
                bytes32 right = 2 * i + 1 < width ? leaves[2 * i + 1] : zero;
                leaves[i] = keccak256(abi.encode(left, right));
            }
            width = next;
            zero = keccak256(abi.encode(zero, zero));
        }
        return leaves[0];
    }

    /// @notice ceil(log2(size)): the number of siblings in a proof for a tree of `size` leaves.
    function depth(uint256 size) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < size) d++;
    }

    /// @notice Whether `leaf` sits at `index` of a tree of `size` leaves with root `expected`;
    ///         `siblings` are bottom-up and exactly ceil(log2(size)) long.
    function verify(
        bytes32 leaf,
        uint256 index,
        uint256 size,
        bytes32[] memory siblings,
        bytes32 expected
    ) internal pure returns (bool) {
        if (index >= size) revert IndexOutOfRange(index, size);
        uint256 levels = depth(size);
        if (siblings.length != levels) revert WrongProofLength(siblings.length, levels);
        bytes32 node = leaf;
        for (uint256 d = 0; d < levels; d++) {
            node = (index >> d) & 1 == 0
                ? keccak256(abi.encode(node, siblings[d]))
                : keccak256(abi.encode(siblings[d], node));
        }
        return node == expected;
    }
}
