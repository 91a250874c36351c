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
 * so timers with equal deadlines fire in the order they were armed; a
 * timer with a handle has *handle == its index (I/O deadlines are
 * cancelled when the I/O completes, so a server with long deadlines does
 * not accumulate stale timers, nor make every scheduling tick read the
 * clock for them);
 * next_when == heap[0].when_ns, or 0 when the heap is empty.
 */
#ifndef CORO_TIMER_H
#define CORO_TIMER_H

#include <stdint.h>
#include "task.h"

/* Ready t (parked with op CORO_OP_KIND_SLEEP) at when_ns.  0 or -1/ENOMEM. */
int coro_timer_sleep(coro_task *t, int64_t when_ns);
/* At when_ns, call coro_fd_timeout(fd, mode, seq, timeout_err).  0 or -1/ENOMEM.
 * *handle (if not NULL) tracks the timer's place in the heap, under the heap
 * lock, and is CORO_TIMER_NONE once the timer fired or was cancelled; the
 * owner must keep it valid until then (a parked task's `aux`: the task
 * cancels before its operation returns, so it outlives the timer). */
#define CORO_TIMER_NONE ((intptr_t)-1)
int coro_timer_fd(int fd, int mode, uint32_t seq, int64_t when_ns, int timeout_err, intptr_t *handle);
/* Remove the timer *handle names, if it has not fired yet. */
void coro_timer_cancel(intptr_t *handle);
/* Earliest deadline (CLOCK_MONOTONIC ns), or 0 if no timer is armed.
 * Inline: the scheduler asks on every tick. */
extern int64_t coro_timer_next_when_;   /* atomic; stored under the heap lock */
static inline int64_t coro_timer_next(void) { return __atomic_load_n(&coro_timer_next_when_, __ATOMIC_ACQUIRE); }
/* Fire every timer due at `now`: sleeping tasks are appended to *list (the
 * caller readies them, in order); fd deadlines are handled here. */
int coro_timer_run(int64_t now, coro_task_list *list);

#endif /* CORO_TIMER_H */
