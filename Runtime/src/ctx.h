/*
 * ctx.h — the machine context switch under stackful mode.
 *
 * A context is one saved stack pointer.  Everything else a suspended context
 * needs (its callee-saved registers, its floating-point control state and the
 * address to resume at) is pushed onto its own stack by coro_ctx_switch, in
 * the layout that the assembly file of each architecture documents in its
 * header and that the offsets below repeat:
 *
 *   src/arch/ctx_x86_64_sysv_elf.S    x86-64, System V ABI, ELF
 *   src/arch/ctx_arm64_aapcs_elf.S    AArch64, AAPCS64, ELF
 *
 * This is Boost.Context's fcontext design (one pointer per context, the
 * frame on the stack, resume by jump), not ucontext: ucontext saves the
 * signal mask with a syscall on every switch (165 ns here, NOTES.md) and
 * saves caller-saved registers that the ABI already lets a call destroy.
 *
 * CONTRACT
 *
 *  - coro_ctx_switch(from, to, value) saves the caller's context into *from
 *    and continues the context saved in *to; it "returns" when some other
 *    switch names *from as its `to`, and returns that switch's `value` (the
 *    resumed side learns why it was resumed without touching memory; a made
 *    context's first run ignores it).  *to must hold a context saved by a
 *    switch or made by coro_ctx_make, and that context is consumed: it may be
 *    resumed once per save.  from == to is not allowed.
 *  - Preserved across a switch: exactly what the ABI says a call preserves
 *    (x86-64: rbx rbp r12-r15 rsp, the MXCSR control bits and the x87 control
 *    word; arm64: x19-x28 fp lr sp d8-d15).  Caller-saved registers are not
 *    preserved, as across any call; the C compiler already spilled what it
 *    needs.  Thread-specific registers (%fs, tpidr_el0) are NOT switched:
 *    they belong to the thread, so after a stackful coroutine moves to
 *    another worker, thread-locals are that worker's (see stackful.c).
 *  - coro_ctx_make(ctx, stack_top, entry, arg) prepares *ctx so that the
 *    first switch to it calls entry(arg) on the stack that ends at stack_top
 *    (exclusive; it is aligned down to 16 bytes).  entry must never return:
 *    it leaves by switching away for the last time (a return traps).  The new
 *    context starts with the creator's MXCSR and x87 control word (arm64:
 *    FPCR is not part of the context; it stays the thread's).
 *  - The switch touches only the two stacks and the two contexts; it is safe to call
 *    with signals arriving (a handler runs on whichever stack is current, or
 *    on the sigaltstack).
 */
#ifndef CORO_CTX_H
#define CORO_CTX_H

#include <stddef.h>

typedef struct coro_ctx {
    void *sp;   /* saved stack pointer; the saved frame starts here */
} coro_ctx;

int coro_ctx_switch(coro_ctx *from, coro_ctx *to, int value);
void coro_ctx_make(coro_ctx *ctx, void *stack_top, void (*entry)(void *arg), void *arg);

/* Offsets into the saved frame (from ctx->sp), mirrored from the assembly
 * files' offset tables.  C reads them only in tests and debuggers' helpers,
 * but the asserts below keep both sides honest: change one, change both. */
#if defined(__x86_64__)
enum {
    CORO_CTX_X86_MXCSR = 0x00,   /* 4 bytes: MXCSR (control and status)   */
    CORO_CTX_X86_X87CW = 0x04,   /* 2 bytes: x87 control word (+2 pad)     */
    CORO_CTX_X86_R12 = 0x08,
    CORO_CTX_X86_R13 = 0x10,
    CORO_CTX_X86_R14 = 0x18,
    CORO_CTX_X86_R15 = 0x20,
    CORO_CTX_X86_RBX = 0x28,
    CORO_CTX_X86_RBP = 0x30,
    CORO_CTX_X86_RIP = 0x38,     /* resume address                         */
    CORO_CTX_FRAME_SIZE = 0x40,
};
typedef struct coro_ctx_frame {
    unsigned int mxcsr;
    unsigned short x87_cw;
    unsigned short pad;
    unsigned long r12, r13, r14, r15, rbx, rbp, rip;
} coro_ctx_frame;
_Static_assert(offsetof(coro_ctx_frame, mxcsr) == CORO_CTX_X86_MXCSR, "ctx: MXCSR offset");
_Static_assert(offsetof(coro_ctx_frame, x87_cw) == CORO_CTX_X86_X87CW, "ctx: x87 CW offset");
_Static_assert(offsetof(coro_ctx_frame, r12) == CORO_CTX_X86_R12, "ctx: r12 offset");
_Static_assert(offsetof(coro_ctx_frame, r15) == CORO_CTX_X86_R15, "ctx: r15 offset");
_Static_assert(offsetof(coro_ctx_frame, rbx) == CORO_CTX_X86_RBX, "ctx: rbx offset");
_Static_assert(offsetof(coro_ctx_frame, rbp) == CORO_CTX_X86_RBP, "ctx: rbp offset");
_Static_assert(offsetof(coro_ctx_frame, rip) == CORO_CTX_X86_RIP, "ctx: rip offset");
_Static_assert(sizeof(coro_ctx_frame) == CORO_CTX_FRAME_SIZE, "ctx: frame size");
#elif defined(__aarch64__)
enum {
    CORO_CTX_A64_D8 = 0x00,      /* d8..d15 at 0x00..0x38                  */
    CORO_CTX_A64_X19 = 0x40,     /* x19..x28 at 0x40..0x88                 */
    CORO_CTX_A64_FP = 0x90,      /* x29                                    */
    CORO_CTX_A64_LR = 0x98,      /* x30                                    */
    CORO_CTX_A64_PC = 0xa0,      /* resume address                         */
    CORO_CTX_FRAME_SIZE = 0xb0,  /* 0xa8 pad keeps sp 16-byte aligned      */
};
typedef struct coro_ctx_frame {
    double d[8];                 /* d8..d15 */
    unsigned long x[10];         /* x19..x28 */
    unsigned long fp, lr, pc, pad;
} coro_ctx_frame;
_Static_assert(offsetof(coro_ctx_frame, d) == CORO_CTX_A64_D8, "ctx: d8 offset");
_Static_assert(offsetof(coro_ctx_frame, x) == CORO_CTX_A64_X19, "ctx: x19 offset");
_Static_assert(offsetof(coro_ctx_frame, fp) == CORO_CTX_A64_FP, "ctx: fp offset");
_Static_assert(offsetof(coro_ctx_frame, lr) == CORO_CTX_A64_LR, "ctx: lr offset");
_Static_assert(offsetof(coro_ctx_frame, pc) == CORO_CTX_A64_PC, "ctx: pc offset");
_Static_assert(sizeof(coro_ctx_frame) == CORO_CTX_FRAME_SIZE, "ctx: frame size");
#else
#error "coroc stackful mode: no context switch for this architecture (x86-64 and arm64 only)"
#endif

#endif /* CORO_CTX_H */
