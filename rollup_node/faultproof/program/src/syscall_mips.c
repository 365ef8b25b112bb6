/*
 * syscall_mips.c - system calls and process entry for the fault-proof VM
 * (big-endian MIPS32, o32 system-call numbers, SPEC §8).
 *
 * The VM implements read, write, mmap and exit_group; it ignores mmap's
 * flags and bump-allocates from its heap pointer when the address is 0.
 * The full Linux argument list is still passed so the binary also runs under
 * a Linux MIPS emulator.
 */
#include "fp_sys.h"

#include <stdint.h>

#define SYS_READ 4003
#define SYS_WRITE 4004
#define SYS_MMAP 4090
#define SYS_EXIT_GROUP 4246

/* o32: number in $v0, arguments in $a0..$a3 (5th, 6th at 16($sp), 20($sp)),
 * result in $v0, $a3 != 0 on error. */
static long sys3(long nr, long a, long b, long c) {
    register long v0 __asm__("$2") = nr;
    register long a0 __asm__("$4") = a;
    register long a1 __asm__("$5") = b;
    register long a2 __asm__("$6") = c;
    register long a3 __asm__("$7");
    __asm__ volatile("syscall"
                     : "+r"(v0), "=r"(a3)
                     : "r"(a0), "r"(a1), "r"(a2)
                     : "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24",
                       "$25", "hi", "lo", "memory");
    return a3 ? -v0 : v0;
}

long fp_sys_read(int fd, void *buf, size_t n) { return sys3(SYS_READ, fd, (long)buf, (long)n); }

long fp_sys_write(int fd, const void *buf, size_t n) {
    return sys3(SYS_WRITE, fd, (long)buf, (long)n);
}

void fp_sys_exit_group(int code) {
    for (;;) sys3(SYS_EXIT_GROUP, code, 0, 0);
}

void *fp_sys_mmap(size_t n) {
    register long v0 __asm__("$2") = SYS_MMAP;
    register long a0 __asm__("$4") = 0;
    register long a1 __asm__("$5") = (long)n;
    register long a2 __asm__("$6") = 3;     /* PROT_READ|PROT_WRITE */
    register long a3 __asm__("$7") = 0x802; /* MAP_PRIVATE|MAP_ANONYMOUS (MIPS values) */
    __asm__ volatile("addiu $sp, $sp, -24\n\t"
                     "li $8, -1\n\t"
                     "sw $8, 16($sp)\n\t"
                     "sw $0, 20($sp)\n\t"
                     "syscall\n\t"
                     "addiu $sp, $sp, 24"
                     : "+r"(v0), "+r"(a3)
                     : "r"(a0), "r"(a1), "r"(a2)
                     : "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24",
                       "$25", "hi", "lo", "memory");
    if (a3 != 0) return NULL;
    return (void *)v0;
}

/* Entry: $sp points at argc, argv follows (the Linux layout the VM's loader
 * reproduces). Sets $gp for small-data addressing, aligns the stack and
 * reserves the o32 argument save area before calling fp_start. */
__asm__(".text\n"
        ".set noreorder\n"
        ".global _start\n"
        ".type _start, @function\n"
        "_start:\n"
        "  lui $gp, %hi(_gp)\n"
        "  addiu $gp, $gp, %lo(_gp)\n"
        "  lw $4, 0($sp)\n"
        "  addiu $5, $sp, 4\n"
        "  li $8, -8\n"
        "  and $sp, $sp, $8\n"
        "  addiu $sp, $sp, -32\n"
        "  jal fp_start\n"
        "  nop\n"
        "1:\n"
        "  b 1b\n"
        "  nop\n"
        ".set reorder\n");
