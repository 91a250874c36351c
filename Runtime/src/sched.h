/*
 * sched.h — scheduler internals shared by the core runtime files that need
 * the workers themselves (sched.c, idle.c, frame.c, config.c, timer.c,
 * monitor.c, trace.c).  Other runtime files use task.h only.
 *
 * The scheduler is three files, one job each: sched.c runs tasks (the
 * worker loop, the trampoline, ready/park, spawn, coro_run_main), idle.c
 * finds work for a worker whose local queue is dry and wakes idle workers
 * (wakep), config.c reads the environment into coro_sched_.  The functions
 * below are their interface to one another; the protocols are in those
 * files' opening comments.
 */
#ifndef CORO_SCHED_H
#define CORO_SCHED_H

#include <pthread.h>
#include <stdint.h>
#include "task.h"
#include "runq.h"
#include "alloc.h"
#include "timer.h"

typedef struct coro_worker coro_worker;

struct coro_worker {
    coro_runq q;                 /* run queue; see runq.h for who touches what */
    int id;                      /* index in coro_workers_ */
    pthread_t thread;            /* unused for worker 0 (the coro_run_main caller) */
    uint64_t rng;                /* victim choice / seeded picks; owner only */
    uint32_t tick;               /* scheduling ticks: stored by the owner, read by the
                                    monitor (relaxed atomics; a plain mov each) */
    int mode;                    /* WORKER_*: how to pop the local queue (set at start) */
    coro_task *cur;              /* atomic (relaxed): task being run, NULL when idle */
    volatile int *preempt_flag;  /* &coro_preempt_flag_ of this worker's thread */
    int spinning;                /* owner, or the waker that handed it spinning status */
    uint64_t credits;            /* prepaid units of coro_sched_.live; owner only */
    /* idle bookkeeping, protected by coro_sched_.lock */
    coro_worker *idle_next;
    int in_idle;                 /* on the idle list */
    int idle_polling;            /* idle in netpoll (wake with a poller break), not futex */
    uint32_t wake_word;          /* futex: 0 = asleep, 1 = woken (atomic) */
    coro_alloc_cache alloc;      /* tasks and small frames; owner only */
} __attribute__((aligned(64)));

typedef struct coro_sched {
    coro_lock_t lock;            /* protects the idle list */
    coro_worker *idle;           /* idle workers (futex-parked or polling) */
    uint32_t nidle;              /* atomic; written under lock */
    uint32_t nspinning;          /* atomic (seq_cst): workers looking for work */
    uint64_t live;               /* atomic: tasks not finished + credits held by workers
                                    (see LIVE COUNT in sched.c) */
    int stopping;                /* atomic: the last task ended; workers exit */
    int running;                 /* coro_run_main is active (guarded by start/stop) */
    int nworkers;
    int seeded;                  /* CORO_SEED given: one worker, random picks */
    uint64_t seed;
    int64_t timeslice_ns;        /* CORO_TIMESLICE_US * 1000 */
    uint32_t nactive;            /* atomic: workers not idle; the monitor sleeps at 0 */
} coro_sched;

extern coro_sched coro_sched_;
extern coro_worker *coro_workers_;
extern __thread coro_worker *coro_self_worker_;

/* Ready from the poller/timers: FIFO at the tail (batches keep their order). */
void coro_task_ready_tail(coro_task *t);

/* The calling worker's allocation cache, NULL off the workers (alloc.c then
 * uses the depots). */
static inline coro_alloc_cache *coro_worker_cache(void) {
    coro_worker *w = coro_self_worker_;
    return w ? &w->alloc : NULL;
}

/* Read the environment into coro_sched_ (config.c); before a run only. */
void coro_sched_configure(void);

/* worker->mode: how coro_local_get pops (fixed for a run; one compare per tick) */
enum { WORKER_SHARED = 0, WORKER_SOLO = 1, WORKER_SEEDED = 2 };

static inline coro_task *coro_local_get(coro_worker *w) {
    if (__builtin_expect(w->mode == WORKER_SOLO, 1)) return coro_runq_get_solo(&w->q);
    if (w->mode == WORKER_SHARED) return coro_runq_get(&w->q);
    return coro_runq_get_seeded(&w->q, &w->rng);
}

/* Fire due timers and ready their tasks (sched.c).  One atomic load when no
 * timer is armed. */
void coro_run_timers_slow(int64_t next);
static inline void coro_run_timers(void) {
    int64_t next = coro_timer_next();
    if (next != 0) coro_run_timers_slow(next);
}

/* Give back all of w's live-count credits before it goes idle; the return
 * that brings the count to 0 stops the run (sched.c, LIVE COUNT). */
void coro_return_credits(coro_worker *w);

/* idle.c: the local queue of w is dry; the next task for w, or NULL when the
 * run is stopping (steps 4-6 of sched.c's PICKING A TASK). */
coro_task *coro_findrunnable(coro_worker *w);
/* w found work while spinning: stop, and wake another spinner if none is left. */
void coro_reset_spinning(coro_worker *w);
/* Work was published: wake an idle worker unless one spins (idle.c, WAKING A WORKER). */
void coro_wakep(void);
/* Wake w from its futex sleep (its wake_word). */
void coro_worker_wake(coro_worker *w);
/* Ready the tasks whose fds are ready, without blocking (no-op without waiters). */
void coro_poll_nonblocking(void);

/* Start/stop of the monitor thread (monitor.c). */
int coro_monitor_start(void);
void coro_monitor_stop(void);
/* A worker thread is exiting: the monitor must stop writing its TLS flag. */
void coro_monitor_retract(coro_worker *w);
/* A worker turned active after all were idle: wake the monitor. */
void coro_monitor_kick(void);

#endif /* CORO_SCHED_H */
