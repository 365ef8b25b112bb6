/*
 * syscall_native.c - system calls and process entry for the native
 * (x86-64 Linux) build, used for fast tests and by the proposer's check.
 */
#include "fp_sys.h"

#include <stdint.h>

static long sys3(long nr, long a, long b, long c) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}

static long sys6(long nr, long a, long b, long c, long d, long e, long f) {
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

long fp_sys_read(int fd, void *buf, size_t n) {
    for (;;) {
        long r = sys3(0, fd, (long)buf, (long)n);
        if (r != -4) return r; /* retry on EINTR */
    }
}

long fp_sys_write(int fd, const void *buf, size_t n) {
    for (;;) {
        long r = sys3(1, fd, (long)buf, (long)n);
        if (r != -4) return r;
    }
}

void fp_sys_exit_group(int code) {
    for (;;) sys3(231, code, 0, 0);
}

void *fp_sys_mmap(size_t n) {
    /* PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS */
    long r = sys6(9, 0, (long)n, 3, 0x22, -1, 0);
    if (r < 0 && r > -4096) return NULL;
    return (void *)r;
}

/* The kernel enters with argc at (%rsp) and argv after it. */
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "  xor %rbp, %rbp\n"
        "  mov (%rsp), %rdi\n"
        "  lea 8(%rsp), %rsi\n"
        "  and $-16, %rsp\n"
        "  call fp_start\n"
        "  hlt\n");
