// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PreimageKeyLib} from "./PreimageKeyLib.sol";

interface IPreimageOracle {
    function readPreimage(bytes32 key, uint256 offset) external view returns (bytes32 dat, uint256 datLen);
}

/// @title MIPS
/// @notice One step of the fault-proof VM on-chain (SPEC §8), the same function as the Python
///         reference `rollup_node/faultproof/mips/step.py`; the instruction table is docs/mips.md.
///         `stateData` is the 226-byte packed state; `proof` holds the 28 × 32-byte memory proof of
///         the instruction word, then, if the step reads or writes data, that of the data word.
///         A panic (unaligned pc, branch in a delay slot, unknown instruction, division by zero,
///         taken teq) leaves the state as it was except step + 1, exited = true, exitCode = 0xFF.
contract MIPS {
    struct State {
        bytes32 memRoot;
        bytes32 preimageKey;
        uint256 preimageOffset;
        uint256 pc;
        uint256 nextPC;
        uint256 lo;
        uint256 hi;
        uint256 heap;
        uint256 exitCode;
        bool exited;
        uint256 step;
        uint256[32] regs;
    }

    uint256 internal constant U32 = 0xFFFFFFFF;
    uint256 internal constant STATE_SIZE = 226;
    uint256 internal constant PROOF_SIZE = 28 * 32;

    IPreimageOracle public immutable oracle;

    error InvalidStateSize();
    error InvalidProof();

    constructor(IPreimageOracle _oracle) {
        oracle = _oracle;
    }

    /// @notice The post-state hash of one step from `stateData`.
    function step(bytes calldata stateData, bytes calldata proof, bytes32 localContext) external view returns (bytes32) {
        State memory s = _decode(stateData);
        if (s.exited) return _hash(s);
        if (!_execute(s, proof, localContext)) {
            s = _decode(stateData);
            s.exited = true;
            s.exitCode = 0xFF;
        }
        unchecked {
            s.step += 1;
        }
        return _hash(s);
    }

    // -- state -------------------------------------------------------------------------------

    function _decode(bytes calldata d) internal pure returns (State memory s) {
        if (d.length != STATE_SIZE) revert InvalidStateSize();
        s.memRoot = bytes32(d[0:32]);
        s.preimageKey = bytes32(d[32:64]);
        s.preimageOffset = uint32(bytes4(d[64:68]));
        s.pc = uint32(bytes4(d[68:72]));
        s.nextPC = uint32(bytes4(d[72:76]));
        s.lo = uint32(bytes4(d[76:80]));
        s.hi = uint32(bytes4(d[80:84]));
        s.heap = uint32(bytes4(d[84:88]));
        s.exitCode = uint8(d[88]);
        s.exited = uint8(d[89]) != 0;
        s.step = uint64(bytes8(d[90:98]));
        for (uint256 i = 0; i < 32; i++) {
            s.regs[i] = uint32(bytes4(d[98 + 4 * i:102 + 4 * i]));
        }
    }

    function _hash(State memory s) internal pure returns (bytes32) {
        bytes memory packed = abi.encodePacked(
            s.memRoot,
            s.preimageKey,
            uint32(s.preimageOffset),
            uint32(s.pc),
            uint32(s.nextPC),
            uint32(s.lo),
            uint32(s.hi),
            uint32(s.heap),
            uint8(s.exitCode),
            s.exited
        );
        packed = abi.encodePacked(packed, uint64(s.step));
        for (uint256 i = 0; i < 32; i++) {
            packed = abi.encodePacked(packed, uint32(s.regs[i]));
        }
        uint256 status;
        if (!s.exited) status = 3;
        else if (s.exitCode == 0) status = 0;
        else if (s.exitCode == 1) status = 1;
        else status = 2;
        return bytes32((uint256(keccak256(packed)) & ~(uint256(0xFF) << 248)) | (status << 248));
    }

    // -- memory ------------------------------------------------------------------------------

    /// @dev The word at aligned `addr` from proof number `index`, checked against the root.
    function _readMem(bytes32 root, uint256 addr, bytes calldata proof, uint256 index)
        internal
        pure
        returns (uint256)
    {
        uint256 offset = index * PROOF_SIZE;
        if (proof.length < offset + PROOF_SIZE) revert InvalidProof();
        bytes32 leaf = bytes32(proof[offset:offset + 32]);
        if (_root(leaf, addr, proof, offset) != root) revert InvalidProof();
        return (uint256(leaf) >> (224 - 8 * (addr & 31))) & U32;
    }

    /// @dev The root after storing `value` at aligned `addr` (proof number `index`, already checked).
    function _writeMem(uint256 addr, bytes calldata proof, uint256 index, uint256 value)
        internal
        pure
        returns (bytes32)
    {
        uint256 offset = index * PROOF_SIZE;
        uint256 shift = 224 - 8 * (addr & 31);
        uint256 leaf = uint256(bytes32(proof[offset:offset + 32]));
        leaf = (leaf & ~(U32 << shift)) | ((value & U32) << shift);
        return _root(bytes32(leaf), addr, proof, offset);
    }

    function _root(bytes32 leaf, uint256 addr, bytes calldata proof, uint256 offset) internal pure returns (bytes32 node) {
        node = leaf;
        uint256 path = addr >> 5;
        for (uint256 level = 0; level < 27; level++) {
            bytes32 sibling = bytes32(proof[offset + 32 * (level + 1):offset + 32 * (level + 2)]);
            if ((path >> level) & 1 == 1) node = keccak256(abi.encodePacked(sibling, node));
            else node = keccak256(abi.encodePacked(node, sibling));
        }
    }

    // -- execution ---------------------------------------------------------------------------

    function _sext16(uint256 v) internal pure returns (uint256) {
        return (v & 0x8000) != 0 ? (v | 0xFFFF0000) : v;
    }

    function _signed(uint256 v) internal pure returns (int256) {
        return int256(int32(uint32(v)));
    }

    /// @dev Advance `s` by one instruction (not the step counter); false on a panic.
    function _execute(State memory s, bytes calldata proof, bytes32 localContext) internal view returns (bool) {
        if (s.pc & 3 != 0) return false;
        uint256 insn = _readMem(s.memRoot, s.pc, proof, 0);
        uint256 opcode = insn >> 26;
        bool inDelaySlot = s.nextPC != ((s.pc + 4) & U32);

        if (opcode == 2 || opcode == 3) {
            if (inDelaySlot) return false;
            if (opcode == 3) s.regs[31] = (s.pc + 8) & U32;
            uint256 target = (s.nextPC & 0xF0000000) | ((insn & 0x03FFFFFF) << 2);
            s.pc = s.nextPC;
            s.nextPC = target;
            return true;
        }
        uint256 rs = s.regs[(insn >> 21) & 0x1F];
        if (opcode >= 1 && opcode <= 7) return _branch(s, insn, opcode, rs, inDelaySlot);

        uint256 rtReg = (insn >> 16) & 0x1F;
        uint256 rt = s.regs[rtReg];
        uint256 dest = rtReg;
        uint256 value;
        bool ok = true;

        if (opcode == 0) {
            uint256 funct = insn & 0x3F;
            dest = (insn >> 11) & 0x1F;
            if (funct == 0x08 || funct == 0x09) {
                if (inDelaySlot) return false;
                if (funct == 0x09 && dest != 0) s.regs[dest] = (s.pc + 8) & U32;
                s.pc = s.nextPC;
                s.nextPC = rs;
                return true;
            }
            if (funct == 0x0A || funct == 0x0B) {
                if ((rt == 0) == (funct == 0x0A) && dest != 0) s.regs[dest] = rs;
                _advance(s);
                return true;
            }
            if (funct == 0x0C) return _syscall(s, proof, localContext);
            if ((funct >= 0x10 && funct <= 0x13) || (funct >= 0x18 && funct <= 0x1B)) {
                if (!_hiLo(s, funct, rs, rt, dest)) return false;
                _advance(s);
                return true;
            }
            (ok, value, dest) = _special(insn, funct, rs, rt, dest);
        } else if (opcode < 0x10) {
            value = _immediate(opcode, insn & 0xFFFF, rs);
        } else if (opcode == 0x1C) {
            (ok, value, dest) = _special2(s, insn, rs, rt);
        } else if (opcode == 0x1F) {
            (ok, value, dest) = _special3(insn, rs, rt, rtReg);
        } else if ((opcode >= 0x20 && opcode <= 0x2E) || opcode == 0x30 || opcode == 0x38) {
            (ok, value, dest) = _loadStore(s, insn, proof);
        } else {
            return false;
        }
        if (!ok) return false;
        if (dest != 0) s.regs[dest] = value & U32;
        _advance(s);
        return true;
    }

    function _advance(State memory s) internal pure {
        s.pc = s.nextPC;
        s.nextPC = (s.nextPC + 4) & U32;
    }

    function _branch(State memory s, uint256 insn, uint256 opcode, uint256 rs, bool inDelaySlot)
        internal
        pure
        returns (bool)
    {
        if (inDelaySlot) return false;
        bool taken;
        bool negative = rs & 0x80000000 != 0;
        if (opcode == 4) taken = rs == s.regs[(insn >> 16) & 0x1F];
        else if (opcode == 5) taken = rs != s.regs[(insn >> 16) & 0x1F];
        else if (opcode == 6) taken = rs == 0 || negative;
        else if (opcode == 7) taken = rs != 0 && !negative;
        else {
            uint256 regimm = (insn >> 16) & 0x1F;
            if (regimm == 0x00 || regimm == 0x10) taken = negative;
            else if (regimm == 0x01 || regimm == 0x11) taken = !negative;
            else return false;
            if (regimm & 0x10 != 0) s.regs[31] = (s.pc + 8) & U32;
        }
        uint256 prevPC = s.pc;
        s.pc = s.nextPC;
        if (taken) s.nextPC = (prevPC + 4 + (_sext16(insn & 0xFFFF) << 2)) & U32;
        else s.nextPC = (s.nextPC + 4) & U32;
        return true;
    }

    function _special(uint256 insn, uint256 funct, uint256 rs, uint256 rt, uint256 dest)
        internal
        pure
        returns (bool, uint256, uint256)
    {
        uint256 shamt = (insn >> 6) & 0x1F;
        if (funct == 0x00) return (true, (rt << shamt) & U32, dest);
        if (funct == 0x02) {
            uint256 rsField = (insn >> 21) & 0x1F;
            if (rsField == 0) return (true, rt >> shamt, dest);
            if (rsField == 1) return (true, ((rt >> shamt) | (rt << (32 - shamt))) & U32, dest);
            return (false, 0, 0);
        }
        if (funct == 0x03) return (true, uint256(_signed(rt) >> shamt) & U32, dest);
        if (funct == 0x04) return (true, (rt << (rs & 0x1F)) & U32, dest);
        if (funct == 0x06) {
            uint256 amount = rs & 0x1F;
            if (shamt == 0) return (true, rt >> amount, dest);
            if (shamt == 1) return (true, ((rt >> amount) | (rt << (32 - amount))) & U32, dest);
            return (false, 0, 0);
        }
        if (funct == 0x07) return (true, uint256(_signed(rt) >> (rs & 0x1F)) & U32, dest);
        if (funct == 0x0F) return (true, 0, 0); // sync
        if (funct == 0x20 || funct == 0x21) return (true, (rs + rt) & U32, dest);
        if (funct == 0x22 || funct == 0x23) return (true, (rs + (1 << 32) - rt) & U32, dest);
        if (funct == 0x24) return (true, rs & rt, dest);
        if (funct == 0x25) return (true, rs | rt, dest);
        if (funct == 0x26) return (true, rs ^ rt, dest);
        if (funct == 0x27) return (true, ~(rs | rt) & U32, dest);
        if (funct == 0x2A) return (true, _signed(rs) < _signed(rt) ? 1 : 0, dest);
        if (funct == 0x2B) return (true, rs < rt ? 1 : 0, dest);
        if (funct == 0x34) return (rs != rt, 0, 0); // teq traps: a panic
        return (false, 0, 0);
    }

    function _immediate(uint256 opcode, uint256 imm, uint256 rs) internal pure returns (uint256) {
        if (opcode == 0x08 || opcode == 0x09) return (rs + _sext16(imm)) & U32;
        if (opcode == 0x0A) return _signed(rs) < _signed(_sext16(imm)) ? 1 : 0;
        if (opcode == 0x0B) return rs < _sext16(imm) ? 1 : 0;
        if (opcode == 0x0C) return rs & imm;
        if (opcode == 0x0D) return rs | imm;
        if (opcode == 0x0E) return rs ^ imm;
        return imm << 16; // 0x0F lui
    }

    function _special2(State memory s, uint256 insn, uint256 rs, uint256 rt)
        internal
        pure
        returns (bool, uint256, uint256)
    {
        uint256 funct = insn & 0x3F;
        uint256 rd = (insn >> 11) & 0x1F;
        if (funct == 0x02) return (true, uint256(_signed(rs) * _signed(rt)) & U32, rd);
        if (funct == 0x00 || funct == 0x01 || funct == 0x04 || funct == 0x05) {
            uint256 product = funct & 1 == 1 ? rs * rt : uint256(_signed(rs) * _signed(rt));
            uint256 acc = (s.hi << 32) | s.lo;
            unchecked {
                acc = funct < 4 ? acc + product : acc - product;
            }
            acc &= 0xFFFFFFFFFFFFFFFF;
            s.hi = acc >> 32;
            s.lo = acc & U32;
            return (true, 0, 0);
        }
        if (funct == 0x20 || funct == 0x21) {
            uint256 operand = funct == 0x20 ? rs : rs ^ U32;
            uint256 n = 0;
            while (n < 32 && (operand & (0x80000000 >> n)) == 0) n++;
            return (true, n, rd);
        }
        return (false, 0, 0);
    }

    function _special3(uint256 insn, uint256 rs, uint256 rt, uint256 rtReg)
        internal
        pure
        returns (bool, uint256, uint256)
    {
        uint256 funct = insn & 0x3F;
        uint256 rd = (insn >> 11) & 0x1F;
        uint256 sa = (insn >> 6) & 0x1F;
        if (funct == 0x00) {
            if (sa + rd > 31) return (false, 0, 0);
            return (true, (rs >> sa) & ((1 << (rd + 1)) - 1), rtReg);
        }
        if (funct == 0x04) {
            if (rd < sa) return (false, 0, 0);
            uint256 mask = ((1 << (rd - sa + 1)) - 1) << sa;
            return (true, (rt & ~mask) | ((rs << sa) & mask), rtReg);
        }
        if (funct == 0x20) {
            if (sa == 0x02) return (true, ((rt & 0x00FF00FF) << 8) | ((rt >> 8) & 0x00FF00FF), rd);
            if (sa == 0x10) return (true, (rt & 0x80) != 0 ? (rt & 0xFF) | 0xFFFFFF00 : rt & 0xFF, rd);
            if (sa == 0x18) return (true, (rt & 0x8000) != 0 ? (rt & 0xFFFF) | 0xFFFF0000 : rt & 0xFFFF, rd);
        }
        return (false, 0, 0);
    }

    function _loadStore(State memory s, uint256 insn, bytes calldata proof) internal pure returns (bool, uint256, uint256) {
        uint256 opcode = insn >> 26;
        if (opcode == 0x27 || opcode == 0x2C || opcode == 0x2D) return (false, 0, 0);
        uint256 rtReg = (insn >> 16) & 0x1F;
        uint256 rt = s.regs[rtReg];
        uint256 addr = (s.regs[(insn >> 21) & 0x1F] + _sext16(insn & 0xFFFF)) & U32;
        uint256 wordAddr = addr & 0xFFFFFFFC;
        uint256 mem = _readMem(s.memRoot, wordAddr, proof, 1);
        uint256 byteShift = (addr & 3) * 8;
        if (opcode >= 0x28 && opcode != 0x30) {
            if (opcode == 0x28) {
                uint256 shift = 24 - byteShift;
                mem = (mem & ~(0xFF << shift) & U32) | ((rt & 0xFF) << shift);
            } else if (opcode == 0x29) {
                uint256 shift = 16 - (addr & 2) * 8;
                mem = (mem & ~(0xFFFF << shift) & U32) | ((rt & 0xFFFF) << shift);
            } else if (opcode == 0x2A) {
                uint256 mask = U32 >> byteShift;
                mem = (mem & ~mask & U32) | (rt >> byteShift);
            } else if (opcode == 0x2B || opcode == 0x38) {
                mem = rt;
            } else if (opcode == 0x2E) {
                uint256 shift = 24 - byteShift;
                uint256 mask = (U32 << shift) & U32;
                mem = (mem & ~mask & U32) | ((rt << shift) & U32);
            } else {
                return (false, 0, 0);
            }
            s.memRoot = _writeMem(wordAddr, proof, 1, mem);
            return (true, 1, opcode == 0x38 ? rtReg : 0);
        }
        uint256 value;
        if (opcode == 0x20) {
            value = (mem >> (24 - byteShift)) & 0xFF;
            if (value & 0x80 != 0) value |= 0xFFFFFF00;
        } else if (opcode == 0x21) {
            value = (mem >> (16 - (addr & 2) * 8)) & 0xFFFF;
            if (value & 0x8000 != 0) value |= 0xFFFF0000;
        } else if (opcode == 0x22) {
            uint256 mask = (U32 << byteShift) & U32;
            value = (rt & ~mask & U32) | ((mem << byteShift) & U32);
        } else if (opcode == 0x23 || opcode == 0x30) {
            value = mem;
        } else if (opcode == 0x24) {
            value = (mem >> (24 - byteShift)) & 0xFF;
        } else if (opcode == 0x25) {
            value = (mem >> (16 - (addr & 2) * 8)) & 0xFFFF;
        } else {
            uint256 shift = 24 - byteShift;
            uint256 mask = U32 >> shift;
            value = (rt & ~mask & U32) | (mem >> shift);
        }
        return (true, value, rtReg);
    }

    function _hiLo(State memory s, uint256 funct, uint256 rs, uint256 rt, uint256 dest) internal pure returns (bool) {
        if (funct == 0x10) {
            if (dest != 0) s.regs[dest] = s.hi;
        } else if (funct == 0x11) {
            s.hi = rs;
        } else if (funct == 0x12) {
            if (dest != 0) s.regs[dest] = s.lo;
        } else if (funct == 0x13) {
            s.lo = rs;
        } else if (funct == 0x18 || funct == 0x19) {
            uint256 product = funct == 0x18 ? uint256(_signed(rs) * _signed(rt)) : rs * rt;
            product &= 0xFFFFFFFFFFFFFFFF;
            s.hi = product >> 32;
            s.lo = product & U32;
        } else {
            if (rt == 0) return false;
            if (funct == 0x1A) {
                int256 a = _signed(rs);
                int256 b = _signed(rt);
                // Solidity's signed division truncates toward zero, like MIPS.
                s.lo = uint256(a / b) & U32;
                s.hi = uint256(a % b) & U32;
            } else {
                s.lo = rs / rt;
                s.hi = rs % rt;
            }
        }
        return true;
    }

    // -- system calls ------------------------------------------------------------------------

    function _syscall(State memory s, bytes calldata proof, bytes32 localContext) internal view returns (bool) {
        uint256 number = s.regs[2];
        uint256 a0 = s.regs[4];
        uint256 a1 = s.regs[5];
        uint256 a2 = s.regs[6];
        uint256 v0 = 0;
        uint256 v1 = 0;
        if (number == 4090) {
            uint256 size = a1;
            if (size & 0xFFF != 0) size += 0x1000 - (size & 0xFFF);
            if (a0 == 0) {
                v0 = s.heap;
                s.heap = (s.heap + size) & U32;
            } else {
                v0 = a0;
            }
        } else if (number == 4045) {
            v0 = 0x40000000;
        } else if (number == 4120) {
            v0 = 1;
        } else if (number == 4246) {
            s.exited = true;
            s.exitCode = a0 & 0xFF;
            return true;
        } else if (number == 4003) {
            if (a0 == 0) {
                // stdin is empty
            } else if (a0 == 5) {
                v0 = _readPreimage(s, a1, a2, proof, localContext);
            } else if (a0 == 3) {
                v0 = a2;
            } else {
                (v0, v1) = (U32, 9);
            }
        } else if (number == 4004) {
            if (a0 == 1 || a0 == 2 || a0 == 4) {
                v0 = a2;
            } else if (a0 == 6) {
                v0 = _writePreimageKey(s, a1, a2, proof);
            } else {
                (v0, v1) = (U32, 9);
            }
        } else if (number == 4055) {
            if (a1 == 3 || a1 == 1) {
                if (a0 == 0 || a0 == 3 || a0 == 5) v0 = 0;
                else if (a0 == 1 || a0 == 2 || a0 == 4 || a0 == 6) v0 = a1 == 3 ? 1 : 0;
                else (v0, v1) = (U32, 9);
            } else {
                (v0, v1) = (U32, 22);
            }
        }
        s.regs[2] = v0;
        s.regs[7] = v1;
        _advance(s);
        return true;
    }

    function _readPreimage(State memory s, uint256 a1, uint256 a2, bytes calldata proof, bytes32 localContext)
        internal
        view
        returns (uint256)
    {
        uint256 addr = a1 & 0xFFFFFFFC;
        uint256 mem = _readMem(s.memRoot, addr, proof, 1);
        bytes32 key = s.preimageKey;
        if (uint8(uint256(key) >> 248) == PreimageKeyLib.LOCAL) {
            key = PreimageKeyLib.localize(key, localContext, msg.sender);
        }
        (bytes32 dat, uint256 datLen) = oracle.readPreimage(key, s.preimageOffset);
        uint256 alignment = a1 & 3;
        if (4 - alignment < datLen) datLen = 4 - alignment;
        if (a2 < datLen) datLen = a2;
        for (uint256 i = 0; i < datLen; i++) {
            uint256 shift = 24 - 8 * (alignment + i);
            uint256 b = uint8(dat[i]);
            mem = (mem & ~(uint256(0xFF) << shift)) | (b << shift);
        }
        s.memRoot = _writeMem(addr, proof, 1, mem);
        s.preimageOffset += datLen;
        return datLen;
    }

    function _writePreimageKey(State memory s, uint256 a1, uint256 a2, bytes calldata proof)
        internal
        pure
        returns (uint256)
    {
        uint256 addr = a1 & 0xFFFFFFFC;
        uint256 mem = _readMem(s.memRoot, addr, proof, 1);
        uint256 alignment = a1 & 3;
        uint256 length = 4 - alignment < a2 ? 4 - alignment : a2;
        uint256 bytes_ = (mem >> (8 * (4 - alignment - length))) & ((1 << (8 * length)) - 1);
        s.preimageKey = bytes32((uint256(s.preimageKey) << (8 * length)) | bytes_);
        s.preimageOffset = 0;
        return length;
    }
}
