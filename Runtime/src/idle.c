/*
 * idle.c — a worker whose local queue is dry: looking for work elsewhere
 * (global queue, poller, stealing), spinning, going idle and blocking; and
 * wakep, which wakes an idle worker when work appears.  Both sides of the
 * wake-up protocol live here because each is correct only together with
 * the other.  The hot path (local queue, trampoline) is sched.c's.
 *
 * FINDING WORK (findrunnable: steps 4-6 of sched.c's PICKING A TASK)
 *
 *  4. The global queue (a fair share), then the poller without blocking
 *     (not with one worker, whose idle step 6 polls at once).
 *  5. Stealing: become "spinning" only while spinners are fewer than half
 *     of the workers not parked (2 * nspinning < nworkers - nidle: Go's rule
 *     in findRunnable, which keeps idle CPUs from all burning on a program
 *     with little parallelism), then try up to 4 rounds over all victims
 *     from a random start, taking half of a victim's ring (its next-slot too
 *     on the last round).  A worker woken by wakep is handed spinning status
 *     directly.
 *  6. Go idle.  Return the live-count credits (sched.c, LIVE COUNT: the
 *     last return stops the run).  Under the scheduler lock, re-check the
 *     global queue and join the idle list; then, if we were spinning, stop
 *     spinning and re-check every ring (the other half of the wake-up dance
 *     below).  Finally block: the first idle worker takes the poll token and
 *     blocks in the poller with the earliest timer as timeout; the others
 *     sleep on a futex.
 *
 * WAKING A WORKER (wakep), the dance that prevents lost wake-ups:
 *
 *     producer:  publish work; full fence; if a worker is idle and nobody
 *                spins, hand one idle worker "spinning" status and wake it
 *                (futex, or break the poller if it is the polling one);
 *     consumer:  join the idle list / stop spinning (seq_cst); re-check
 *                every queue before blocking.
 *
 *  Each side writes then reads the other's variable with a full fence in
 *  between, so at least one of them sees the other.  A worker that was woken
 *  spinning and finds work stops spinning and calls wakep again, so wake-ups
 *  ramp up one worker at a time (Go's resetspinning) instead of stampeding.
 *
 * INVARIANTS
 *
 *  - The idle list, nidle and each worker's in_idle/idle_polling/idle_next
 *    change only under coro_sched_.lock; nidle is also read without it.
 *  - poll_token is 1 exactly while one idle worker blocks (or is about to
 *    block) in the poller; only that worker clears it.
 *  - w->spinning belongs to w until w joins the idle list; from then until
 *    w leaves it, a waker may set it (wakep hands it spinning status).
 */
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "sched.h"
#include "poll.h"
#include "timer.h"
#include "trace.h"

#define LOAD(p)           __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v)       __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define STORER(p, v)      __atomic_store_n((p), (v), __ATOMIC_RELAXED)

static int poll_token;   /* atomic: 1 while a worker blocks in the poller */

/* A full (StoreLoad) fence.  ThreadSanitizer does not model fences, so under
 * it a seq_cst read-modify-write of a dummy word stands in (same effect on
 * x86: a locked instruction). */
#if defined(__SANITIZE_THREAD__)
static int fence_word;
#define FULL_FENCE() __atomic_fetch_add(&fence_word, 0, __ATOMIC_SEQ_CST)
#else
#define FULL_FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

static void futex_wait(uint32_t *addr, uint32_t val) {
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(uint32_t *addr, int n) {
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

void coro_worker_wake(coro_worker *w) {
    STORE(&w->wake_word, 1);
    futex_wake(&w->wake_word, 1);
}

/* ---- waking workers ---- */

/* Hand an idle worker spinning status and wake it (see WAKING A WORKER). */
void coro_wakep(void) {
    FULL_FENCE();   /* partner: the fence in findrunnable */
    if (__atomic_load_n(&coro_sched_.nidle, __ATOMIC_SEQ_CST) == 0) return;
    if (__atomic_load_n(&coro_sched_.nspinning, __ATOMIC_SEQ_CST) != 0) return;
    uint32_t zero = 0;
    if (!__atomic_compare_exchange_n(&coro_sched_.nspinning, &zero, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return;
    coro_lock_acquire(&coro_sched_.lock);
    coro_worker *w = coro_sched_.idle;
    int polling = 0;
    if (w != NULL) {
        coro_sched_.idle = w->idle_next;
        w->in_idle = 0;
        polling = w->idle_polling;
        w->spinning = 1;
        __atomic_store_n(&coro_sched_.nidle, coro_sched_.nidle - 1, __ATOMIC_SEQ_CST);
    }
    coro_lock_release(&coro_sched_.lock);
    if (w == NULL) {
        __atomic_fetch_sub(&coro_sched_.nspinning, 1, __ATOMIC_SEQ_CST);
        return;
    }
    if (polling) coro_netpoll_break();
    else coro_worker_wake(w);
}

/* ---- finding work ---- */

void coro_poll_nonblocking(void) {
    if (coro_netpoll_waiters() == 0) return;
    coro_task_list woken = {0};
    coro_netpoll(0, &woken);
    coro_trace_poll(&woken);
    coro_task_ready_list(&woken);
}

static coro_task *steal(coro_worker *w) {
    int n = coro_sched_.nworkers;
    for (int round = 0; round < 4; round++) {
        int start = (int)(coro_xorshift64(&w->rng) % (uint64_t)n);
        for (int i = 0; i < n; i++) {
            coro_worker *v = &coro_workers_[(start + i) % n];
            if (v == w) continue;
            coro_task *t = coro_runq_steal(&w->q, &v->q, round == 3);
            if (t != NULL) {
                coro_trace(CORO_TR_STEAL, t, v->id, 0);
                return t;
            }
        }
    }
    return NULL;
}

static int any_work(void) {
    if (!coro_globq_empty()) return 1;
    for (int i = 0; i < coro_sched_.nworkers; i++)
        if (!coro_runq_empty(&coro_workers_[i].q)) return 1;
    return 0;
}

/* Leave the idle list if a waker has not already taken us off it. */
static void leave_idle(coro_worker *w) {
    coro_lock_acquire(&coro_sched_.lock);
    if (w->in_idle) {
        coro_worker **p = &coro_sched_.idle;
        while (*p != w) p = &(*p)->idle_next;
        *p = w->idle_next;
        w->in_idle = 0;
        __atomic_store_n(&coro_sched_.nidle, coro_sched_.nidle - 1, __ATOMIC_SEQ_CST);
    }
    coro_lock_release(&coro_sched_.lock);
}

/* Block until woken: in the poller if we hold the token, else on the futex. */
static void block(coro_worker *w, int polling) {
    STORER(&w->cur, NULL);
    __atomic_fetch_sub(&coro_sched_.nactive, 1, __ATOMIC_ACQ_REL);   /* at 0 the monitor sleeps */
    coro_task_list woken = {0};
    if (polling) {
        int64_t next = coro_timer_next();
        int64_t timeout = -1;
        if (next != 0) {
            timeout = next - coro_now_ns();
            if (timeout < 0) timeout = 0;
        }
        if (!LOAD(&coro_sched_.stopping)) coro_netpoll(timeout, &woken);
        leave_idle(w);
        STORE(&poll_token, 0);
    } else {
        while (LOAD(&w->wake_word) == 0 && !LOAD(&coro_sched_.stopping)) futex_wait(&w->wake_word, 0);
        leave_idle(w);
    }
    STORE(&w->wake_word, 0);
    /* seq_cst: partner of the monitor's store of monitor_sleeping (monitor.c) */
    if (__atomic_fetch_add(&coro_sched_.nactive, 1, __ATOMIC_SEQ_CST) == 0) coro_monitor_kick();
    coro_run_timers();
    coro_trace_poll(&woken);
    coro_task_ready_list(&woken);
}

coro_task *coro_findrunnable(coro_worker *w) {
    for (;;) {
        if (LOAD(&coro_sched_.stopping)) return NULL;
        coro_run_timers();
        coro_task *t = coro_local_get(w);
        if (t) return t;
        if ((t = coro_globq_get(&w->q, coro_sched_.nworkers, 0))) return t;
        /* A lone worker skips this: it holds the poll token whenever it goes
         * idle, so the blocking poll just below sees the same events, and
         * an empty epoll_wait(0) before each epoll_wait(-1) was one wasted
         * syscall per idle turn of a server. */
        if (coro_sched_.nworkers > 1) {
            coro_poll_nonblocking();
            if ((t = coro_local_get(w))) return t;
        }

        int n = coro_sched_.nworkers;
        if (n > 1) {
            if (!w->spinning) {
                uint32_t busy = (uint32_t)n - __atomic_load_n(&coro_sched_.nidle, __ATOMIC_SEQ_CST);
                if (2 * __atomic_load_n(&coro_sched_.nspinning, __ATOMIC_SEQ_CST) < busy) {
                    w->spinning = 1;
                    __atomic_fetch_add(&coro_sched_.nspinning, 1, __ATOMIC_SEQ_CST);
                }
            }
            if (w->spinning && (t = steal(w))) return t;
        }

        /* Go idle. */
        coro_return_credits(w);
        coro_lock_acquire(&coro_sched_.lock);
        if (!coro_globq_empty() || LOAD(&coro_sched_.stopping)) {
            coro_lock_release(&coro_sched_.lock);
            continue;
        }
        int polling = 0;
        int expected = 0;
        if (__atomic_compare_exchange_n(&poll_token, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            polling = 1;
        /* w->spinning is ours until we join the idle list; then a waker may set it */
        int was_spinning = w->spinning;
        w->spinning = 0;
        w->idle_polling = polling;
        w->idle_next = coro_sched_.idle;
        coro_sched_.idle = w;
        w->in_idle = 1;
        __atomic_store_n(&coro_sched_.nidle, coro_sched_.nidle + 1, __ATOMIC_SEQ_CST);
        coro_lock_release(&coro_sched_.lock);
        if (was_spinning) __atomic_fetch_sub(&coro_sched_.nspinning, 1, __ATOMIC_SEQ_CST);
        FULL_FENCE();   /* partner: the fence in wakep */
        if (any_work()) {
            leave_idle(w);
            if (polling) STORE(&poll_token, 0);
            STORE(&w->wake_word, 0);
            continue;
        }
        block(w, polling);
    }
}

/* Stop spinning after finding work; wake another spinner if none is left. */
void coro_reset_spinning(coro_worker *w) {
    if (!w->spinning) return;
    w->spinning = 0;
    if (__atomic_sub_fetch(&coro_sched_.nspinning, 1, __ATOMIC_SEQ_CST) == 0) coro_wakep();
}
