/*
 * ctx_x86_64_sysv_elf.S — context switch for x86-64, System V ABI, ELF (GNU as).
 * Contract: src/ctx.h.  Model: Boost.Context's jump_x86_64_sysv_elf_gas.S.
 *
 * A suspended context is the stack pointer of this frame, on its own stack:
 *
 *   offset  size  content
 *   0x00    4     MXCSR          (SSE rounding mode, exception masks, DAZ/FTZ)
 *   0x04    2     x87 FPU control word (precision, rounding, masks)
 *   0x06    2     padding
 *   0x08    8     r12
 *   0x10    8     r13
 *   0x18    8     r14
 *   0x20    8     r15
 *   0x28    8     rbx
 *   0x30    8     rbp
 *   0x38    8     rip            (resume address: the switch's return address)
 *   0x40          (frame size; ctx.h asserts the same numbers)
 *
 * These are the registers the SysV ABI makes callee-saved (rsp itself is the
 * context pointer).  No xmm register is callee-saved in this ABI, so none is
 * saved.  MXCSR's control bits and the x87 control word are callee-saved
 * ("preserved across calls", ABI 3.2.1), so a coroutine that changes its
 * rounding mode must not leak it to the next one on the same thread.
 *
 * The frame is built by pushing below the return address that `call`
 * already pushed, so the return address becomes the frame's rip slot.
 * Resuming loads rip into a scratch register and jumps to it (r8 is
 * caller-saved and not an argument of the resumed code's caller, so it is
 * free), the way Boost.Context does.
 *
 * CET (built with -fcf-protection, which defines __CET__): the entry points
 * begin with endbr64, so indirect calls to them pass indirect-branch
 * tracking (IBT); the resume jump is `notrack`, since its target is a
 * return address (after a call of coro_ctx_switch), which has no endbr64 --
 * the same exemption compilers use for switch jump tables.  The object then
 * carries a GNU property note saying "IBT compatible", so a program built
 * with -fcf-protection keeps IBT (the linker ANDs every object's note; an
 * object without one used to switch it off for the whole program).  It does
 * NOT claim shadow-stack (SHSTK) compatibility: a context switch moves to
 * another stack without moving the shadow stack, so returns would not
 * match; a -fcf-protection=full program is IBT-only.  The symbols are
 * .hidden: internal to the runtime, never exported from a shared object.
 */
#if defined(__CET__) && (__CET__ & 1)
#define CORO_ENDBR endbr64
#define CORO_NOTRACK notrack
#else
#define CORO_ENDBR
#define CORO_NOTRACK
#endif
#if defined(__x86_64__) && defined(__ELF__)

    .text

/* int coro_ctx_switch(coro_ctx *from, coro_ctx *to, int value)
 *   rdi = from (its sp field is at offset 0), rsi = to, edx = value: what the
 *   resumed context's own coro_ctx_switch call returns */
    .globl  coro_ctx_switch
    .hidden coro_ctx_switch
    .type   coro_ctx_switch, @function
    .align  16
coro_ctx_switch:
    .cfi_startproc
    CORO_ENDBR
    leaq    -0x38(%rsp), %rsp       /* room for the frame below the return address */
    .cfi_adjust_cfa_offset 0x38     /* unwinders: the return address moved up 0x38 */
    stmxcsr 0x00(%rsp)              /* save MXCSR */
    fnstcw  0x04(%rsp)              /* save x87 control word (no-wait form: no pending exception check) */
    movq    %r12, 0x08(%rsp)        /* save r12 */
    movq    %r13, 0x10(%rsp)        /* save r13 */
    movq    %r14, 0x18(%rsp)        /* save r14 */
    movq    %r15, 0x20(%rsp)        /* save r15 */
    movq    %rbx, 0x28(%rsp)        /* save rbx */
    movq    %rbp, 0x30(%rsp)        /* save rbp */

    movq    %rsp, (%rdi)            /* from->sp = this frame: the old context is now saved */
    movq    (%rsi), %rsp            /* rsp = to->sp: we are on the other stack from here on */

    ldmxcsr 0x00(%rsp)              /* restore MXCSR */
    fldcw   0x04(%rsp)              /* restore x87 control word */
    movq    0x08(%rsp), %r12        /* restore r12 */
    movq    0x10(%rsp), %r13        /* restore r13 */
    movq    0x18(%rsp), %r14        /* restore r14 */
    movq    0x20(%rsp), %r15        /* restore r15 */
    movq    0x28(%rsp), %rbx        /* restore rbx */
    movq    0x30(%rsp), %rbp        /* restore rbp */
    movq    0x38(%rsp), %r8         /* r8 = resume address */
    leaq    0x40(%rsp), %rsp        /* pop the frame and the resume address */
    movl    %edx, %eax              /* the resumed side's return value */
    .cfi_adjust_cfa_offset -0x40    /* (CFA bookkeeping; the frame now belongs to the other stack) */
    CORO_NOTRACK jmpq *%r8          /* continue the other context (a return address: see CET) */
    .cfi_endproc
    .size   coro_ctx_switch, .-coro_ctx_switch

/* void coro_ctx_make(coro_ctx *ctx, void *stack_top, void (*entry)(void *), void *arg)
 *   rdi = ctx, rsi = stack_top, rdx = entry, rcx = arg
 * Builds a frame whose rip is coro_ctx_start, with entry in r12 and arg in
 * rbx, placed so that coro_ctx_start runs with rsp 16-byte aligned (the
 * call in it then gives entry the ABI's "rsp + 8 aligned" at its first
 * instruction). */
    .globl  coro_ctx_make
    .hidden coro_ctx_make
    .type   coro_ctx_make, @function
    .align  16
coro_ctx_make:
    .cfi_startproc
    CORO_ENDBR
    movq    %rsi, %rax              /* rax = top of the new stack */
    andq    $-16, %rax              /* align it down to 16 bytes */
    leaq    -0x40(%rax), %rax       /* rax = frame; popping 0x40 bytes leaves rsp = aligned top */
    stmxcsr 0x00(%rax)              /* new context inherits the creator's MXCSR */
    fnstcw  0x04(%rax)              /* and its x87 control word */
    movq    %rdx, 0x08(%rax)        /* r12 = entry */
    movq    $0, 0x10(%rax)          /* r13 = 0 */
    movq    $0, 0x18(%rax)          /* r14 = 0 */
    movq    $0, 0x20(%rax)          /* r15 = 0 */
    movq    %rcx, 0x28(%rax)        /* rbx = arg */
    movq    $0, 0x30(%rax)          /* rbp = 0: ends frame-pointer chains for debuggers */
    leaq    coro_ctx_start(%rip), %r8  /* r8 = first resume address */
    movq    %r8, 0x38(%rax)         /* rip = coro_ctx_start */
    movq    %rax, (%rdi)            /* ctx->sp = frame */
    ret                             /* back to the creator */
    .cfi_endproc
    .size   coro_ctx_make, .-coro_ctx_make

/* First code a made context runs: entry(arg).  entry never returns; if it
 * does anyway, trap at once rather than run off into garbage. */
    .type   coro_ctx_start, @function
    .align  16
coro_ctx_start:
    .cfi_startproc
    .cfi_undefined rip              /* unwinders and gdb: the call chain ends here */
    CORO_ENDBR                      /* reached by the resume jump (notrack; harmless either way) */
    movq    %rbx, %rdi              /* first argument = arg */
    callq   *%r12                   /* entry(arg) */
    ud2                             /* entry returned: contract violation, SIGILL */
    .cfi_endproc
    .size   coro_ctx_start, .-coro_ctx_start

#endif /* __x86_64__ && __ELF__ */

#include "gnu_property.h"

    .section .note.GNU-stack,"",%progbits
