/*
 * timer.h — the runtime's timers: sleeping tasks and I/O deadlines.
 *
 * One min-heap for the process, under one lock, rather than Go's per-P
 * heaps.  Why: with per-worker heaps an idle worker parked on its futex
 * would have to be woken to fire its own timers, or every poller would have
 * to merge all heaps to compute its epoll timeout and steal due timers (what
 * Go's checkTimers/stealWork do).  Timers are armed at most once per park,
 * next to a syscall that costs far more than an uncontended lock, so one
 * heap keeps "the idle poller sleeps exactly until the earliest deadline"
 * trivially right.  The fast-path question "is anything due?" is one atomic
 * load of `coro_timer_next()`, no lock.
 *
 * Invariants (under the heap lock): heap order by (when_ns, arming order),
 * so timers with equal deadlines fire in the order they were armed;
 * next_when == heap[0].when_ns, or 0 when the heap is empty.
 */
#ifndef CORO_TIMER_H
#define CORO_TIMER_H

#include <stdint.h>
#include "task.h"

/* Ready t (parked with op CORO_OP_KIND_SLEEP) at when_ns.  0 or -1/ENOMEM. */
int coro_timer_sleep(coro_task *t, int64_t when_ns);
/* At when_ns, call coro_fd_timeout(fd, mode, seq, timeout_err).  0 or -1/ENOMEM. */
int coro_timer_fd(int fd, int mode, uint32_t seq, int64_t when_ns, int timeout_err);
/* Earliest deadline (CLOCK_MONOTONIC ns), or 0 if no timer is armed.
 * Inline: the scheduler asks on every tick. */
extern int64_t coro_timer_next_when_;   /* atomic; stored under the heap lock */
static inline int64_t coro_timer_next(void) { return __atomic_load_n(&coro_timer_next_when_, __ATOMIC_ACQUIRE); }
/* Fire every timer due at `now`: sleeping tasks are appended to *list (the
 * caller readies them, in order); fd deadlines are handled here. */
int coro_timer_run(int64_t now, coro_task_list *list);

#endif /* CORO_TIMER_H */
