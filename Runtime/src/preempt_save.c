/*
 * preempt_save.c — what the x86-64 preemption trampoline
 * (src/arch/preempt_x86_64_sysv_elf.S) saves, decided once at start-up.
 *
 * Invariant: coro_preempt_save_mask_ and coro_preempt_save_frame_ are set
 * before any coroutine runs (a constructor; the trampoline only runs inside
 * coro_run_main*) and never change afterwards, so the trampoline reads them
 * without synchronization, and the mode it saved with is the mode it
 * restores with (it also keeps the mode in its frame).
 *
 *   mask 0         SSE only (no AVX enabled in XCR0, or no XSAVE): the
 *                  trampoline saves xmm0-15 with movaps
 *   mask != 0      XSAVE of exactly these XCR0 components: SSE (1), AVX (2),
 *                  and with AVX-512 opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7)
 *   frame          bytes below the 64-byte aligned entry rsp: 0x80 of
 *                  general registers, then the save area (CPUID leaf 0xD
 *                  gives each component's offset and size in the standard
 *                  XSAVE layout), rounded up to 64
 *
 * Other architectures: nothing here (the arm64 trampoline saves a fixed set).
 */
#include <stdint.h>

#if defined(__x86_64__) && defined(__ELF__)
#include <cpuid.h>

/* Read by the trampoline; hidden, internal to the runtime. */
__attribute__((visibility("hidden"))) uint32_t coro_preempt_save_mask_ = 0;
__attribute__((visibility("hidden"))) uint64_t coro_preempt_save_frame_ = 0x80 + 16 * 16;

enum { XS_SSE = 1u << 1, XS_AVX = 1u << 2, XS_AVX512 = 7u << 5, XS_LEGACY_AND_HEADER = 512 + 64 };

__attribute__((constructor)) static void preempt_save_init(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_XSAVE)) return;
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if (!(lo & XS_AVX) || !(lo & XS_SSE)) return;   /* no AVX state to keep: movaps suffices */
    uint32_t mask = lo & (XS_SSE | XS_AVX | XS_AVX512);
    uint64_t end = XS_LEGACY_AND_HEADER;
    for (unsigned i = 2; i < 8; i++) {
        if (!(mask & (1u << i))) continue;
        __cpuid_count(0xD, i, a, b, c, d);         /* a = size, b = offset */
        if ((uint64_t)b + a > end) end = (uint64_t)b + a;
    }
    coro_preempt_save_frame_ = (0x80 + end + 63) & ~(uint64_t)63;
    coro_preempt_save_mask_ = mask;
}
#endif
