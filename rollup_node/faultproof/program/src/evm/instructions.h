/*
 * instructions.h - the opcode implementations, grouped by file as in
 * execution-specs' vm/instructions/. Each one runs after the interpreter has
 * checked the stack bounds and charged the static gas of op_table, with pc
 * already past the opcode byte.
 */
#ifndef EVM_INSTRUCTIONS_H
#define EVM_INSTRUCTIONS_H

#include "vm.h"

/* arithmetic */
void op_add(struct evm_frame *f);
void op_mul(struct evm_frame *f);
void op_sub(struct evm_frame *f);
void op_div(struct evm_frame *f);
void op_sdiv(struct evm_frame *f);
void op_mod(struct evm_frame *f);
void op_smod(struct evm_frame *f);
void op_addmod(struct evm_frame *f);
void op_mulmod(struct evm_frame *f);
void op_exp(struct evm_frame *f);
void op_signextend(struct evm_frame *f);
/* comparison and bitwise */
void op_lt(struct evm_frame *f);
void op_gt(struct evm_frame *f);
void op_slt(struct evm_frame *f);
void op_sgt(struct evm_frame *f);
void op_eq(struct evm_frame *f);
void op_iszero(struct evm_frame *f);
void op_and(struct evm_frame *f);
void op_or(struct evm_frame *f);
void op_xor(struct evm_frame *f);
void op_not(struct evm_frame *f);
void op_byte(struct evm_frame *f);
void op_shl(struct evm_frame *f);
void op_shr(struct evm_frame *f);
void op_sar(struct evm_frame *f);
/* memory and keccak */
void op_keccak256(struct evm_frame *f);
void op_mload(struct evm_frame *f);
void op_mstore(struct evm_frame *f);
void op_mstore8(struct evm_frame *f);
void op_msize(struct evm_frame *f);
void op_mcopy(struct evm_frame *f);
/* environment */
void op_address(struct evm_frame *f);
void op_balance(struct evm_frame *f);
void op_origin(struct evm_frame *f);
void op_caller(struct evm_frame *f);
void op_callvalue(struct evm_frame *f);
void op_calldataload(struct evm_frame *f);
void op_calldatasize(struct evm_frame *f);
void op_calldatacopy(struct evm_frame *f);
void op_codesize(struct evm_frame *f);
void op_codecopy(struct evm_frame *f);
void op_gasprice(struct evm_frame *f);
void op_extcodesize(struct evm_frame *f);
void op_extcodecopy(struct evm_frame *f);
void op_returndatasize(struct evm_frame *f);
void op_returndatacopy(struct evm_frame *f);
void op_extcodehash(struct evm_frame *f);
void op_selfbalance(struct evm_frame *f);
void op_blobhash(struct evm_frame *f);
/* block */
void op_blockhash(struct evm_frame *f);
void op_coinbase(struct evm_frame *f);
void op_timestamp(struct evm_frame *f);
void op_number(struct evm_frame *f);
void op_prevrandao(struct evm_frame *f);
void op_gaslimit(struct evm_frame *f);
void op_chainid(struct evm_frame *f);
void op_basefee(struct evm_frame *f);
void op_blobbasefee(struct evm_frame *f);
/* storage */
void op_sload(struct evm_frame *f);
void op_sstore(struct evm_frame *f);
void op_tload(struct evm_frame *f);
void op_tstore(struct evm_frame *f);
/* control flow */
void op_stop(struct evm_frame *f);
void op_jump(struct evm_frame *f);
void op_jumpi(struct evm_frame *f);
void op_pc(struct evm_frame *f);
void op_gas(struct evm_frame *f);
void op_jumpdest(struct evm_frame *f);
void op_invalid(struct evm_frame *f);
/* stack */
void op_pop(struct evm_frame *f);
void op_push(struct evm_frame *f);
void op_dup(struct evm_frame *f);
void op_swap(struct evm_frame *f);
/* logging */
void op_log(struct evm_frame *f);
/* system */
void op_create(struct evm_frame *f);
void op_call(struct evm_frame *f);
void op_callcode(struct evm_frame *f);
void op_return(struct evm_frame *f);
void op_delegatecall(struct evm_frame *f);
void op_create2(struct evm_frame *f);
void op_staticcall(struct evm_frame *f);
void op_revert(struct evm_frame *f);
void op_selfdestruct(struct evm_frame *f);

#endif
