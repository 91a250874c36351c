/*
 * preempt_x86_64_sysv_elf.S — the slow path of a stackful preemption point
 * that preserves every register (x86-64, System V ABI, ELF, GNU as).
 *
 * WHY: coro_stackful_preempt_point() (coro.h) sits in the hottest loops of
 * stackful code.  If its slow path is a C call, the compiler must assume the
 * call clobbers every caller-saved register (rax rcx rdx rsi rdi r8-r11,
 * all vector registers), so a loop with a check keeps its values in the six
 * callee-saved GPRs or in stack slots, and no vector value survives the loop
 * body in a register.  Here the check's inline asm `call`s this trampoline
 * and declares no register clobbered (only flags, memory and the x87
 * stack): the trampoline saves what a C call could clobber, calls
 * coro_stackful_yield_preempted_(), and restores it all.  The slow path runs
 * about once per time slice (2 ms), so its cost does not matter; the fast
 * path is the same load and branch as before.
 *
 * Entry contract (the asm in coro.h):
 *     leaq -128(%rsp), %rsp        skip the caller's red zone (the ABI lets a
 *     call coro_stackful_preempt_trampoline_    leaf keep data below rsp)
 *     leaq 128(%rsp), %rsp
 *   rsp alignment is unknown on entry (a leaf need not align it), so the
 *   trampoline aligns its own frame.  The call is direct, never through the
 *   PLT: a PLT stub or the lazy resolver may clobber r10/r11, which is why
 *   the symbol is .hidden (a program links libcoro statically; linking a
 *   shared libcoro would fail at link time instead of silently).
 *
 * Frame (rbp = the entry rsp - 8, rsp aligned down to 64 then lowered by
 * coro_preempt_save_frame_, computed by preempt_save.c):
 *
 *   offset  size   content
 *   0x00    9x8    rax rcx rdx rsi rdi r8 r9 r10 r11
 *   0x48    8      the save mode used (0: SSE, else the XSAVE mask)
 *   0x50    0x30   padding
 *   0x80    ...    SSE mode: xmm0-xmm15 (16 x 16 bytes, movaps)
 *                  XSAVE mode: the XSAVE area (64-byte aligned; its header
 *                  zeroed first, since the stack holds garbage and XSAVE
 *                  leaves the bits of components outside the mask as found)
 *
 * Vector state: with AVX enabled by the OS (XCR0), the upper halves of
 * ymm0-15, and with AVX-512 zmm16-31, the upper halves of zmm0-15 and k0-k7,
 * are live state too, and a translation unit may use them without __AVX__
 * (target attributes), so what to save is decided at run time, not by the
 * caller's compiler flags: preempt_save.c reads XCR0 once and sets
 * coro_preempt_save_mask_ to XCR0 & (SSE | AVX | opmask | ZMM_Hi256 |
 * Hi16_ZMM) when AVX is on (XSAVE then saves exactly those), or 0 on an
 * SSE-only CPU (16 movaps).  The x87 register stack is not saved: the asm
 * declares st(0)-st(7) clobbered, so the compiler keeps nothing there.  Not
 * saved either: AMX tiles and APX registers (no compiler keeps them live
 * across asm today).  MXCSR and the x87 control word are preserved by the
 * context switch (ctx_x86_64_sysv_elf.S).
 *
 * CET: begins with endbr64 (harmless for a direct call); the object carries
 * the IBT note (gnu_property.h).  The call/ret pair matches, so it would suit
 * a shadow stack too.
 */
#if defined(__CET__) && (__CET__ & 1)
#define CORO_ENDBR endbr64
#else
#define CORO_ENDBR
#endif
#if defined(__x86_64__) && defined(__ELF__)

    .text
    .globl  coro_stackful_preempt_trampoline_
    .hidden coro_stackful_preempt_trampoline_
    .type   coro_stackful_preempt_trampoline_, @function
    .align  16
coro_stackful_preempt_trampoline_:
    .cfi_startproc
    /* CFI: the caller's CFA rules assume the rsp it had before its
     * `leaq -128(%rsp)`, which the compiler never saw.  So the CFA here is
     * that rsp (entry rsp + 8 + 128) and the return address is 136 below it,
     * not 8: a debugger's backtrace from inside the slow path stays right. */
    .cfi_def_cfa_offset 136
    .cfi_offset rip, -136
    CORO_ENDBR
    pushq   %rbp
    .cfi_adjust_cfa_offset 8
    .cfi_offset rbp, -144
    movq    %rsp, %rbp
    .cfi_def_cfa_register rbp       /* CFA = rbp + 144 from here on */
    andq    $-64, %rsp              /* XSAVE needs a 64-byte aligned area */
    subq    coro_preempt_save_frame_(%rip), %rsp   /* a multiple of 64 */
    movq    %rax, 0x00(%rsp)
    movq    %rcx, 0x08(%rsp)
    movq    %rdx, 0x10(%rsp)
    movq    %rsi, 0x18(%rsp)
    movq    %rdi, 0x20(%rsp)
    movq    %r8,  0x28(%rsp)
    movq    %r9,  0x30(%rsp)
    movq    %r10, 0x38(%rsp)
    movq    %r11, 0x40(%rsp)
    movl    coro_preempt_save_mask_(%rip), %eax
    movq    %rax, 0x48(%rsp)        /* the mode, for the restore (the call clobbers rax) */
    testl   %eax, %eax
    jz      1f
    xorl    %edx, %edx              /* mask bits 32-63: none */
    xorl    %ecx, %ecx              /* zero the 64-byte header: XSAVE sets only the XSTATE_BV */
    movq    %rcx, 0x80+512+0(%rsp)  /* bits of the components it saves, and XRSTOR faults on */
    movq    %rcx, 0x80+512+8(%rsp)  /* any other bit set, or a nonzero byte 8-63 */
    movq    %rcx, 0x80+512+16(%rsp)
    movq    %rcx, 0x80+512+24(%rsp)
    movq    %rcx, 0x80+512+32(%rsp)
    movq    %rcx, 0x80+512+40(%rsp)
    movq    %rcx, 0x80+512+48(%rsp)
    movq    %rcx, 0x80+512+56(%rsp)
    xsave   0x80(%rsp)              /* the components in edx:eax */
    vzeroupper                      /* the C code below is SSE code: no AVX-SSE transition penalty */
    jmp     2f
1:  movaps  %xmm0,  0x80+0x00(%rsp)
    movaps  %xmm1,  0x80+0x10(%rsp)
    movaps  %xmm2,  0x80+0x20(%rsp)
    movaps  %xmm3,  0x80+0x30(%rsp)
    movaps  %xmm4,  0x80+0x40(%rsp)
    movaps  %xmm5,  0x80+0x50(%rsp)
    movaps  %xmm6,  0x80+0x60(%rsp)
    movaps  %xmm7,  0x80+0x70(%rsp)
    movaps  %xmm8,  0x80+0x80(%rsp)
    movaps  %xmm9,  0x80+0x90(%rsp)
    movaps  %xmm10, 0x80+0xa0(%rsp)
    movaps  %xmm11, 0x80+0xb0(%rsp)
    movaps  %xmm12, 0x80+0xc0(%rsp)
    movaps  %xmm13, 0x80+0xd0(%rsp)
    movaps  %xmm14, 0x80+0xe0(%rsp)
    movaps  %xmm15, 0x80+0xf0(%rsp)
2:  call    coro_stackful_yield_preempted_   /* rsp is 16-byte aligned here */
    movq    0x48(%rsp), %rax
    testl   %eax, %eax
    jz      3f
    xorl    %edx, %edx
    xrstor  0x80(%rsp)
    jmp     4f
3:  movaps  0x80+0x00(%rsp), %xmm0
    movaps  0x80+0x10(%rsp), %xmm1
    movaps  0x80+0x20(%rsp), %xmm2
    movaps  0x80+0x30(%rsp), %xmm3
    movaps  0x80+0x40(%rsp), %xmm4
    movaps  0x80+0x50(%rsp), %xmm5
    movaps  0x80+0x60(%rsp), %xmm6
    movaps  0x80+0x70(%rsp), %xmm7
    movaps  0x80+0x80(%rsp), %xmm8
    movaps  0x80+0x90(%rsp), %xmm9
    movaps  0x80+0xa0(%rsp), %xmm10
    movaps  0x80+0xb0(%rsp), %xmm11
    movaps  0x80+0xc0(%rsp), %xmm12
    movaps  0x80+0xd0(%rsp), %xmm13
    movaps  0x80+0xe0(%rsp), %xmm14
    movaps  0x80+0xf0(%rsp), %xmm15
4:  movq    0x00(%rsp), %rax
    movq    0x08(%rsp), %rcx
    movq    0x10(%rsp), %rdx
    movq    0x18(%rsp), %rsi
    movq    0x20(%rsp), %rdi
    movq    0x28(%rsp), %r8
    movq    0x30(%rsp), %r9
    movq    0x38(%rsp), %r10
    movq    0x40(%rsp), %r11
    movq    %rbp, %rsp
    .cfi_def_cfa_register rsp       /* CFA = rsp + 144 */
    popq    %rbp
    .cfi_adjust_cfa_offset -8
    .cfi_restore rbp
    ret
    .cfi_endproc
    .size   coro_stackful_preempt_trampoline_, .-coro_stackful_preempt_trampoline_

#endif /* __x86_64__ && __ELF__ */

#include "gnu_property.h"

    .section .note.GNU-stack,"",%progbits
