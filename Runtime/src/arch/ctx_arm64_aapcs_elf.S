/*
 * ctx_arm64_aapcs_elf.S — context switch for AArch64, AAPCS64, ELF (GNU as).
 * Contract: src/ctx.h.  Model: Boost.Context's jump_arm64_aapcs_elf_gas.S.
 *
 * A suspended context is the stack pointer of this frame, on its own stack:
 *
 *   offset  size  content
 *   0x00    8x8   d8  d9  d10 d11 d12 d13 d14 d15   (low halves of v8-v15)
 *   0x40    8x10  x19 x20 x21 x22 x23 x24 x25 x26 x27 x28
 *   0x90    8     fp  (x29)
 *   0x98    8     lr  (x30)
 *   0xa0    8     pc  (resume address)
 *   0xa8    8     padding (sp must stay 16-byte aligned)
 *   0xb0          (frame size; ctx.h asserts the same numbers)
 *
 * These are the registers AAPCS64 makes callee-saved (6.1.1: x19-x29 and
 * sp; 6.1.2: the bottom 64 bits of v8-v15).  lr is saved because the code
 * we return to expects it as a call leaves it; pc is lr for a switched
 * context and coro_ctx_start for a made one, and resuming branches to it
 * (br, not ret, except under BTI below: a made context has no caller).  FPCR (rounding mode) is not
 * saved: AAPCS64 leaves it to the thread, and Boost.Context does the same.
 *
 * BTI (built with -mbranch-protection=bti or =standard, which defines
 * __ARM_FEATURE_BTI_DEFAULT): the entry points begin with `bti c`, and the
 * resume is `ret x4` instead of `br x4`, since br needs a landing pad at
 * its target and a resume address (after a bl of coro_ctx_switch) has none;
 * ret is not checked.  (ret costs a return-stack misprediction, so only BTI
 * builds use it.)  The object then carries the "BTI" GNU property note
 * (gnu_property.h).  PAC is not claimed: the switch stores lr unsigned.
 */
#if defined(__aarch64__) && defined(__ELF__)

#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#define CORO_BTI_C hint #34             /* bti c (a NOP before ARMv8.5) */
#define CORO_RESUME ret x4
#else
#define CORO_BTI_C
#define CORO_RESUME br x4
#endif

    .text

/* int coro_ctx_switch(coro_ctx *from, coro_ctx *to, int value)
 *   x0 = from (its sp field is at offset 0), x1 = to, w2 = value: what the
 *   resumed context's own coro_ctx_switch call returns */
    .globl  coro_ctx_switch
    .hidden coro_ctx_switch
    .type   coro_ctx_switch, %function
    .align  4
coro_ctx_switch:
    .cfi_startproc
    CORO_BTI_C
    sub     sp, sp, #0xb0           /* room for the frame */
    .cfi_def_cfa_offset 0xb0        /* unwinders: CFA = sp + 0xb0 */
    stp     d8,  d9,  [sp, #0x00]   /* save d8, d9 */
    stp     d10, d11, [sp, #0x10]   /* save d10, d11 */
    stp     d12, d13, [sp, #0x20]   /* save d12, d13 */
    stp     d14, d15, [sp, #0x30]   /* save d14, d15 */
    stp     x19, x20, [sp, #0x40]   /* save x19, x20 */
    stp     x21, x22, [sp, #0x50]   /* save x21, x22 */
    stp     x23, x24, [sp, #0x60]   /* save x23, x24 */
    stp     x25, x26, [sp, #0x70]   /* save x25, x26 */
    stp     x27, x28, [sp, #0x80]   /* save x27, x28 */
    stp     x29, x30, [sp, #0x90]   /* save fp, lr */
    str     x30, [sp, #0xa0]        /* pc = lr: resume where our caller continues */

    mov     x4, sp                  /* x4 = this frame (sp cannot be stored directly) */
    str     x4, [x0]                /* from->sp = frame: the old context is now saved */
    ldr     x4, [x1]                /* x4 = to->sp */
    mov     sp, x4                  /* we are on the other stack from here on */

    ldp     d8,  d9,  [sp, #0x00]   /* restore d8, d9 */
    ldp     d10, d11, [sp, #0x10]   /* restore d10, d11 */
    ldp     d12, d13, [sp, #0x20]   /* restore d12, d13 */
    ldp     d14, d15, [sp, #0x30]   /* restore d14, d15 */
    ldp     x19, x20, [sp, #0x40]   /* restore x19, x20 */
    ldp     x21, x22, [sp, #0x50]   /* restore x21, x22 */
    ldp     x23, x24, [sp, #0x60]   /* restore x23, x24 */
    ldp     x25, x26, [sp, #0x70]   /* restore x25, x26 */
    ldp     x27, x28, [sp, #0x80]   /* restore x27, x28 */
    ldp     x29, x30, [sp, #0x90]   /* restore fp, lr */
    ldr     x4, [sp, #0xa0]         /* x4 = resume address */
    add     sp, sp, #0xb0           /* pop the frame */
    mov     w0, w2                  /* the resumed side's return value */
    .cfi_def_cfa_offset 0           /* (CFA bookkeeping; the frame now belongs to the other stack) */
    CORO_RESUME                     /* continue the other context (br x4; ret x4 under BTI) */
    .cfi_endproc
    .size   coro_ctx_switch, .-coro_ctx_switch

/* void coro_ctx_make(coro_ctx *ctx, void *stack_top, void (*entry)(void *), void *arg)
 *   x0 = ctx, x1 = stack_top, x2 = entry, x3 = arg
 * Builds a frame whose pc is coro_ctx_start, with arg in x19 and entry in
 * x20; popping it leaves sp = the 16-byte-aligned stack top. */
    .globl  coro_ctx_make
    .hidden coro_ctx_make
    .type   coro_ctx_make, %function
    .align  4
coro_ctx_make:
    .cfi_startproc
    CORO_BTI_C
    and     x1, x1, #~15            /* align the stack top down to 16 bytes */
    sub     x1, x1, #0xb0           /* x1 = frame */
    stp     xzr, xzr, [x1, #0x00]   /* d8, d9 = 0 */
    stp     xzr, xzr, [x1, #0x10]   /* d10, d11 = 0 */
    stp     xzr, xzr, [x1, #0x20]   /* d12, d13 = 0 */
    stp     xzr, xzr, [x1, #0x30]   /* d14, d15 = 0 */
    stp     x3,  x2,  [x1, #0x40]   /* x19 = arg, x20 = entry */
    stp     xzr, xzr, [x1, #0x50]   /* x21, x22 = 0 */
    stp     xzr, xzr, [x1, #0x60]   /* x23, x24 = 0 */
    stp     xzr, xzr, [x1, #0x70]   /* x25, x26 = 0 */
    stp     xzr, xzr, [x1, #0x80]   /* x27, x28 = 0 */
    stp     xzr, xzr, [x1, #0x90]   /* fp = 0, lr = 0: frame chains end here */
    adr     x4, coro_ctx_start      /* x4 = first resume address */
    stp     x4,  xzr, [x1, #0xa0]   /* pc = coro_ctx_start, padding = 0 */
    str     x1, [x0]                /* ctx->sp = frame */
    ret                             /* back to the creator */
    .cfi_endproc
    .size   coro_ctx_make, .-coro_ctx_make

/* First code a made context runs: entry(arg).  entry never returns; if it
 * does anyway, trap at once rather than run off into garbage. */
    .type   coro_ctx_start, %function
    .align  4
coro_ctx_start:
    .cfi_startproc
    .cfi_undefined x30              /* unwinders and gdb: the call chain ends here */
    mov     x0, x19                 /* first argument = arg */
    blr     x20                     /* entry(arg) */
    brk     #0                      /* entry returned: contract violation, SIGTRAP */
    .cfi_endproc
    .size   coro_ctx_start, .-coro_ctx_start

#endif /* __aarch64__ && __ELF__ */

#include "gnu_property.h"

    .section .note.GNU-stack,"",%progbits
