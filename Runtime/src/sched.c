/*
 * sched.c — workers, the trampoline, spawn and coro_run_main.
 *
 * MODEL (Go's proc.go with G = task, and M and P fused into a worker)
 *
 *  coro_run_main starts CORO_THREADS workers (default: online CPUs); the
 *  calling thread is worker 0.  Each worker loops: pick a runnable task,
 *  run it in the trampoline until it yields, parks or ends, repeat.  Threads
 *  blocked in system calls belong to the blocking pool (blocking.c), never
 *  to a worker, so CORO_THREADS workers are always available to coroutines.
 *  This file runs tasks; idle.c finds work for a worker whose queue is dry
 *  and wakes idle workers, frame.c allocates frames and links awaits,
 *  config.c reads the environment (sched.h lists the interfaces).
 *
 * PICKING A TASK (next_task, then findrunnable when the local queue is dry)
 *
 *  1. Every 61st tick, one task from the global queue first (fairness: the
 *     global queue cannot starve behind a busy local queue; 61 is Go's).
 *  2. Timers that are due (one atomic load when none are armed).
 *  3. The local queue: next-slot, then ring head.
 *  4.-6. When the local queue is dry (idle.c, findrunnable): the global
 *     queue and the poller, stealing while spinning, then going idle and
 *     blocking in the poller or on a futex until wakep (idle.c, WAKING A
 *     WORKER) hands the worker work.
 *
 * THE TRAMPOLINE (run_task): `st = t->top->resume(t->top)` in a loop:
 *   CORO_DONE      mark the frame CORO_STATE_FINISHED; resume its caller at
 *                  once, or end the task (free its root unless it belongs to
 *                  coro_run_main's caller; the last task stops the workers);
 *   CORO_CALL      coro_await made a child top: resume it now;
 *   CORO_YIELDED   requeue at the tail of the local ring;
 *   CORO_SUSPENDED park (task.h: RUNNING->PARKED, or NOTIFIED->requeue).
 *
 * LIVE COUNT: coro_run_main returns when no task is left.  A shared atomic
 * counter bumped at every spawn and end would put two locked instructions
 * on the spawn path, so workers prepay: a worker takes LIVE_CREDITS units of
 * coro_sched_.live at once and spends one per spawn; a task ending on it
 * gives one back to it.  Invariant: live = unfinished tasks + credits held
 * by workers, so live > 0 while any task exists.  A worker returns all its
 * credits before it goes idle; the worker whose return brings live to 0 has
 * seen the last task end and stops the scheduler.
 *
 * SEEDED MODE: CORO_SEED=N runs one worker that picks uniformly among all
 * its runnable tasks with xorshift64 seeded by N, and no monitor (preemption
 * is time-driven, hence not replayable).  Programs whose only inputs are
 * coroutine interleavings then replay exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sched.h"
#include "poll.h"
#include "timer.h"
#include "trace.h"

coro_sched coro_sched_;
coro_worker *coro_workers_;
__thread coro_worker *coro_self_worker_;

/* Units of the live count a worker prepays (LIVE COUNT); arbitrary, large
 * enough that spawn storms touch the shared counter rarely. */
#define LIVE_CREDITS 64

/* The global queue is looked at every GLOBQ_TICKS ticks: Go's 61. */
#define GLOBQ_TICKS 61

#define LOAD(p)           __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define LOADR(p)          __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)       __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define STORER(p, v)      __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* ---- diagnostics ---- */

static const char *status_name(uint32_t s) {
    switch (s) {
    case CORO_TASK_RUNNABLE: return "runnable";
    case CORO_TASK_RUNNING: return "running";
    case CORO_TASK_NOTIFIED: return "notified";
    case CORO_TASK_PARKED: return "parked";
    case CORO_TASK_DONE: return "done";
    }
    return "corrupt";
}

/* ---- tasks: alloc.c's size classes (frames: frame.c) ---- */

#define TASK_CLASS 1   /* 64 bytes: see CORO_ALLOC_SIZES */
_Static_assert(sizeof(coro_task) <= 64, "a task must fit alloc class 1");

static coro_task *task_alloc(void) { return coro_alloc(coro_worker_cache(), TASK_CLASS); }

static void task_free(coro_task *t) { coro_alloc_free(coro_worker_cache(), TASK_CLASS, t); }

/* ---- making tasks runnable ---- */

static void enqueue(coro_task *t, int next) {
    coro_worker *w = coro_self_worker_;
    if (w != NULL) {
        if (coro_sched_.nworkers == 1) {
            coro_runq_put_solo(&w->q, t, next && !coro_sched_.seeded);
        } else {
            coro_runq_put(&w->q, t, next);
            /* Work in our own queue needs no guaranteed wake-up: we run it
             * ourselves at worst.  So skip wakep's fence while nobody is
             * idle; a worker going idle at this very moment may miss this
             * task, costing parallelism until the next wakep, never
             * progress. */
            if (__atomic_load_n(&coro_sched_.nidle, __ATOMIC_RELAXED) != 0) coro_wakep();
        }
    } else {
        coro_globq_put(t);
        coro_wakep();
        /* with every worker busy nobody is idle; the 61-tick check finds it */
    }
}

static void ready(coro_task *t, int next) {
    uint32_t s = LOAD(&t->status);   /* partner: the release of park's CAS */
    if (s == CORO_TASK_RUNNING) {
        if (__atomic_compare_exchange_n(&t->status, &s, CORO_TASK_NOTIFIED, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return;   /* the scheduler requeues it when the op returns CORO_SUSPENDED (and traces the ready) */
        /* the CAS failed: park's CAS won, s is now PARKED (or a bug) */
    }
    if (s != CORO_TASK_PARKED)
        coro_fatal("ready of task %s that is %s, not parked (double wake-up)", t->name, status_name(s));
    /* A parked task belongs to its one waker (us): nobody else writes its
     * status until it is queued, so a plain store does (no locked CAS). */
    coro_trace(CORO_TR_READY, t, 0, 0);
    STORER(&t->status, CORO_TASK_RUNNABLE);
    enqueue(t, next);
}

void coro_task_ready(coro_task *t) { ready(t, 1); }

__thread int *coro_park_unlock_;

/* The caller dequeued t under the lock t parked under (see task.h), so t is
 * PARKED and belongs to us: no CAS. */
void coro_task_ready_parked(coro_task *t) {
    coro_trace(CORO_TR_READY, t, 0, 0);
    STORER(&t->status, CORO_TASK_RUNNABLE);
    enqueue(t, 1);
}

void coro_task_ready_tail(coro_task *t) { ready(t, 0); }

void coro_task_ready_list(coro_task_list *l) {
    coro_task *t = l->head;
    while (t != NULL) {
        coro_task *next = t->link;   /* read before ready: it may run at once elsewhere */
        ready(t, 0);
        t = next;
    }
    l->head = l->tail = NULL;
}

coro_task *coro_current_task(void) {
    coro_worker *w = coro_self_worker_;
    return w ? LOADR(&w->cur) : NULL;
}

int coro_worker_id(void) {
    coro_worker *w = coro_self_worker_;
    return w ? w->id : -1;
}

/* ---- spawn ---- */

static void task_init(coro_task *t, coro_frame *root, const char *name, uint16_t flags) {
    t->top = root;
    t->link = NULL;
    t->wait = NULL;
    t->name = name ? name : "coroutine";
    t->deadline_ns = 0;
    STORER(&t->status, CORO_TASK_RUNNABLE);
    t->op = CORO_OP_KIND_NONE;
    t->flags = flags;
    t->result = 0;
    t->err = 0;
    t->aux = 0;
    root->caller = NULL;
    root->task = t;
}

int coro_spawn(coro_frame *root, const char *name) {
    if (root == NULL || root->resume == NULL) {
        errno = EINVAL;
        return -1;
    }
    coro_task *t = task_alloc();
    if (t == NULL) return -1;
    task_init(t, root, name, 0);
    coro_trace(CORO_TR_SPAWN, t, (intptr_t)t->name, 0);
    coro_worker *w = coro_self_worker_;
    if (w == NULL) {
        __atomic_fetch_add(&coro_sched_.live, 1, __ATOMIC_RELAXED);
    } else {
        if (w->credits == 0) {
            __atomic_fetch_add(&coro_sched_.live, LIVE_CREDITS, __ATOMIC_RELAXED);
            w->credits = LIVE_CREDITS;
        }
        w->credits--;
    }
    enqueue(t, 0);
    return 0;
}

/* Yield: CORO_YIELDED the first time, 0 when called again after the requeue. */
int coro_op_yield(coro_frame *self) {
    coro_task *t = self->task;
    if (t == NULL) return 0;
    if (t->op == CORO_OP_KIND_YIELD) {
        t->op = CORO_OP_KIND_NONE;
        return 0;
    }
    t->op = CORO_OP_KIND_YIELD;
    return CORO_YIELDED;
}

/* ---- the trampoline ---- */

static void stop_all(void) {
    STORE(&coro_sched_.stopping, 1);
    for (int i = 0; i < coro_sched_.nworkers; i++) coro_worker_wake(&coro_workers_[i]);
    coro_netpoll_break();
}

static void task_end(coro_task *t) {
    STORER(&t->status, CORO_TASK_DONE);
    coro_frame *root = t->top;
    if (!(t->flags & CORO_TASK_MAIN) && (root->flags & CORO_FRAME_HEAP)) coro_frame_free(root);
    task_free(t);
    /* Keep the unit as a credit; give back a batch when too many pile up.
     * live cannot reach 0 here: we still hold LIVE_CREDITS of it. */
    coro_worker *w = coro_self_worker_;
    if (++w->credits > 2 * LIVE_CREDITS) {
        __atomic_fetch_sub(&coro_sched_.live, LIVE_CREDITS, __ATOMIC_ACQ_REL);
        w->credits -= LIVE_CREDITS;
    }
}

/* Return all credits (going idle); stop everything if no task is left. */
void coro_return_credits(coro_worker *w) {
    if (w->credits == 0) return;
    uint64_t c = w->credits;
    w->credits = 0;
    if (__atomic_sub_fetch(&coro_sched_.live, c, __ATOMIC_ACQ_REL) == 0) stop_all();
}

static void park(coro_worker *w, coro_task *t) {
    int *held = coro_park_unlock_;
    if (held != NULL) {
        /* Parked under its channel's lock: no waker can have seen t yet. */
        coro_park_unlock_ = NULL;
        STORER(&t->status, CORO_TASK_PARKED);
        __atomic_store_n(held, 0, __ATOMIC_RELEASE);   /* partner: chan_lock's acquire in the waker */
        return;
    }
    uint32_t s = CORO_TASK_RUNNING;
    if (__atomic_compare_exchange_n(&t->status, &s, CORO_TASK_PARKED, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;   /* from here on t belongs to its waker */
    if (s != CORO_TASK_NOTIFIED) coro_fatal("double park of task %s (it is %s)", t->name, status_name(s));
    /* Woken before it finished parking: it runs next, as a fresh ready would. */
    coro_trace(CORO_TR_READY, t, 0, 1);   /* here, not in the waker: after its stop, before its next run */
    STORER(&t->status, CORO_TASK_RUNNABLE);
    if (coro_sched_.nworkers == 1) coro_runq_put_solo(&w->q, t, !coro_sched_.seeded);
    else coro_runq_put(&w->q, t, 1);
}

/* Inline into the worker loop: a yield round trip is this plus next_task.
 * `tracing` is a constant at each call site (worker_loop), so the loop that
 * runs with CORO_TRACE unset has no trace hooks at all. */
static inline __attribute__((always_inline)) void run_task(coro_worker *w, coro_task *t, const int tracing) {
    STORER(&w->cur, t);
    __atomic_store_n(&coro_preempt_flag_, 0, __ATOMIC_RELAXED);
    STORER(&t->status, CORO_TASK_RUNNING);
    if (tracing) coro_trace_event_(CORO_TR_RUN, t, 0, 0);
    for (;;) {
        coro_frame *f = t->top;
        coro_status st = f->resume(f);
        switch (st) {
        case CORO_DONE: {
            coro_frame *caller = f->caller;
            f->state = CORO_STATE_FINISHED;
            if (caller != NULL) {
                t->top = caller;
                continue;
            }
            if (LOADR(&t->status) != CORO_TASK_RUNNING)
                coro_fatal("task %s ended while a wake-up for it was pending", t->name);
            if (tracing) coro_trace_stop_(t, st);
            task_end(t);
            return;
        }
        case CORO_CALL:
            continue;
        case CORO_YIELDED:
            if (LOADR(&t->status) != CORO_TASK_RUNNING)
                coro_fatal("task %s yielded while a wake-up for it was pending", t->name);
            if (tracing) coro_trace_stop_(t, st);
            STORER(&t->status, CORO_TASK_RUNNABLE);
            /* Fire due timers first, so that a task they wake runs before the
             * yielder comes round again: a preempted CPU hog must not make a
             * ticker wait a second time slice (one load when no timer is set). */
            coro_run_timers();
            /* Behind everything already waiting, including the global queue
             * (Go's Gosched goes there too): a task that yields in a loop
             * must not starve tasks that overflowed into it. */
            if (coro_globq_empty()) coro_runq_put(&w->q, t, 0);
            else coro_globq_put(t);
            return;
        case CORO_SUSPENDED:
            if (tracing) coro_trace_stop_(t, st);
            park(w, t);
            return;
        }
        coro_fatal("task %s: resume function returned %d, not a coro_status", t->name, (int)st);
    }
}

/* ---- picking the next task ---- */

void coro_run_timers_slow(int64_t next) {
    int64_t now = coro_now_ns();
    if (now < next) return;
    coro_task_list woken = {0};
    coro_timer_run(now, &woken);
    coro_task_ready_list(&woken);
}

static coro_task *every_61_ticks(coro_worker *w) {
    coro_poll_nonblocking();
    return coro_globq_get(&w->q, coro_sched_.nworkers, 1);
}

static inline __attribute__((always_inline)) coro_task *next_task(coro_worker *w) {
    uint32_t tick = LOADR(&w->tick) + 1;
    STORER(&w->tick, tick);
    coro_task *t;
    if (tick % GLOBQ_TICKS == 0 && (t = every_61_ticks(w))) return t;
    coro_run_timers();
    if ((t = coro_local_get(w))) return t;
    t = coro_findrunnable(w);
    if (t) coro_reset_spinning(w);
    return t;
}

static void worker_loop(coro_worker *w) {
    coro_self_worker_ = w;
    __atomic_store_n(&w->preempt_flag, &coro_preempt_flag_, __ATOMIC_RELEASE);   /* partner: monitor's acquire */
    coro_task *t;
    /* The one trace branch of the yield path: per worker, not per turn. */
    if (CORO_TRACE_ON()) {
        while ((t = next_task(w)) != NULL) run_task(w, t, 1);
    } else {
        while ((t = next_task(w)) != NULL) run_task(w, t, 0);
    }
    coro_alloc_flush(&w->alloc);
    coro_monitor_retract(w);
    coro_self_worker_ = NULL;
}

static void *worker_thread(void *arg) {
    worker_loop(arg);
    return NULL;
}

/* ---- coro_run_main ---- */

int coro_run_main(coro_frame *root, const char *name) {
    if (root == NULL || root->resume == NULL) {
        errno = EINVAL;
        return -1;
    }
    int expected = 0;
    if (!__atomic_compare_exchange_n(&coro_sched_.running, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
        errno = EBUSY;
        return -1;
    }
    coro_sched_configure();
    coro_trace_start();
    if (coro_netpoll_init() < 0) goto error1;
    coro_netpoll_forget_all();
    int n = coro_sched_.nworkers;
    coro_workers_ = aligned_alloc(64, (size_t)n * sizeof(coro_worker));
    if (coro_workers_ == NULL) goto error1;
    memset(coro_workers_, 0, (size_t)n * sizeof(coro_worker));
    uint64_t base = coro_sched_.seeded ? coro_sched_.seed : (uint64_t)coro_now_ns();
    for (int i = 0; i < n; i++) {
        coro_workers_[i].id = i;
        coro_workers_[i].rng = (base + (uint64_t)i * 0x9E3779B97F4A7C15ull) | 1;   /* xorshift needs nonzero */
        coro_workers_[i].mode = coro_sched_.seeded ? WORKER_SEEDED : n == 1 ? WORKER_SOLO : WORKER_SHARED;
    }
    coro_sched_.idle = NULL;
    STORE(&coro_sched_.nidle, 0);
    STORE(&coro_sched_.nspinning, 0);
    STORE(&coro_sched_.stopping, 0);
    STORE(&coro_sched_.nactive, (uint32_t)n);

    coro_task *t = task_alloc();
    if (t == NULL) goto error2;
    task_init(t, root, name ? name : "main", CORO_TASK_MAIN);
    coro_trace(CORO_TR_SPAWN, t, (intptr_t)t->name, 0);
    __atomic_fetch_add(&coro_sched_.live, 1, __ATOMIC_RELAXED);
    coro_runq_put(&coro_workers_[0].q, t, 0);

    if (!coro_sched_.seeded) coro_monitor_start();   /* without it: no preemption, still correct */
    int started = 1;
    for (int i = 1; i < n; i++) {
        if (pthread_create(&coro_workers_[i].thread, NULL, worker_thread, &coro_workers_[i]) != 0) break;
        started++;
    }
    if (started < n) {
        /* Fewer threads than asked: run with those (the others' queues stay empty). */
        fprintf(stderr, "coro: started %d of %d workers\n", started, n);
    }
    worker_loop(&coro_workers_[0]);
    for (int i = 1; i < started; i++) pthread_join(coro_workers_[i].thread, NULL);
    if (!coro_sched_.seeded) coro_monitor_stop();
    coro_trace_finish();

    free(coro_workers_);
    coro_workers_ = NULL;
    STORE(&coro_sched_.running, 0);
    return 0;

error2:
    free(coro_workers_);
    coro_workers_ = NULL;
error1: {
        int e = errno;
        STORE(&coro_sched_.running, 0);
        errno = e;
    }
    return -1;
}
