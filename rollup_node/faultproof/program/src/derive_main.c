/*
 * derive_main.c - runs the program up to derivation (program.h) and prints
 * the derived block, for tests of SPEC §6 without an EVM. Output lines:
 *   derivable 0|1
 *   origin <number> <hash>
 *   sequence <n>
 *   fallback 0|1
 *   malformed 0|1
 *   deposit <hex>     (one per deposit, the L1-info deposit first)
 *   tx <hex>          (one per sequenced transaction)
 * and on stderr the number of keccak-f permutations it ran.
 */
#include "fp_libc.h"
#include "keccak.h"
#include "program.h"

static void line_u64(const char *name, uint64_t v) {
    fp_puts(FP_FD_STDOUT, name);
    fp_puts(FP_FD_STDOUT, " ");
    fp_put_u64(FP_FD_STDOUT, v);
    fp_puts(FP_FD_STDOUT, "\n");
}

static void line_hex(const char *name, const uint8_t *data, size_t len) {
    fp_puts(FP_FD_STDOUT, name);
    fp_puts(FP_FD_STDOUT, " ");
    fp_put_hex(FP_FD_STDOUT, data, len);
    fp_puts(FP_FD_STDOUT, "\n");
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    static program_inputs p;
    program_derive(&p);
    fp_puts(FP_FD_STDERR, "keccak-f permutations ");
    fp_put_u64(FP_FD_STDERR, keccak_permutation_count());
    fp_puts(FP_FD_STDERR, "\n");
    line_u64("derivable", (uint64_t)p.derivable);
    if (!p.derivable) return 0;
    const derived_block *b = &p.block;
    fp_puts(FP_FD_STDOUT, "origin ");
    fp_put_u64(FP_FD_STDOUT, b->origin.number);
    fp_puts(FP_FD_STDOUT, " ");
    fp_put_hex(FP_FD_STDOUT, b->origin.hash, 32);
    fp_puts(FP_FD_STDOUT, "\n");
    line_u64("sequence", b->sequence_number);
    line_u64("fallback", (uint64_t)b->fallback);
    line_u64("malformed", (uint64_t)b->batch_malformed);
    for (size_t i = 0; i < b->deposit_count; i++)
        line_hex("deposit", b->deposits[i].data, b->deposits[i].len);
    for (size_t i = 0; i < b->tx_count; i++) line_hex("tx", b->txs[i].data, b->txs[i].len);
    return 0;
}
