# Entry point of the VM test program: argc/argv from the loader's start block, then
# exit_group(main(argc, argv)).
    .set noreorder
    .section .text.start, "ax"
    .globl _start
_start:
    lui   $gp, %hi(_gp)
    addiu $gp, $gp, %lo(_gp)
    lw    $a0, 0($sp)
    addiu $a1, $sp, 4
    addiu $sp, $sp, -16
    jal   main
    nop
    move  $a0, $v0
    li    $v0, 4246
    syscall
1:  b     1b
    nop
