/*
 * clock.c — the runtime's one clock: CLOCK_MONOTONIC in nanoseconds.
 *
 * Every time the runtime compares (timer deadlines, I/O deadlines, time
 * slices, poll timeouts, trace stamps) comes from coro_now_ns, so they all
 * share one timeline.  Monotonic, not wall-clock: a settimeofday must not
 * fire or postpone a sleep.  Invariant: the value never decreases on any
 * thread, and values from different threads are comparable (the kernel's
 * CLOCK_MONOTONIC guarantees both).
 */
#include <time.h>
#include "task.h"

int64_t coro_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
