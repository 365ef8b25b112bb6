/*
 * frame.c - call frames, their stacks and buffers, pooled by call depth.
 *
 * At most one frame is live per depth, so each depth keeps its allocations
 * (a 1024-word stack, memory, return data, output, jump table) for reuse by
 * the next frame at that depth.
 */
#include "vm.h"

static struct evm_frame *pool[DEPTH_LIMIT + 1];

void bytes_resize(struct evm_bytes *b, size_t len)
{
    if (len > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < len)
            cap *= 2;
        b->data = realloc(b->data, cap);
        b->cap = cap;
    }
    if (len > b->len)
        memset(b->data + b->len, 0, len - b->len);
    b->len = len;
}

void bytes_assign(struct evm_bytes *b, const uint8_t *data, size_t len)
{
    b->len = 0;
    bytes_resize(b, len);
    if (len)
        memcpy(b->data, data, len);
}

/* Mark the JUMPDEST bytes that are opcodes, not PUSH data. */
static void analyse_jumpdests(struct evm_frame *f, size_t *jumpdest_cap)
{
    size_t n = f->msg->code_len, bytes = n / 8 + 1;
    if (bytes > *jumpdest_cap) {
        f->jumpdests = realloc(f->jumpdests, bytes);
        *jumpdest_cap = bytes;
    }
    memset(f->jumpdests, 0, bytes);
    const uint8_t *code = f->msg->code;
    for (size_t i = 0; i < n; i++) {
        uint8_t op = code[i];
        if (op == 0x5b)
            f->jumpdests[i / 8] |= (uint8_t)(1u << (i % 8));
        else if (op >= 0x60 && op <= 0x7f)
            i += op - 0x5f;
    }
}

struct pooled_frame {
    struct evm_frame frame;
    size_t jumpdest_cap;
};

struct evm_frame *frame_acquire(struct evm *evm, const struct evm_message *msg)
{
    unsigned depth = msg->depth;
    struct pooled_frame *p = (struct pooled_frame *)pool[depth];
    if (!p) {
        p = calloc(1, sizeof *p);
        p->frame.stack = malloc(sizeof(u256) * STACK_LIMIT);
        pool[depth] = &p->frame;
    }
    struct evm_frame *f = &p->frame;
    f->evm = evm;
    f->msg = msg;
    f->sp = 0;
    f->memory.len = 0;
    f->return_data.len = 0;
    f->output.len = 0;
    f->pc = 0;
    f->gas_left = msg->gas;
    f->refund = 0;
    f->status = EVM_RUNNING;
    f->log_mark = 0;
    analyse_jumpdests(f, &p->jumpdest_cap);
    return f;
}

const uint8_t *memory_at(struct evm_frame *f, const u256 *offset, const u256 *size)
{
    if (u256_is_zero(size))
        return f->memory.data;
    return f->memory.data + u256_low64(offset);
}

void copy_padded(uint8_t *dst, const uint8_t *src, size_t src_len, const u256 *offset,
                 size_t size)
{
    size_t start = (size_t)u256_clamp_u64(offset, src_len);
    size_t avail = src_len - start;
    size_t n = size < avail ? size : avail;
    if (n)
        memcpy(dst, src + start, n);
    if (size > n)
        memset(dst + n, 0, size - n);
}
