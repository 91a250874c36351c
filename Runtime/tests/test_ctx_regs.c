/*
 * test_ctx_regs.c — coro_ctx_switch preserves every register the ABI says a
 * call preserves, in both directions, plus the floating-point control state.
 *
 * How: probe_switch (assembly below, one per architecture) saves the real
 * callee-saved registers, loads a distinct test value into each one (and into
 * MXCSR / the x87 control word on x86-64), calls coro_ctx_switch, and on
 * return stores what the registers hold into an `out` array.  Both sides of
 * the switch run probe_switch with different values, so when a probe returns
 * every register was last written by the *other* side: a register the switch
 * fails to save or restore shows up as the other side's value.
 *
 * Also checked: a made context starts with its creator's MXCSR and x87 control
 * word; it runs on a 16-byte aligned stack (printf of a double uses aligned SSE
 * stores in glibc and would crash otherwise); a million switches round trip,
 * each returning the value the other side passed.
 *
 * Built for the host by the Runtime Makefile and, as a standalone program,
 * for arm64 by tests/arm64/arm64.mk (run under qemu-aarch64).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/ctx.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#define VALGRIND_STACK_REGISTER(lo, hi) 0
#endif

#if defined(__x86_64__)
/* Slots of the in/out arrays: the six callee-saved GPRs, then MXCSR and the
 * x87 control word (each in the low bytes of a zeroed slot). */
enum { NGPR = 6, SLOT_MXCSR = 6, SLOT_X87CW = 7, NSLOTS = 8 };
static const char *const slot_names[NSLOTS] = { "rbx", "rbp", "r12", "r13", "r14", "r15", "mxcsr", "x87cw" };

/* void probe_switch(const uint64_t in[8], uint64_t out[8], coro_ctx *from, coro_ctx *to) */
__asm__(
    ".text\n"
    ".globl probe_switch\n"
    ".type probe_switch, @function\n"
    "probe_switch:\n"
    "  pushq %rbx\n"                 /* keep the caller's callee-saved registers */
    "  pushq %rbp\n"
    "  pushq %r12\n"
    "  pushq %r13\n"
    "  pushq %r14\n"
    "  pushq %r15\n"
    "  subq $24, %rsp\n"             /* [0]=out, [8]=caller MXCSR, [12]=caller x87 CW; rsp now 16-aligned */
    "  movq %rsi, 0(%rsp)\n"
    "  stmxcsr 8(%rsp)\n"
    "  fnstcw 12(%rsp)\n"
    "  ldmxcsr 48(%rdi)\n"           /* load the test values */
    "  fldcw 56(%rdi)\n"
    "  movq 0(%rdi), %rbx\n"
    "  movq 8(%rdi), %rbp\n"
    "  movq 16(%rdi), %r12\n"
    "  movq 24(%rdi), %r13\n"
    "  movq 32(%rdi), %r14\n"
    "  movq 40(%rdi), %r15\n"
    "  movq %rdx, %rdi\n"
    "  movq %rcx, %rsi\n"
    "  call coro_ctx_switch\n"
    "  movq 0(%rsp), %rax\n"         /* rsp itself must have come back for this to work */
    "  movq %rbx, 0(%rax)\n"         /* record what we got back */
    "  movq %rbp, 8(%rax)\n"
    "  movq %r12, 16(%rax)\n"
    "  movq %r13, 24(%rax)\n"
    "  movq %r14, 32(%rax)\n"
    "  movq %r15, 40(%rax)\n"
    "  stmxcsr 48(%rax)\n"
    "  fnstcw 56(%rax)\n"
    "  ldmxcsr 8(%rsp)\n"            /* give the caller its own state back */
    "  fldcw 12(%rsp)\n"
    "  addq $24, %rsp\n"
    "  popq %r15\n"
    "  popq %r14\n"
    "  popq %r13\n"
    "  popq %r12\n"
    "  popq %rbp\n"
    "  popq %rbx\n"
    "  ret\n"
    ".size probe_switch, .-probe_switch\n");

/* MXCSR bits 0-5 are sticky exception flags that any FP instruction may set;
 * compare the control bits only.  Valgrind's CPU keeps only the rounding
 * bits of both registers (no FTZ, no x87 precision control), so under
 * Valgrind compare those. */
static uint64_t slot_mask(int i) {
    if (i == SLOT_MXCSR) return RUNNING_ON_VALGRIND ? 0x6000 : 0xffc0;
    if (i == SLOT_X87CW) return RUNNING_ON_VALGRIND ? 0x0c00 : 0xffff;
    return ~(uint64_t)0;
}

static void fill(uint64_t *v, uint64_t seed, uint32_t mxcsr, uint16_t cw) {
    memset(v, 0, NSLOTS * sizeof *v);
    for (int i = 0; i < NGPR; i++) v[i] = seed * (uint64_t)(i + 1) ^ 0x5a5a5a5a00000000ull ^ (uint64_t)i;
    v[SLOT_MXCSR] = mxcsr;
    v[SLOT_X87CW] = cw;
}

static uint32_t get_mxcsr(void) { uint32_t m; __asm__ volatile("stmxcsr %0" : "=m"(m)); return m; }
static void set_mxcsr(uint32_t m) { __asm__ volatile("ldmxcsr %0" : : "m"(m)); }
static uint16_t get_x87cw(void) { uint16_t c; __asm__ volatile("fnstcw %0" : "=m"(c)); return c; }
static void set_x87cw(uint16_t c) { __asm__ volatile("fldcw %0" : : "m"(c)); }

/* Main side: round down + masks; x87 round up, 64-bit precision.
 * Coroutine side: FTZ + round toward zero; x87 round toward zero, 53-bit. */
#define MAIN_MXCSR 0x3f80u
#define MAIN_X87CW 0x077fu
#define CO_MXCSR 0xff80u
#define CO_X87CW 0x0e7fu

#elif defined(__aarch64__)
/* Slots: x19-x28, fp, then d8-d15 (bit patterns). */
enum { NGPR = 11, NSLOTS = 19 };
static const char *const slot_names[NSLOTS] = {
    "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "fp",
    "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15" };

/* void probe_switch(const uint64_t in[19], uint64_t out[19], coro_ctx *from, coro_ctx *to) */
__asm__(
    ".text\n"
    ".globl probe_switch\n"
    ".type probe_switch, %function\n"
    "probe_switch:\n"
    "  sub sp, sp, #0xb0\n"          /* keep the caller's callee-saved registers and `out` */
    "  stp x19, x20, [sp, #0x00]\n"
    "  stp x21, x22, [sp, #0x10]\n"
    "  stp x23, x24, [sp, #0x20]\n"
    "  stp x25, x26, [sp, #0x30]\n"
    "  stp x27, x28, [sp, #0x40]\n"
    "  stp x29, x30, [sp, #0x50]\n"
    "  stp d8, d9, [sp, #0x60]\n"
    "  stp d10, d11, [sp, #0x70]\n"
    "  stp d12, d13, [sp, #0x80]\n"
    "  stp d14, d15, [sp, #0x90]\n"
    "  str x1, [sp, #0xa0]\n"
    "  ldp x19, x20, [x0, #0x00]\n"  /* load the test values */
    "  ldp x21, x22, [x0, #0x10]\n"
    "  ldp x23, x24, [x0, #0x20]\n"
    "  ldp x25, x26, [x0, #0x30]\n"
    "  ldp x27, x28, [x0, #0x40]\n"
    "  ldr x29, [x0, #0x50]\n"
    "  ldp d8, d9, [x0, #0x58]\n"
    "  ldp d10, d11, [x0, #0x68]\n"
    "  ldp d12, d13, [x0, #0x78]\n"
    "  ldp d14, d15, [x0, #0x88]\n"
    "  mov x0, x2\n"
    "  mov x1, x3\n"
    "  bl coro_ctx_switch\n"
    "  ldr x0, [sp, #0xa0]\n"        /* sp itself must have come back for this to work */
    "  stp x19, x20, [x0, #0x00]\n"  /* record what we got back */
    "  stp x21, x22, [x0, #0x10]\n"
    "  stp x23, x24, [x0, #0x20]\n"
    "  stp x25, x26, [x0, #0x30]\n"
    "  stp x27, x28, [x0, #0x40]\n"
    "  str x29, [x0, #0x50]\n"
    "  stp d8, d9, [x0, #0x58]\n"
    "  stp d10, d11, [x0, #0x68]\n"
    "  stp d12, d13, [x0, #0x78]\n"
    "  stp d14, d15, [x0, #0x88]\n"
    "  ldp x19, x20, [sp, #0x00]\n"  /* give the caller its own registers back */
    "  ldp x21, x22, [sp, #0x10]\n"
    "  ldp x23, x24, [sp, #0x20]\n"
    "  ldp x25, x26, [sp, #0x30]\n"
    "  ldp x27, x28, [sp, #0x40]\n"
    "  ldp x29, x30, [sp, #0x50]\n"
    "  ldp d8, d9, [sp, #0x60]\n"
    "  ldp d10, d11, [sp, #0x70]\n"
    "  ldp d12, d13, [sp, #0x80]\n"
    "  ldp d14, d15, [sp, #0x90]\n"
    "  add sp, sp, #0xb0\n"
    "  ret\n"
    ".size probe_switch, .-probe_switch\n");

static uint64_t slot_mask(int i) { (void)i; return ~(uint64_t)0; }

static void fill(uint64_t *v, uint64_t seed, uint32_t unused1, uint16_t unused2) {
    (void)unused1; (void)unused2;
    for (int i = 0; i < NSLOTS; i++) v[i] = seed * (uint64_t)(i + 1) ^ 0x5a5a5a5a00000000ull ^ (uint64_t)i;
}
#define MAIN_MXCSR 0u
#define MAIN_X87CW 0u
#define CO_MXCSR 0u
#define CO_X87CW 0u
#endif

void probe_switch(const uint64_t *in, uint64_t *out, coro_ctx *from, coro_ctx *to);

static coro_ctx main_ctx, co_ctx;
static int failures;
static uint64_t co_in1[NSLOTS], co_out1[NSLOTS], co_in2[NSLOTS], co_out2[NSLOTS];
#if defined(__x86_64__)
static uint32_t co_start_mxcsr;
static uint16_t co_start_x87cw;
#endif
static double co_double_result;
static long pingpong_count;

static void expect_same(const char *what, const uint64_t *in, const uint64_t *out) {
    for (int i = 0; i < NSLOTS; i++) {
        if ((in[i] & slot_mask(i)) != (out[i] & slot_mask(i))) {
            fprintf(stderr, "FAIL %s: %s was 0x%" PRIx64 " before the switch, 0x%" PRIx64 " after\n",
                    what, slot_names[i], in[i], out[i]);
            failures++;
        }
    }
}

/* printf's varargs path stores xmm registers with aligned moves: a misaligned
 * coroutine stack crashes here. */
static __attribute__((noinline)) double aligned_stack_work(double x) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.3f", x * 1.5);
    return strtod(buf, NULL);
}

static void co_entry(void *arg) {
    (void)arg;
#if defined(__x86_64__)
    co_start_mxcsr = get_mxcsr();
    co_start_x87cw = get_x87cw();
#endif
    probe_switch(co_in1, co_out1, &co_ctx, &main_ctx);
    co_double_result = aligned_stack_work(2.0);
    probe_switch(co_in2, co_out2, &co_ctx, &main_ctx);
    for (;;) {                      /* ping-pong: one switch each way per round; the */
        int v = (int)(pingpong_count & 0x7fff);   /* value travels back to main */
        pingpong_count++;
        coro_ctx_switch(&co_ctx, &main_ctx, v);
    }
}

int main(void) {
    enum { STACK_BYTES = 64 * 1024, ROUNDS = 1000000 };
    void *stack = aligned_alloc(4096, STACK_BYTES);
    if (!stack) { perror("aligned_alloc"); return 1; }
    (void)VALGRIND_STACK_REGISTER(stack, (char *)stack + STACK_BYTES);   /* a known stack, not a wild SP */

#if defined(__x86_64__)
    /* A made context inherits its creator's FP control state. */
    uint32_t saved_mxcsr = get_mxcsr();
    uint16_t saved_x87cw = get_x87cw();
    set_mxcsr(0x5f80u);             /* round up */
    set_x87cw(0x037fu | 0x0400u);   /* round down */
    coro_ctx_make(&co_ctx, (char *)stack + STACK_BYTES, co_entry, NULL);
    set_mxcsr(saved_mxcsr);
    set_x87cw(saved_x87cw);
#else
    coro_ctx_make(&co_ctx, (char *)stack + STACK_BYTES, co_entry, NULL);
#endif

    uint64_t main_in1[NSLOTS], main_out1[NSLOTS], main_in2[NSLOTS], main_out2[NSLOTS];
    fill(main_in1, 0x1111111111111111ull, MAIN_MXCSR, MAIN_X87CW);
    fill(main_in2, 0x2222222222222222ull, CO_MXCSR, CO_X87CW);     /* swap FP states on round 2 */
    fill(co_in1, 0x3333333333333333ull, CO_MXCSR, CO_X87CW);
    fill(co_in2, 0x4444444444444444ull, MAIN_MXCSR, MAIN_X87CW);

    probe_switch(main_in1, main_out1, &main_ctx, &co_ctx);   /* co runs to its first probe */
    expect_same("main side, round 1", main_in1, main_out1);
#if defined(__x86_64__)
    if ((co_start_mxcsr & slot_mask(SLOT_MXCSR)) != (0x5f80u & slot_mask(SLOT_MXCSR)) ||
        (co_start_x87cw & slot_mask(SLOT_X87CW)) != ((0x037fu | 0x0400u) & slot_mask(SLOT_X87CW))) {
        fprintf(stderr, "FAIL made context: MXCSR 0x%x x87 CW 0x%x, creator had 0x5f80 / 0x077f\n",
                co_start_mxcsr, co_start_x87cw);
        failures++;
    }
#endif
    probe_switch(main_in2, main_out2, &main_ctx, &co_ctx);   /* co checks round 1, probes again */
    expect_same("coroutine side, round 1", co_in1, co_out1);
    expect_same("main side, round 2", main_in2, main_out2);
    coro_ctx_switch(&main_ctx, &co_ctx, 0);                    /* co finishes round 2 */
    expect_same("coroutine side, round 2", co_in2, co_out2);
    if (co_double_result != 3.0) {
        fprintf(stderr, "FAIL coroutine computed %f, expected 3.0\n", co_double_result);
        failures++;
    }

    long before = pingpong_count;
    long value_errors = 0;
    for (long i = 0; i < ROUNDS; i++)
        value_errors += coro_ctx_switch(&main_ctx, &co_ctx, 0) != (int)((before + i) & 0x7fff);
    if (value_errors) {
        fprintf(stderr, "FAIL %ld switches returned the wrong value\n", value_errors);
        failures++;
    }
    if (pingpong_count - before != ROUNDS) {
        fprintf(stderr, "FAIL ping-pong: %ld rounds, expected %d\n", pingpong_count - before, ROUNDS);
        failures++;
    }
    free(stack);
    if (failures) return 1;
    printf("test_ctx_regs: ok (%d callee-saved slots preserved both ways, %d round trips)\n", NSLOTS, ROUNDS);
    return 0;
}
