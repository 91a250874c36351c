/*
 * lock.h — the runtime's small mutex for per-object locks (fd records,
 * channels, wait groups, the global run queue, the timer heap).
 *
 * A futex mutex in Drepper's three-state form ("Futexes Are Tricky", mutex2):
 *   0 = unlocked, 1 = locked, 2 = locked and someone may sleep in the kernel.
 * The fast path is one CAS to lock and one exchange to unlock; no syscall
 * unless there is contention.  It spins briefly before sleeping because
 * critical sections here are a few dozen instructions, but it does sleep:
 * on this 2-vCPU machine a preempted holder would otherwise burn a whole
 * time slice of a spinning waiter.
 *
 * The lock word is a plain `int` so public structs (coro_wg.lock,
 * coro_mutex.lock in coro.h) can hold one; always initialize it to 0.
 * Acquire has acquire ordering, release has release ordering (the partner
 * of every lock acquire is the previous holder's release).
 */
#ifndef CORO_LOCK_H
#define CORO_LOCK_H

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef int coro_lock_t;

#define CORO_LOCK_INIT 0

/* Spins before the futex wait: picked by measurement on 2 vCPUs (a handful of
 * cache-line round trips), not tuned further. */
#define CORO_LOCK_SPINS 64

/* A CPU hint for spin loops (pause / yield). */
static inline void coro_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline void coro_lock_futex_wait_(coro_lock_t *l, int expected) {
    syscall(SYS_futex, l, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static inline void coro_lock_futex_wake_(coro_lock_t *l) {
    syscall(SYS_futex, l, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static inline void coro_lock_acquire(coro_lock_t *l) {
    int c = 0;
    if (__atomic_compare_exchange_n(l, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
    for (int i = 0; i < CORO_LOCK_SPINS; i++) {
        coro_cpu_relax();
        c = 0;
        if (__atomic_load_n(l, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(l, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
    }
    /* Contended: mark the lock "may have sleepers" and sleep until we take it. */
    c = __atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        coro_lock_futex_wait_(l, 2);
        c = __atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE);
    }
}

static inline int coro_lock_try(coro_lock_t *l) {
    int c = 0;
    return __atomic_compare_exchange_n(l, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void coro_lock_release(coro_lock_t *l) {
    if (__atomic_exchange_n(l, 0, __ATOMIC_RELEASE) == 2) coro_lock_futex_wake_(l);
}

#endif /* CORO_LOCK_H */
