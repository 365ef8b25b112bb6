/*
 * fp_sys.h - the system-call boundary, implemented once per target.
 *
 * syscall_mips.c speaks the o32 numbers of the fault-proof VM (SPEC §8);
 * syscall_native.c speaks x86-64 Linux. Both also provide _start, which
 * calls fp_start(argc, argv) below; fp_start runs main and exits with its
 * return value. Nothing else in the program touches the system directly.
 */
#ifndef FP_SYS_H
#define FP_SYS_H

#include <stddef.h>

long fp_sys_read(int fd, void *buf, size_t n);
long fp_sys_write(int fd, const void *buf, size_t n);
__attribute__((noreturn)) void fp_sys_exit_group(int code);
/* Anonymous private read-write mapping of n bytes (a multiple of the page
 * size); returns NULL on failure. */
void *fp_sys_mmap(size_t n);

int main(int argc, char **argv);
__attribute__((noreturn)) void fp_start(int argc, char **argv);

#endif
