/*
 * trace.h — the scheduler's event recorder (CORO_TRACE=FILE), hooks only.
 *
 * INVARIANTS
 *
 *  - Off (CORO_TRACE unset), every hook is one load of coro_trace_on_ and a
 *    branch predicted not taken; nothing else runs and nothing is allocated.
 *    The yield path has no hook at all: sched.c's worker loop is compiled
 *    twice, with and without the turn hooks, and picks one per worker.
 *    coro_trace_on_ is written only by coro_run_main, before its workers
 *    start and after they stop, and only when the value changes; it is read
 *    with relaxed atomic loads (a plain mov) because blocking-pool threads of
 *    an earlier run may read it meanwhile.
 *  - On, an event goes into the calling thread's own buffer (no lock, no
 *    atomic read-modify-write): workers, blocking-pool threads and any other
 *    thread that readies a task each have one.  A thread's first event
 *    registers its buffer on a list under a mutex (once per thread).
 *  - Events are stamped with CLOCK_MONOTONIC (one clock for all threads), so
 *    the writer orders all buffers by time.  Each hook stamps its event
 *    BEFORE the step that lets another thread act on it (stop before park or
 *    requeue, ready before enqueue, spawn before enqueue, end before free):
 *    so per task, time order is causal order.
 *  - A task is named by its address plus the spawn that began its life:
 *    tasks are pooled and addresses recur, but an address is reused only
 *    after the end event of its previous life (see the stamping rule).
 *
 * The hooks are one line each where the event happens (sched.c, idle.c,
 * netpoll.c, blocking.c); what each event means and the JSON written at
 * exit: trace.c.
 */
#ifndef CORO_TRACE_H
#define CORO_TRACE_H

#include <stdint.h>
#include "task.h"

enum coro_trace_kind {
    CORO_TR_SPAWN = 1,   /* task created (a: its name) */
    CORO_TR_RUN,         /* a worker starts running task */
    CORO_TR_STOP,        /* it stops: b = CORO_TR_END_*, a = fd for fd waits */
    CORO_TR_READY,       /* task made runnable (b = 1: woken before it finished parking,
                            recorded by the parking worker) */
    CORO_TR_STEAL,       /* this worker stole task from worker a */
    CORO_TR_POLL,        /* the poller returned a ready tasks (a > 0 only) */
    CORO_TR_BLOCK_BEGIN, /* a blocking-pool thread starts task's job */
    CORO_TR_BLOCK_END,   /* ... and finishes it (it readies the task next) */
};

/* Why a task stopped running (the park reason, from task->op at the park). */
enum coro_trace_end {
    CORO_TR_END_YIELD = 1, CORO_TR_END_PREEMPT, CORO_TR_END_DONE,
    CORO_TR_END_FD_READ, CORO_TR_END_FD_WRITE, CORO_TR_END_TIMER,
    CORO_TR_END_CHAN_SEND, CORO_TR_END_CHAN_RECV, CORO_TR_END_SELECT,
    CORO_TR_END_WG, CORO_TR_END_MUTEX, CORO_TR_END_BLOCKING, CORO_TR_END_OTHER,
};

extern int coro_trace_on_;

void coro_trace_event_(int kind, const coro_task *t, intptr_t a, int b);
void coro_trace_stop_(const coro_task *t, int status);
void coro_trace_fd_(int fd, int mode);
void coro_trace_poll_(const coro_task_list *woken);
void coro_trace_start(void);   /* coro_run_main, before workers start */
void coro_trace_finish(void);  /* coro_run_main, after workers joined */

/* -DCORO_TRACE_COMPILED_OUT removes the hooks (the baseline of the
 * off-cost measurement in docs/benchmarks.md). */
#ifdef CORO_TRACE_COMPILED_OUT
#define CORO_TRACE_ON() 0
#else
#define CORO_TRACE_ON() __builtin_expect(__atomic_load_n(&coro_trace_on_, __ATOMIC_RELAXED), 0)
#endif
/* The hooks: one branch when off. */
#define coro_trace(kind, t, a, b) do { if (CORO_TRACE_ON()) coro_trace_event_((kind), (t), (a), (b)); } while (0)
/* st: the coro_status the task's resume returned (park reason read from t->op). */
#define coro_trace_stop(t, st) do { if (CORO_TRACE_ON()) coro_trace_stop_((t), (st)); } while (0)
/* An fd wait is about to park: remember fd and direction for the stop event. */
#define coro_trace_fd(fd, mode) do { if (CORO_TRACE_ON()) coro_trace_fd_((fd), (mode)); } while (0)

/* The poller handed back `woken` (recorded if not empty). */
#define coro_trace_poll(woken) do { if (CORO_TRACE_ON()) coro_trace_poll_(woken); } while (0)

#endif /* CORO_TRACE_H */
