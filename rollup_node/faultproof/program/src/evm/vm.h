/*
 * vm.h - the interpreter's internal types: the environment of a block and a
 * transaction, a message (one call or creation), and a running call frame.
 *
 * Gas is a uint64_t everywhere. Errors are status codes carried in the frame;
 * every exceptional halt consumes all of the frame's gas, a revert does not.
 */
#ifndef EVM_VM_H
#define EVM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../fp_libc.h"
#include "evm.h"
#include "state.h"
#include "uint256.h"

#define STACK_LIMIT 1024
#define DEPTH_LIMIT 1024
#define MAX_CODE_SIZE 0x6000
#define MAX_INITCODE_SIZE (2 * MAX_CODE_SIZE)

enum evm_status {
    EVM_RUNNING = 0,
    EVM_STOPPED,               /* STOP, RETURN, SELFDESTRUCT or end of code */
    EVM_REVERTED,              /* REVERT: keeps the gas left */
    EVM_ERR_OUT_OF_GAS,        /* exceptional halts from here on */
    EVM_ERR_STACK_UNDERFLOW,
    EVM_ERR_STACK_OVERFLOW,
    EVM_ERR_INVALID_JUMP,
    EVM_ERR_INVALID_OPCODE,
    EVM_ERR_WRITE_IN_STATIC,
    EVM_ERR_RETURN_DATA_OUT_OF_BOUNDS,
    EVM_ERR_INVALID_CONTRACT_PREFIX,
    EVM_ERR_ADDRESS_COLLISION,
    EVM_ERR_PRECOMPILE_FAILED,
};

static inline bool status_is_error(int status)
{
    return status >= EVM_REVERTED;
}

/* Per-transaction environment. */
struct evm_tx_env {
    evm_address origin;
    u256 gas_price;
};

/* Everything a running transaction shares across its frames. */
struct evm {
    struct evm_state *state;
    const struct evm_block_env *block;
    struct evm_tx_env tx;
};

struct evm_message {
    evm_address caller;
    evm_address target;       /* current target: whose storage and balance */
    evm_address code_address; /* whose code runs (differs for CALLCODE/DELEGATECALL) */
    u256 value;
    const uint8_t *data;
    size_t data_len;
    const uint8_t *code;
    size_t code_len;
    uint64_t gas;
    unsigned depth;
    bool is_create;
    bool is_static;
    bool should_transfer_value;
};

/* A growable byte buffer owned by a frame slot and reused across calls. */
struct evm_bytes {
    uint8_t *data;
    size_t len;
    size_t cap;
};

void bytes_resize(struct evm_bytes *b, size_t len); /* new bytes are zero */
void bytes_assign(struct evm_bytes *b, const uint8_t *data, size_t len);

struct evm_frame {
    struct evm *evm;
    const struct evm_message *msg;
    u256 *stack;
    unsigned sp; /* number of items on the stack */
    struct evm_bytes memory;
    struct evm_bytes return_data; /* output of the last call made from here */
    struct evm_bytes output;      /* this frame's own output */
    uint8_t *jumpdests;           /* bitmap over code positions */
    size_t pc;
    uint64_t gas_left;
    int64_t refund;
    int status;
    size_t log_mark; /* logs before this frame started */
};

/* Frames are pooled by depth so deep recursion allocates once per level. */
struct evm_frame *frame_acquire(struct evm *evm, const struct evm_message *msg);

/* ---- gas (gas.c) ---- */
/* Charge gas; on shortfall sets EVM_ERR_OUT_OF_GAS and returns false. */
bool charge_gas(struct evm_frame *f, uint64_t amount);
/*
 * Cost of growing memory to cover [offset, offset+size) for each region
 * (size 0 needs nothing). Returns false on absurd sizes (out of gas).
 */
bool memory_expansion_cost(const struct evm_frame *f, const u256 *offsets, const u256 *sizes,
                           unsigned regions, uint64_t *cost, uint64_t *new_size);
/* Charge extra + expansion for the regions, then grow memory. */
bool charge_memory(struct evm_frame *f, const u256 *offsets, const u256 *sizes,
                   unsigned regions, uint64_t extra);
uint64_t words(uint64_t bytes);
uint64_t init_code_cost(uint64_t size);
/* all but one 64th */
uint64_t max_message_call_gas(uint64_t gas);

/* ---- stack ---- */
static inline u256 pop(struct evm_frame *f)
{
    return f->stack[--f->sp];
}
static inline void push(struct evm_frame *f, u256 v)
{
    f->stack[f->sp++] = v;
}
static inline u256 *peek(struct evm_frame *f, unsigned depth)
{
    return &f->stack[f->sp - 1 - depth];
}

u256 address_to_word(const evm_address *a);
evm_address word_to_address(const u256 *w);
/* Read memory [offset, offset+size) after charge_memory covered it. */
const uint8_t *memory_at(struct evm_frame *f, const u256 *offset, const u256 *size);
/* Copy src[offset..offset+size) (zero-padded past src_len) into dst[0..size). */
void copy_padded(uint8_t *dst, const uint8_t *src, size_t src_len, const u256 *offset,
                 size_t size);

/* ---- message processing (interpreter.c) ---- */
/* Run a message as the top-level call of a transaction. */
struct evm_frame *process_message_call(struct evm *evm, const struct evm_message *msg);
struct evm_frame *process_message(struct evm *evm, const struct evm_message *msg);
struct evm_frame *process_create_message(struct evm *evm, const struct evm_message *msg);
/* A child finished: fold its gas, refund and status into the parent. */
void incorporate_child(struct evm_frame *parent, const struct evm_frame *child);

/* ---- instructions (instructions.c) ---- */
typedef void (*op_fn)(struct evm_frame *f);
struct op_info {
    op_fn fn;
    uint8_t stack_in;  /* items popped */
    uint8_t stack_out; /* items pushed */
    uint16_t gas;      /* static gas, charged before the body runs */
};
extern const struct op_info op_table[256];

/* ---- precompiles (precompiles.c) ---- */
bool is_precompile(const evm_address *a);
void run_precompile(struct evm_frame *f);

/* ---- addresses (address.c) ---- */
evm_address compute_contract_address(const evm_address *sender, uint64_t nonce);
evm_address compute_create2_address(const evm_address *sender, const uint8_t salt[32],
                                    const uint8_t *init_code, size_t len);

#endif
