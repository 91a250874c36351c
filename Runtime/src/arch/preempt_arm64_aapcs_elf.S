/*
 * preempt_arm64_aapcs_elf.S — the slow path of a stackful preemption point
 * that preserves every register (AArch64, AAPCS64, ELF, GNU as).
 * Why, and the x86-64 twin: preempt_x86_64_sysv_elf.S.
 *
 * Entry contract (the asm in coro.h): `bl coro_stackful_preempt_trampoline_`,
 * declaring x16, x17 (a linker veneer may use them), x30 (the bl), flags
 * and memory clobbered, nothing else.  sp is always 16-byte aligned on
 * AArch64 and the ABI has no red zone, so the frame goes right below sp.
 *
 * Saved: what AAPCS64 lets a call clobber that the asm does not declare:
 * x0-x15 and x18 (a temporary on Linux), all of v0-v31 as 128-bit q
 * registers (v8-v15 are callee-saved only in their low 64 bits), and FPSR
 * (the cumulative exception flags).  Not saved: SVE/SME state; coro.h uses
 * the plain C call when the caller is compiled for SVE.
 *
 * Frame (0x2a0 bytes):
 *   0x000  fp, lr          0x010  x0 .. x15 (8 pairs)
 *   0x090  x18, FPSR       0x0a0  q0 .. q31 (16 pairs)
 *
 * BTI: begins with `bti c` (harmless for a direct bl); the object carries
 * the BTI note (gnu_property.h).  The symbol is .hidden: the call must be
 * direct (see the x86-64 file).
 */
#if defined(__aarch64__) && defined(__ELF__)

#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#define CORO_BTI_C hint #34             /* bti c (a NOP before ARMv8.5) */
#else
#define CORO_BTI_C
#endif

    .text
    .globl  coro_stackful_preempt_trampoline_
    .hidden coro_stackful_preempt_trampoline_
    .type   coro_stackful_preempt_trampoline_, %function
    .align  4
coro_stackful_preempt_trampoline_:
    .cfi_startproc
    CORO_BTI_C
    sub     sp, sp, #0x2a0
    .cfi_def_cfa_offset 0x2a0
    stp     x29, x30, [sp, #0x000]
    .cfi_offset x29, -0x2a0
    .cfi_offset x30, -0x298
    mov     x29, sp
    stp     x0,  x1,  [sp, #0x010]
    stp     x2,  x3,  [sp, #0x020]
    stp     x4,  x5,  [sp, #0x030]
    stp     x6,  x7,  [sp, #0x040]
    stp     x8,  x9,  [sp, #0x050]
    stp     x10, x11, [sp, #0x060]
    stp     x12, x13, [sp, #0x070]
    stp     x14, x15, [sp, #0x080]
    mrs     x0, fpsr
    stp     x18, x0,  [sp, #0x090]
    stp     q0,  q1,  [sp, #0x0a0]
    stp     q2,  q3,  [sp, #0x0c0]
    stp     q4,  q5,  [sp, #0x0e0]
    stp     q6,  q7,  [sp, #0x100]
    stp     q8,  q9,  [sp, #0x120]
    stp     q10, q11, [sp, #0x140]
    stp     q12, q13, [sp, #0x160]
    stp     q14, q15, [sp, #0x180]
    stp     q16, q17, [sp, #0x1a0]
    stp     q18, q19, [sp, #0x1c0]
    stp     q20, q21, [sp, #0x1e0]
    stp     q22, q23, [sp, #0x200]
    stp     q24, q25, [sp, #0x220]
    stp     q26, q27, [sp, #0x240]
    stp     q28, q29, [sp, #0x260]
    stp     q30, q31, [sp, #0x280]
    bl      coro_stackful_yield_preempted_
    ldp     q0,  q1,  [sp, #0x0a0]
    ldp     q2,  q3,  [sp, #0x0c0]
    ldp     q4,  q5,  [sp, #0x0e0]
    ldp     q6,  q7,  [sp, #0x100]
    ldp     q8,  q9,  [sp, #0x120]
    ldp     q10, q11, [sp, #0x140]
    ldp     q12, q13, [sp, #0x160]
    ldp     q14, q15, [sp, #0x180]
    ldp     q16, q17, [sp, #0x1a0]
    ldp     q18, q19, [sp, #0x1c0]
    ldp     q20, q21, [sp, #0x1e0]
    ldp     q22, q23, [sp, #0x200]
    ldp     q24, q25, [sp, #0x220]
    ldp     q26, q27, [sp, #0x240]
    ldp     q28, q29, [sp, #0x260]
    ldp     q30, q31, [sp, #0x280]
    ldp     x18, x0,  [sp, #0x090]
    msr     fpsr, x0
    ldp     x0,  x1,  [sp, #0x010]
    ldp     x2,  x3,  [sp, #0x020]
    ldp     x4,  x5,  [sp, #0x030]
    ldp     x6,  x7,  [sp, #0x040]
    ldp     x8,  x9,  [sp, #0x050]
    ldp     x10, x11, [sp, #0x060]
    ldp     x12, x13, [sp, #0x070]
    ldp     x14, x15, [sp, #0x080]
    ldp     x29, x30, [sp, #0x000]
    add     sp, sp, #0x2a0
    .cfi_def_cfa_offset 0
    .cfi_restore x29
    .cfi_restore x30
    ret
    .cfi_endproc
    .size   coro_stackful_preempt_trampoline_, .-coro_stackful_preempt_trampoline_

#endif /* __aarch64__ && __ELF__ */

#include "gnu_property.h"

    .section .note.GNU-stack,"",%progbits
