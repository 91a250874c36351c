/*
 * test_stackful_preempt_regs.c — the preemption trampoline
 * (src/arch/preempt_*.S) preserves every register a C call may clobber, so
 * coro.h's coro_stackful_preempt_point() can declare none clobbered.
 *
 * 1. Probes (assembly below): two stackful coroutines on ONE worker each
 *    load their own distinct value into every caller-saved register, run the
 *    same call sequence as coro.h's inline asm, and store what the registers
 *    hold afterwards.  The trampoline's yield switches to the other
 *    coroutine, which loads ITS values before its own yield, so a register
 *    the trampoline fails to save or restore comes back with the other
 *    side's value (or the scheduler's).  x86-64: rax rcx rdx rsi rdi r8-r11,
 *    xmm0-15, the 128 bytes of red zone below rsp (entered with rsp 8 off
 *    16-byte alignment), then, where the CPU has them, ymm0-15 and zmm0-31
 *    with k0-k7.  arm64: x0-x15, x18, q0-q31 and FPSR.
 * 2. A C loop: two coroutines sum with many live accumulators (integers,
 *    doubles, a 4 x float vector) and force a preemption at every check of
 *    the loop; the results must equal the same loop run without checks.
 *    With the trampoline the compiler keeps those values in caller-saved
 *    registers across the check (that is the point), so a lost register
 *    changes a sum.
 * Also built with -fcf-protection=full (tests/cet.mk) and for arm64 under
 * qemu (tests/arm64/arm64.mk), like every test_stackful*.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <coro.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stackful_test.h"

#if (defined(__x86_64__) || defined(__aarch64__)) && defined(__ELF__) && !defined(CORO_PREEMPT_PLAIN_CALL)
#define HAVE_TRAMPOLINE 1
#endif

#if defined(HAVE_TRAMPOLINE) && defined(__x86_64__)
enum { NGP = 9, NVEC = 16 };
static const char *const gp_names[NGP] = { "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11" };

/* void probe_gp(const uint64_t in[9], uint64_t out[9], const uint8_t vin[16][16],
 *               uint8_t vout[16][16], uint64_t *redzone_bad)
 * The red zone below the probe's rsp is filled with in[0] ^ slot before the
 * call sequence and compared after it. */
__asm__(
    ".text\n"
    ".type probe_gp, @function\n"
    "probe_gp:\n"
    "  pushq %rbx\n  pushq %rbp\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
    "  movq %rdi, %rbx\n  movq %rsi, %r12\n  movq %rdx, %r13\n  movq %rcx, %r14\n  movq %r8, %r15\n"
    "  movq 0(%rbx), %rax\n"
    "  xorl %ecx, %ecx\n"
    "1: movq %rax, %rdx\n  xorq %rcx, %rdx\n  movq %rdx, -128(%rsp,%rcx,8)\n"
    "  incq %rcx\n  cmpq $16, %rcx\n  jne 1b\n"
    "  movdqu 0x00(%r13), %xmm0\n  movdqu 0x10(%r13), %xmm1\n  movdqu 0x20(%r13), %xmm2\n  movdqu 0x30(%r13), %xmm3\n"
    "  movdqu 0x40(%r13), %xmm4\n  movdqu 0x50(%r13), %xmm5\n  movdqu 0x60(%r13), %xmm6\n  movdqu 0x70(%r13), %xmm7\n"
    "  movdqu 0x80(%r13), %xmm8\n  movdqu 0x90(%r13), %xmm9\n  movdqu 0xa0(%r13), %xmm10\n  movdqu 0xb0(%r13), %xmm11\n"
    "  movdqu 0xc0(%r13), %xmm12\n  movdqu 0xd0(%r13), %xmm13\n  movdqu 0xe0(%r13), %xmm14\n  movdqu 0xf0(%r13), %xmm15\n"
    "  movq 0x00(%rbx), %rax\n  movq 0x08(%rbx), %rcx\n  movq 0x10(%rbx), %rdx\n  movq 0x18(%rbx), %rsi\n"
    "  movq 0x20(%rbx), %rdi\n  movq 0x28(%rbx), %r8\n  movq 0x30(%rbx), %r9\n  movq 0x38(%rbx), %r10\n"
    "  movq 0x40(%rbx), %r11\n"
    /* coro.h's sequence; rsp is 8 mod 16 here (6 pushes + the return address) */
    "  leaq -128(%rsp), %rsp\n  call coro_stackful_preempt_trampoline_\n  leaq 128(%rsp), %rsp\n"
    "  movq %rax, 0x00(%r12)\n  movq %rcx, 0x08(%r12)\n  movq %rdx, 0x10(%r12)\n  movq %rsi, 0x18(%r12)\n"
    "  movq %rdi, 0x20(%r12)\n  movq %r8, 0x28(%r12)\n  movq %r9, 0x30(%r12)\n  movq %r10, 0x38(%r12)\n"
    "  movq %r11, 0x40(%r12)\n"
    "  movdqu %xmm0, 0x00(%r14)\n  movdqu %xmm1, 0x10(%r14)\n  movdqu %xmm2, 0x20(%r14)\n  movdqu %xmm3, 0x30(%r14)\n"
    "  movdqu %xmm4, 0x40(%r14)\n  movdqu %xmm5, 0x50(%r14)\n  movdqu %xmm6, 0x60(%r14)\n  movdqu %xmm7, 0x70(%r14)\n"
    "  movdqu %xmm8, 0x80(%r14)\n  movdqu %xmm9, 0x90(%r14)\n  movdqu %xmm10, 0xa0(%r14)\n  movdqu %xmm11, 0xb0(%r14)\n"
    "  movdqu %xmm12, 0xc0(%r14)\n  movdqu %xmm13, 0xd0(%r14)\n  movdqu %xmm14, 0xe0(%r14)\n  movdqu %xmm15, 0xf0(%r14)\n"
    "  movq 0(%rbx), %rax\n  xorl %ecx, %ecx\n  xorl %esi, %esi\n"
    "2: movq %rax, %rdx\n  xorq %rcx, %rdx\n  cmpq %rdx, -128(%rsp,%rcx,8)\n  je 3f\n  incq %rsi\n"
    "3: incq %rcx\n  cmpq $16, %rcx\n  jne 2b\n"
    "  movq %rsi, (%r15)\n"
    "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbp\n  popq %rbx\n"
    "  ret\n"
    ".size probe_gp, .-probe_gp\n");
void probe_gp(const uint64_t *in, uint64_t *out, const uint8_t *vin, uint8_t *vout, uint64_t *redzone_bad);

/* void probe_ymm(const uint8_t in[16][32], uint8_t out[16][32]) — ymm0-15 */
__asm__(
    ".text\n"
    ".type probe_ymm, @function\n"
    "probe_ymm:\n"
    "  pushq %rbx\n  pushq %r12\n  pushq %r13\n"
    "  movq %rdi, %r12\n  movq %rsi, %r13\n"
    "  vmovdqu 0x000(%r12), %ymm0\n  vmovdqu 0x020(%r12), %ymm1\n  vmovdqu 0x040(%r12), %ymm2\n  vmovdqu 0x060(%r12), %ymm3\n"
    "  vmovdqu 0x080(%r12), %ymm4\n  vmovdqu 0x0a0(%r12), %ymm5\n  vmovdqu 0x0c0(%r12), %ymm6\n  vmovdqu 0x0e0(%r12), %ymm7\n"
    "  vmovdqu 0x100(%r12), %ymm8\n  vmovdqu 0x120(%r12), %ymm9\n  vmovdqu 0x140(%r12), %ymm10\n  vmovdqu 0x160(%r12), %ymm11\n"
    "  vmovdqu 0x180(%r12), %ymm12\n  vmovdqu 0x1a0(%r12), %ymm13\n  vmovdqu 0x1c0(%r12), %ymm14\n  vmovdqu 0x1e0(%r12), %ymm15\n"
    "  leaq -128(%rsp), %rsp\n  call coro_stackful_preempt_trampoline_\n  leaq 128(%rsp), %rsp\n"
    "  vmovdqu %ymm0, 0x000(%r13)\n  vmovdqu %ymm1, 0x020(%r13)\n  vmovdqu %ymm2, 0x040(%r13)\n  vmovdqu %ymm3, 0x060(%r13)\n"
    "  vmovdqu %ymm4, 0x080(%r13)\n  vmovdqu %ymm5, 0x0a0(%r13)\n  vmovdqu %ymm6, 0x0c0(%r13)\n  vmovdqu %ymm7, 0x0e0(%r13)\n"
    "  vmovdqu %ymm8, 0x100(%r13)\n  vmovdqu %ymm9, 0x120(%r13)\n  vmovdqu %ymm10, 0x140(%r13)\n  vmovdqu %ymm11, 0x160(%r13)\n"
    "  vmovdqu %ymm12, 0x180(%r13)\n  vmovdqu %ymm13, 0x1a0(%r13)\n  vmovdqu %ymm14, 0x1c0(%r13)\n  vmovdqu %ymm15, 0x1e0(%r13)\n"
    "  vzeroupper\n"
    "  popq %r13\n  popq %r12\n  popq %rbx\n"
    "  ret\n"
    ".size probe_ymm, .-probe_ymm\n");
void probe_ymm(const uint8_t *in, uint8_t *out);

/* void probe_zmm(const uint8_t in[32][64], uint8_t out[32][64], const uint16_t kin[8], uint16_t kout[8]) */
#define ZL(i) "  vmovdqu64 " #i "*64(%r12), %zmm" #i "\n"
#define ZS(i) "  vmovdqu64 %zmm" #i ", " #i "*64(%r13)\n"
#define KL(i) "  kmovw " #i "*2(%r14), %k" #i "\n"
#define KS(i) "  kmovw %k" #i ", " #i "*2(%r15)\n"
#define X8(M, a, b, c, d, e, f, g, h) M(a) M(b) M(c) M(d) M(e) M(f) M(g) M(h)
__asm__(
    ".text\n"
    ".type probe_zmm, @function\n"
    "probe_zmm:\n"
    "  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
    "  movq %rdi, %r12\n  movq %rsi, %r13\n  movq %rdx, %r14\n  movq %rcx, %r15\n"
    X8(ZL, 0, 1, 2, 3, 4, 5, 6, 7) X8(ZL, 8, 9, 10, 11, 12, 13, 14, 15)
    X8(ZL, 16, 17, 18, 19, 20, 21, 22, 23) X8(ZL, 24, 25, 26, 27, 28, 29, 30, 31)
    X8(KL, 0, 1, 2, 3, 4, 5, 6, 7)
    "  leaq -128(%rsp), %rsp\n  call coro_stackful_preempt_trampoline_\n  leaq 128(%rsp), %rsp\n"
    X8(ZS, 0, 1, 2, 3, 4, 5, 6, 7) X8(ZS, 8, 9, 10, 11, 12, 13, 14, 15)
    X8(ZS, 16, 17, 18, 19, 20, 21, 22, 23) X8(ZS, 24, 25, 26, 27, 28, 29, 30, 31)
    X8(KS, 0, 1, 2, 3, 4, 5, 6, 7)
    "  vzeroupper\n"
    "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n"
    "  ret\n"
    ".size probe_zmm, .-probe_zmm\n");
void probe_zmm(const uint8_t *in, uint8_t *out, const uint16_t *kin, uint16_t *kout);

static void fill(uint8_t *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(seed * 131u + i * 7u + 1u);
}

/* One side of the probe pair: every register value differs from the other side's. */
/* The trampoline's save mode (src/preempt_save.c; hidden, but this test links
 * libcoro statically): the SSE-only mode is forced for a second pass, so a
 * CPU with AVX tests both. */
extern uint32_t coro_preempt_save_mask_;
extern uint64_t coro_preempt_save_frame_;
static int sse_pass;

/* Leaves 0xff in the stack below the caller's frame, where the probe's
 * trampoline frame will be: a fresh stack page is zero, which would hide a
 * save area the trampoline relies on being zero (the XSAVE header). */
static __attribute__((noinline)) void scribble_stack(void) {
    volatile uint8_t junk[6144];
    memset((void *)junk, 0xff, sizeof junk);
}

static int probe_side(unsigned seed) {
    int bad = 0;
    uint64_t in[NGP], out[NGP], redzone_bad = 99;
    uint8_t vin[NVEC * 16], vout[NVEC * 16];
    for (int i = 0; i < NGP; i++) in[i] = 0x1111111111111111ull * (seed + 1) + (uint64_t)i * 0x100;
    fill(vin, sizeof vin, seed);
    memset(out, 0, sizeof out);
    memset(vout, 0, sizeof vout);
    scribble_stack();
    probe_gp(in, out, vin, vout, &redzone_bad);
    for (int i = 0; i < NGP; i++)
        if (out[i] != in[i]) { fprintf(stderr, "side %u: %s = %#" PRIx64 ", want %#" PRIx64 "\n", seed, gp_names[i], out[i], in[i]); bad++; }
    for (int i = 0; i < NVEC; i++)
        if (memcmp(vin + 16 * i, vout + 16 * i, 16) != 0) { fprintf(stderr, "side %u: xmm%d not preserved\n", seed, i); bad++; }
    if (redzone_bad != 0) { fprintf(stderr, "side %u: %" PRIu64 " red-zone slots overwritten\n", seed, redzone_bad); bad++; }
    if (!sse_pass && __builtin_cpu_supports("avx")) {
        uint8_t yin[16 * 32], yout[16 * 32];
        fill(yin, sizeof yin, seed + 10);
        memset(yout, 0, sizeof yout);
        scribble_stack();
        probe_ymm(yin, yout);
        for (int i = 0; i < 16; i++)
            if (memcmp(yin + 32 * i, yout + 32 * i, 32) != 0) { fprintf(stderr, "side %u: ymm%d not preserved\n", seed, i); bad++; }
    }
    if (!sse_pass && __builtin_cpu_supports("avx512f")) {
        enum { ZBYTES = 32 * 64 };
        uint16_t kin[8], kout[8];
        uint8_t *zi = malloc(ZBYTES), *zo = malloc(ZBYTES);   /* 4 KB: off the coroutine stack */
        CHECK(zi && zo, "malloc");
        fill(zi, ZBYTES, seed + 20);
        memset(zo, 0, ZBYTES);
        for (int i = 0; i < 8; i++) { kin[i] = (uint16_t)(0x1234 * (seed + 1) + i); kout[i] = 0; }
        scribble_stack();
        probe_zmm(zi, zo, kin, kout);
        for (int i = 0; i < 32; i++)
            if (memcmp(zi + 64 * i, zo + 64 * i, 64) != 0) { fprintf(stderr, "side %u: zmm%d not preserved\n", seed, i); bad++; }
        for (int i = 0; i < 8; i++)
            if (kin[i] != kout[i]) { fprintf(stderr, "side %u: k%d = %#x, want %#x\n", seed, i, kout[i], kin[i]); bad++; }
        free(zi);
        free(zo);
    }
    return bad;
}
static const char *probe_what(void) {
    return __builtin_cpu_supports("avx512f") ? "rax-r11, xmm0-15, red zone, ymm0-15, zmm0-31, k0-7"
         : __builtin_cpu_supports("avx")     ? "rax-r11, xmm0-15, red zone, ymm0-15"
                                             : "rax-r11, xmm0-15, red zone";
}
#elif defined(HAVE_TRAMPOLINE) && defined(__aarch64__)
enum { NGP = 17, NVEC = 32 };

/* void probe_gp(const uint64_t in[17], uint64_t out[17] (x0-x15, x18),
 *               const uint8_t vin[32][16], uint8_t vout[32][16], uint64_t *fpsr_inout) */
#define QL(a, b, off) "  ldp q" #a ", q" #b ", [x21, #" #off "]\n"
#define QS(a, b, off) "  stp q" #a ", q" #b ", [x22, #" #off "]\n"
#define QALL(M) M(0, 1, 0) M(2, 3, 32) M(4, 5, 64) M(6, 7, 96) M(8, 9, 128) M(10, 11, 160) M(12, 13, 192) \
    M(14, 15, 224) M(16, 17, 256) M(18, 19, 288) M(20, 21, 320) M(22, 23, 352) M(24, 25, 384) M(26, 27, 416) \
    M(28, 29, 448) M(30, 31, 480)
__asm__(
    ".text\n"
    ".type probe_gp, %function\n"
    "probe_gp:\n"
    "  stp x29, x30, [sp, #-96]!\n"
    "  mov x29, sp\n"
    "  stp x19, x20, [sp, #16]\n  stp x21, x22, [sp, #32]\n  stp x23, x24, [sp, #48]\n"
    "  stp d8, d9, [sp, #64]\n  stp d10, d11, [sp, #80]\n"
    "  mov x19, x0\n  mov x20, x1\n  mov x21, x2\n  mov x22, x3\n  mov x23, x4\n"
    "  ldr x0, [x23]\n  msr fpsr, x0\n"
    QALL(QL)
    "  ldp x0, x1, [x19, #0]\n  ldp x2, x3, [x19, #16]\n  ldp x4, x5, [x19, #32]\n  ldp x6, x7, [x19, #48]\n"
    "  ldp x8, x9, [x19, #64]\n  ldp x10, x11, [x19, #80]\n  ldp x12, x13, [x19, #96]\n  ldp x14, x15, [x19, #112]\n"
    "  ldr x18, [x19, #128]\n"
    "  bl coro_stackful_preempt_trampoline_\n"
    "  stp x0, x1, [x20, #0]\n  stp x2, x3, [x20, #16]\n  stp x4, x5, [x20, #32]\n  stp x6, x7, [x20, #48]\n"
    "  stp x8, x9, [x20, #64]\n  stp x10, x11, [x20, #80]\n  stp x12, x13, [x20, #96]\n  stp x14, x15, [x20, #112]\n"
    "  str x18, [x20, #128]\n"
    QALL(QS)
    "  mrs x0, fpsr\n  str x0, [x23]\n"
    "  ldp x19, x20, [sp, #16]\n  ldp x21, x22, [sp, #32]\n  ldp x23, x24, [sp, #48]\n"
    "  ldp d8, d9, [sp, #64]\n  ldp d10, d11, [sp, #80]\n"
    "  ldp x29, x30, [sp], #96\n"
    "  ret\n"
    ".size probe_gp, .-probe_gp\n");
void probe_gp(const uint64_t *in, uint64_t *out, const uint8_t *vin, uint8_t *vout, uint64_t *fpsr);

static int probe_side(unsigned seed) {
    int bad = 0;
    uint64_t in[NGP], out[NGP];
    uint8_t vin[NVEC * 16], vout[NVEC * 16];
    for (int i = 0; i < NGP; i++) in[i] = 0x1111111111111111ull * (seed + 1) + (uint64_t)i * 0x100;
    for (size_t i = 0; i < sizeof vin; i++) vin[i] = (uint8_t)(seed * 131u + i * 7u + 1u);
    memset(out, 0, sizeof out);
    memset(vout, 0, sizeof vout);
    /* Cumulative exception flags: IOC (bit 0) on one side, IXC (bit 4) on the other. */
    uint64_t fpsr_want = seed ? 0x10 : 0x1, fpsr = fpsr_want;
    probe_gp(in, out, vin, vout, &fpsr);
    for (int i = 0; i < NGP; i++)
        if (out[i] != in[i]) { fprintf(stderr, "side %u: x%d = %#" PRIx64 ", want %#" PRIx64 "\n", seed, i < 16 ? i : 18, out[i], in[i]); bad++; }
    for (int i = 0; i < NVEC; i++)
        if (memcmp(vin + 16 * i, vout + 16 * i, 16) != 0) { fprintf(stderr, "side %u: q%d not preserved\n", seed, i); bad++; }
    if ((fpsr & 0x9f) != fpsr_want) { fprintf(stderr, "side %u: fpsr = %#" PRIx64 ", want %#" PRIx64 "\n", seed, fpsr, fpsr_want); bad++; }
    return bad;
}
static const char *probe_what(void) { return "x0-x15, x18, q0-q31, fpsr"; }
#endif

#if defined(HAVE_TRAMPOLINE)
static int probe_bad[2], probe_done;
static void prober(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg;
    for (int round = 0; round < 50; round++) probe_bad[seed] += probe_side(seed);
    __atomic_fetch_add(&probe_done, 1, __ATOMIC_RELAXED);
}
static void probe_entry(void *arg) {
    (void)arg;
    CHECK(coro_go_stackful(prober, (void *)(uintptr_t)1, "prober1") == 0, "spawn");
    prober((void *)(uintptr_t)0);
}
#endif

/* ---- 2: a C loop with many live values across forced preemptions ------------- */

typedef float v4f __attribute__((vector_size(16)));
struct sums { uint64_t a, b, c, d, e, f, g, h; double x, y, z; v4f v; };

/* `check` chooses the loop with a preemption point forced on every
 * iteration, or the same loop with none (the reference). */
static __attribute__((noinline)) void many_sums(const uint32_t *p, long n, int check, struct sums *out) {
    uint64_t a = 0, b = 1, c = 2, d = 3, e = 4, f = 5, g = 6, h = 7;
    double x = 0.5, y = 1.5, z = 2.5;
    v4f v = { 0, 1, 2, 3 };
    for (long i = 0; i < n; i++) {
        uint32_t w = p[i];
        a += w; b ^= w * 3u; c += b >> 3; d = d * 5 + w; e += d ^ a; f += (uint64_t)w << 7; g ^= f + c; h += g >> 11;
        x += (double)w * 0.25; y = y * 0.999 + x * 1e-3; z += y - (double)(w & 7);
        v += (v4f){ (float)(w & 15), (float)(w & 31), 1.0f, (float)(i & 3) };
        if (check) {
            coro_preempt_flag_ = 1;   /* the monitor's store: the check now yields */
            coro_stackful_preempt_point();
        }
    }
    *out = (struct sums){ a, b, c, d, e, f, g, h, x, y, z, v };
}

enum { LOOP_N = 20000 };
static uint32_t loop_data[LOOP_N];
static struct sums loop_got[2];
static void looper(void *arg) {
    int side = (int)(uintptr_t)arg;
    many_sums(loop_data + side * 100, LOOP_N - 100, 1, &loop_got[side]);
}
static void loop_entry(void *arg) {
    (void)arg;
    CHECK(coro_go_stackful(looper, (void *)(uintptr_t)1, "looper1") == 0, "spawn");
    looper((void *)(uintptr_t)0);
}

int main(void) {
    setenv("CORO_THREADS", "1", 1);   /* the two sides must interleave on one worker */
#if defined(HAVE_TRAMPOLINE)
    CHECK(coro_run_main_stackful(probe_entry, NULL, "probe") == 0, "run");
    CHECK(probe_done == 2, "%d of 2 probers finished", probe_done);
    CHECK(probe_bad[0] == 0 && probe_bad[1] == 0, "%d + %d registers not preserved by the trampoline",
          probe_bad[0], probe_bad[1]);
    printf("trampoline: %s preserved across 100 preemptions that switched coroutines\n", probe_what());
#if defined(__x86_64__)
    if (coro_preempt_save_mask_ != 0) {   /* XSAVE mode was used: now the movaps one */
        uint32_t mask = coro_preempt_save_mask_;
        uint64_t frame = coro_preempt_save_frame_;
        coro_preempt_save_mask_ = 0;
        coro_preempt_save_frame_ = 0x80 + 16 * 16;
        sse_pass = 1;
        probe_done = 0;
        CHECK(coro_run_main_stackful(probe_entry, NULL, "probe-sse") == 0, "run");
        CHECK(probe_done == 2 && probe_bad[0] == 0 && probe_bad[1] == 0, "SSE mode: %d + %d registers not preserved",
              probe_bad[0], probe_bad[1]);
        coro_preempt_save_mask_ = mask;
        coro_preempt_save_frame_ = frame;
        printf("trampoline, SSE-only mode (forced): rax-r11, xmm0-15, red zone preserved\n");
    }
#endif
#else
    printf("trampoline: not on this target (plain C call); probes skipped\n");
#endif

    for (long i = 0; i < LOOP_N; i++) loop_data[i] = (uint32_t)(i * 2654435761u) ^ (uint32_t)(i >> 3);
    CHECK(coro_run_main_stackful(loop_entry, NULL, "loops") == 0, "run");
    for (int side = 0; side < 2; side++) {
        struct sums want;
        many_sums(loop_data + side * 100, LOOP_N - 100, 0, &want);
        struct sums *got = &loop_got[side];
        CHECK(got->a == want.a && got->b == want.b && got->c == want.c && got->d == want.d && got->e == want.e
              && got->f == want.f && got->g == want.g && got->h == want.h, "side %d: an integer sum differs", side);
        CHECK(got->x == want.x && got->y == want.y && got->z == want.z, "side %d: a double sum differs", side);
        CHECK(memcmp(&got->v, &want.v, sizeof want.v) == 0, "side %d: the vector sum differs", side);
    }
    printf("loop: 12 live accumulators across %d forced preemptions per side give the unpreempted sums\n", LOOP_N - 100);
    printf("test_stackful_preempt_regs: ok\n");
    return 0;
}
