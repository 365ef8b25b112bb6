// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RLPReader
/// @notice Decodes the RLP of Merkle-Patricia trie nodes. An item is described by where its
///         payload starts and ends inside the encoding it came from; nothing is copied until a
///         caller asks for bytes. Malformed or non-canonical lengths revert.
library RLPReader {
    /// @notice One item inside `data`: the whole encoding is data[start:end], its payload
    ///         data[payload:end].
    struct Item {
        uint256 start;
        uint256 payload;
        uint256 end;
        bool isList;
    }

    error MalformedRLP();

    /// @notice The item whose encoding starts at `offset` of `data`.
    function readItem(bytes memory data, uint256 offset) internal pure returns (Item memory item) {
        if (offset >= data.length) revert MalformedRLP();
        uint256 prefix = uint8(data[offset]);
        item.start = offset;
        if (prefix < 0x80) {
            item.payload = offset;
            item.end = offset + 1;
        } else if (prefix < 0xb8) {
            item.payload = offset + 1;
            item.end = item.payload + (prefix - 0x80);
            // A single byte below 0x80 must be encoded as itself.
            if (prefix == 0x81 && (item.end > data.length || uint8(data[item.payload]) < 0x80)) {
                revert MalformedRLP();
            }
        } else if (prefix < 0xc0) {
            (item.payload, item.end) = _longForm(data, offset, prefix - 0xb7);
        } else if (prefix < 0xf8) {
            item.isList = true;
            item.payload = offset + 1;
            item.end = item.payload + (prefix - 0xc0);
        } else {
            item.isList = true;
            (item.payload, item.end) = _longForm(data, offset, prefix - 0xf7);
        }
        if (item.end > data.length) revert MalformedRLP();
    }

    function _longForm(bytes memory data, uint256 offset, uint256 lengthBytes)
        private
        pure
        returns (uint256 payload, uint256 end)
    {
        if (lengthBytes > 8 || offset + 1 + lengthBytes > data.length) revert MalformedRLP();
        uint256 length;
        for (uint256 i = 0; i < lengthBytes; i++) {
            length = (length << 8) | uint8(data[offset + 1 + i]);
        }
        // Canonical: no leading zero byte, and the long form only for 56 bytes or more.
        if (uint8(data[offset + 1]) == 0 || length < 56) revert MalformedRLP();
        payload = offset + 1 + lengthBytes;
        end = payload + length;
    }

    /// @notice The items of the list `data` (which must be exactly one list).
    function readList(bytes memory data) internal pure returns (Item[] memory items) {
        Item memory list = readItem(data, 0);
        if (!list.isList || list.end != data.length) revert MalformedRLP();
        return listItems(data, list);
    }

    /// @notice The items of `list`, an item of `data`.
    function listItems(bytes memory data, Item memory list) internal pure returns (Item[] memory items) {
        uint256 count;
        for (uint256 at = list.payload; at < list.end; count++) {
            at = readItem(data, at).end;
        }
        items = new Item[](count);
        uint256 cursor = list.payload;
        for (uint256 i = 0; i < count; i++) {
            items[i] = readItem(data, cursor);
            cursor = items[i].end;
        }
        if (cursor != list.end) revert MalformedRLP();
    }

    /// @notice A copy of data[start:end].
    function slice(bytes memory data, uint256 start, uint256 end) internal pure returns (bytes memory out) {
        out = new bytes(end - start);
        for (uint256 i = 0; i < out.length; i++) {
            out[i] = data[start + i];
        }
    }

    /// @notice The payload of a string item.
    function payloadOf(bytes memory data, Item memory item) internal pure returns (bytes memory) {
        if (item.isList) revert MalformedRLP();
        return slice(data, item.payload, item.end);
    }

    /// @notice The whole encoding of an item.
    function encodingOf(bytes memory data, Item memory item) internal pure returns (bytes memory) {
        return slice(data, item.start, item.end);
    }
}
