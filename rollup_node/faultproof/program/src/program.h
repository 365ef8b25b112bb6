/*
 * program.h - the fault-proof program up to execution (SPEC §10 steps 1–2):
 * local inputs, the agreed parent, the L1 head and the derivation of block n.
 *
 * Shared by the program (main.c, which then executes the block) and by the
 * derivation driver (derive_main.c, which prints the derived block for tests
 * without an EVM).
 */
#ifndef PROGRAM_H
#define PROGRAM_H

#include <stdint.h>

#include "block_header.h"
#include "derive.h"
#include "output_root.h"
#include "rollup_config.h"

typedef struct {
    rollup_config cfg;
    uint64_t n;
    uint8_t disputed_root[32];
    output pre;            /* the agreed output of block n - 1 */
    block_header parent;   /* block n - 1 */
    parent_l1_info parent_info;
    int derivable;         /* 0: block n is not in the CTC at the L1 head */
    derived_block block;   /* valid when derivable */
} program_inputs;

/* Read the inputs and derive block n; panics on inconsistent inputs. */
void program_derive(program_inputs *p);

#endif
