/*
 * sched.h — scheduler internals shared by the core runtime files (sched.c,
 * netpoll.c, timer.c, blocking.c, monitor.c, io.c).  Other runtime files use
 * task.h only.
 */
#ifndef CORO_SCHED_H
#define CORO_SCHED_H

#include <pthread.h>
#include <stdint.h>
#include "task.h"
#include "runq.h"
#include "alloc.h"

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

/* Start/stop of the monitor thread (monitor.c). */
int coro_monitor_start(void);
void coro_monitor_stop(void);
/* A worker thread is exiting: the monitor must stop writing its TLS flag. */
void coro_monitor_retract(coro_worker *w);
/* A worker turned active after all were idle: wake the monitor. */
void coro_monitor_kick(void);

#endif /* CORO_SCHED_H */
