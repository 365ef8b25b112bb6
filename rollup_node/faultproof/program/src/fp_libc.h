/*
 * fp_libc.h - the fault-proof program's freestanding runtime.
 *
 * The program links no C library: this header is its whole runtime. It gives
 * one allocator (the same code in the native and the MIPS build, so both runs
 * allocate identically), the memory routines gcc may emit calls to, raw I/O on
 * file descriptors, exit, panic and small printing helpers for debug output.
 *
 * Exit codes follow SPEC §8/§10: 0 = the disputed output root is valid,
 * 1 = it is invalid, anything else (fp_panic uses 2) = panic.
 */
#ifndef FP_LIBC_H
#define FP_LIBC_H

#include <stddef.h>
#include <stdint.h>

#define FP_EXIT_VALID 0
#define FP_EXIT_INVALID 1
#define FP_EXIT_PANIC 2

/* File descriptors of SPEC §8. */
#define FP_FD_STDIN 0
#define FP_FD_STDOUT 1
#define FP_FD_STDERR 2
#define FP_FD_HINT_READ 3
#define FP_FD_HINT_WRITE 4
#define FP_FD_PREIMAGE_READ 5
#define FP_FD_PREIMAGE_WRITE 6

/* ---- memory routines (gcc may emit calls to these) ---- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/*
 * -ffreestanding implies -fno-builtin, which would turn every fixed-size
 * copy into a call. Routing the names through the builtins lets gcc inline
 * small constant sizes and still call the functions above otherwise.
 * fp_libc.c defines FP_LIBC_IMPL to define the real functions.
 */
#ifndef FP_LIBC_IMPL
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#define strlen(s) __builtin_strlen((s))
#endif

/* ---- allocator ----
 * Power-of-two size classes with per-class free lists over memory obtained
 * from the system (mmap) in large chunks. Blocks are 16-byte aligned.
 * Out of memory is a panic. malloc(0) returns a valid unique pointer. */
void *malloc(size_t n);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);
/* Bytes currently obtained from the system (for measurements). */
size_t fp_heap_reserved(void);

/* ---- I/O and process ---- */
/* Raw write/read: return bytes transferred or a negative value on error. */
long fp_write(int fd, const void *buf, size_t n);
long fp_read(int fd, void *buf, size_t n);
/* Loop until all n bytes are written / read; panic on error or EOF. */
void fp_write_all(int fd, const void *buf, size_t n);
void fp_read_all(int fd, void *buf, size_t n);
__attribute__((noreturn)) void fp_exit(int code);
/* Writes "panic: <msg>\n" to stderr and exits with FP_EXIT_PANIC. */
__attribute__((noreturn)) void fp_panic(const char *msg);

/* ---- debug printing (unbuffered) ---- */
void fp_puts(int fd, const char *s);
void fp_put_hex(int fd, const uint8_t *data, size_t n); /* lowercase, no 0x */
void fp_put_u64(int fd, uint64_t v);                    /* decimal */

/* ---- big-endian helpers ---- */
static inline uint64_t fp_be64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}
static inline void fp_put_be64(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; }
}
static inline uint32_t fp_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void fp_put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

#endif
