/*
 * fp_libc.c - allocator, memory routines, I/O and panic (see fp_libc.h).
 */
#define FP_LIBC_IMPL
#include "fp_libc.h"
#include "fp_sys.h"

/* ---- memory routines ----
 * Plain byte loops (word loops where both pointers align). The build passes
 * -fno-tree-loop-distribute-patterns so gcc never turns these loops back into
 * calls to themselves. */

void *memcpy(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & (sizeof(uintptr_t) - 1)) == 0) {
        while (n >= sizeof(uintptr_t)) {
            *(uintptr_t *)(void *)d = *(const uintptr_t *)(const void *)s;
            d += sizeof(uintptr_t);
            s += sizeof(uintptr_t);
            n -= sizeof(uintptr_t);
        }
    }
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    while (n--) d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    uint8_t *d = dst;
    uint8_t b = (uint8_t)c;
    if (((uintptr_t)d & (sizeof(uintptr_t) - 1)) == 0) {
        uintptr_t w = (uintptr_t)b * (uintptr_t)(~(uintptr_t)0 / 0xff);
        while (n >= sizeof(uintptr_t)) {
            *(uintptr_t *)(void *)d = w;
            d += sizeof(uintptr_t);
            n -= sizeof(uintptr_t);
        }
    }
    while (n--) *d++ = b;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

/* ---- allocator ----
 * A block of class k occupies 2^k bytes: a 16-byte header holding k, then the
 * payload. Freed blocks go on their class's free list and are reused first;
 * fresh blocks are carved from the current arena, refilled from the system
 * in chunks of at least FP_ARENA_CHUNK bytes. Deterministic by construction,
 * which the MIPS build needs (the trace must be reproducible). */

#define FP_HDR 16u
#define FP_MIN_CLASS 5u
#define FP_MAX_CLASS 31u
#define FP_ARENA_CHUNK ((size_t)1 << 20)
#define FP_PAGE ((size_t)4096)

typedef struct fp_free_block {
    struct fp_free_block *next;
} fp_free_block;

static fp_free_block *free_lists[FP_MAX_CLASS + 1];
static uint8_t *arena_next;
static uint8_t *arena_end;
static size_t heap_reserved;

size_t fp_heap_reserved(void) { return heap_reserved; }

static unsigned size_class(size_t n) {
    if (n > ((size_t)1 << FP_MAX_CLASS) - FP_HDR) fp_panic("malloc: request too large");
    unsigned k = FP_MIN_CLASS;
    while (((size_t)1 << k) - FP_HDR < n) k++;
    return k;
}

static uint8_t *arena_take(size_t size) {
    if ((size_t)(arena_end - arena_next) < size) {
        size_t chunk = size > FP_ARENA_CHUNK ? size : FP_ARENA_CHUNK;
        chunk = (chunk + FP_PAGE - 1) & ~(FP_PAGE - 1);
        uint8_t *mem = fp_sys_mmap(chunk);
        if (mem == NULL) fp_panic("malloc: out of memory");
        heap_reserved += chunk;
        arena_next = mem;
        arena_end = mem + chunk;
    }
    uint8_t *p = arena_next;
    arena_next += size;
    return p;
}

void *malloc(size_t n) {
    unsigned k = size_class(n);
    uint8_t *block;
    if (free_lists[k] != NULL) {
        block = (uint8_t *)free_lists[k];
        free_lists[k] = free_lists[k]->next;
    } else {
        block = arena_take((size_t)1 << k);
    }
    *(size_t *)(void *)block = k;
    return block + FP_HDR;
}

void free(void *p) {
    if (p == NULL) return;
    uint8_t *block = (uint8_t *)p - FP_HDR;
    size_t k = *(size_t *)(void *)block;
    fp_free_block *f = (fp_free_block *)(void *)block;
    f->next = free_lists[k];
    free_lists[k] = f;
}

void *calloc(size_t count, size_t size) {
    if (size != 0 && count > (size_t)-1 / size) fp_panic("calloc: overflow");
    void *p = malloc(count * size);
    memset(p, 0, count * size);
    return p;
}

void *realloc(void *p, size_t n) {
    if (p == NULL) return malloc(n);
    size_t k = *(size_t *)(void *)((uint8_t *)p - FP_HDR);
    size_t capacity = ((size_t)1 << k) - FP_HDR;
    if (n <= capacity) return p;
    void *q = malloc(n);
    memcpy(q, p, capacity);
    free(p);
    return q;
}

/* ---- I/O ---- */

long fp_write(int fd, const void *buf, size_t n) { return fp_sys_write(fd, buf, n); }
long fp_read(int fd, void *buf, size_t n) { return fp_sys_read(fd, buf, n); }

void fp_write_all(int fd, const void *buf, size_t n) {
    const uint8_t *p = buf;
    while (n > 0) {
        long w = fp_sys_write(fd, p, n);
        if (w <= 0) fp_panic("write failed");
        p += w;
        n -= (size_t)w;
    }
}

void fp_read_all(int fd, void *buf, size_t n) {
    uint8_t *p = buf;
    while (n > 0) {
        long r = fp_sys_read(fd, p, n);
        if (r <= 0) fp_panic("read failed");
        p += r;
        n -= (size_t)r;
    }
}

void fp_exit(int code) { fp_sys_exit_group(code); }

void fp_puts(int fd, const char *s) { fp_sys_write(fd, s, strlen(s)); }

void fp_panic(const char *msg) {
    fp_puts(FP_FD_STDERR, "panic: ");
    fp_puts(FP_FD_STDERR, msg);
    fp_puts(FP_FD_STDERR, "\n");
    fp_sys_exit_group(FP_EXIT_PANIC);
}

void fp_put_hex(int fd, const uint8_t *data, size_t n) {
    static const char digits[] = "0123456789abcdef";
    char buf[128];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        buf[used++] = digits[data[i] >> 4];
        buf[used++] = digits[data[i] & 15];
        if (used == sizeof buf) {
            fp_write_all(fd, buf, used);
            used = 0;
        }
    }
    if (used) fp_write_all(fd, buf, used);
}

void fp_put_u64(int fd, uint64_t v) {
    char buf[20];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + (unsigned)(v % 10));
        v /= 10;
    } while (v);
    fp_write_all(fd, buf + i, sizeof buf - i);
}

/* ---- process start ---- */

void fp_start(int argc, char **argv) { fp_sys_exit_group(main(argc, argv)); }
