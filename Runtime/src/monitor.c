/*
 * monitor.c — the preemption monitor, Go's sysmon reduced to two jobs.
 *
 *  1. Time slices.  Once per slice it reads each worker's tick (bumped
 *     at every task switch) and current task.  A worker seen running the same
 *     task at the same tick for a whole CORO_TIMESLICE_US (default 2000) gets
 *     its coro_preempt_flag_ set, so a coroutine runs 1 to 2 slices before
 *     it is asked to yield.  (Checking every half slice tightened that to
 *     1-1.5 slices but cost 1000 wake-ups/s, each a context switch: 5% of
 *     the CPU per round trip of the 1-worker echo benchmark on this VM.)
 *     Then the coroutine's next back-edge check
 *     (coro_preempt_pending) returns CORO_YIELDED, and the worker clears the
 *     flag when it switches task.  Reading ticks instead of timestamps keeps
 *     clock_gettime off the switch path, as Go's retake does with schedtick.
 *     Overdue timers too: workers fire due timers at every task switch, so
 *     a timer still armed past its deadline means every worker is inside one
 *     task (a CPU hog keeps a ticker waiting).  The monitor naps until the
 *     earliest deadline when that comes before its next check (but never
 *     less than MIN_NAP_NS, so a stream of timers cannot make it spin), and
 *     finding the earliest timer overdue it flags every worker running a
 *     task.  Without this a ticker behind a hog waits up to a whole slice
 *     plus the monitor's period (p99 6-10 ms at the 2 ms slice, fairness.c).
 *  2. Forgotten fds.  If tasks are parked on fds and nobody polled for
 *     POLL_STALE_NS (all workers busy with runnable tasks), it polls without
 *     blocking and hands the woken tasks to the global queue.
 *
 * It sleeps on a futex while every worker is idle (coro_sched_.nactive == 0)
 * and is kicked by the first worker to wake up (only if it sleeps: see
 * monitor_sleeping), so an idle program costs no
 * CPU.  Invariant: at most one monitor thread, alive exactly while
 * coro_run_main runs (and not in seeded mode, where preemption would make
 * runs unreplayable).
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "sched.h"
#include "poll.h"
#include "lock.h"
#include "timer.h"

__thread volatile int coro_preempt_flag_ __attribute__((tls_model("initial-exec")));

/* Go's sysmon polls the network if nobody did for 10 ms; so do we. */
#define POLL_STALE_NS 10000000

/* The shortest nap towards a timer deadline: bounds the monitor's wake-ups
 * at 4000/s however many timers a program arms. */
#define MIN_NAP_NS 250000

/* Guards every worker's preempt_flag pointer against its thread exiting: the
 * flag is thread-local, so a store through a stale pointer would hit freed
 * TLS.  Workers retract the pointer under it (coro_monitor_retract). */
static coro_lock_t flag_lock;

static pthread_t monitor_thread;
static int monitor_running;   /* thread exists; only coro_run_main's thread touches it */
static int monitor_stop;      /* atomic */
/* atomic (seq_cst): 1 while the monitor is (about to be) asleep on nactive.
 * Partners: the monitor stores it, then the futex reads nactive; a waking
 * worker bumps nactive, then reads it (coro_monitor_kick).  One of the two
 * sees the other, so a worker pays the futex wake only when the monitor
 * really sleeps, not at every idle -> busy turn (one syscall per round trip
 * of a lightly loaded server). */
static int monitor_sleeping;

typedef struct seen {
    uint32_t tick;
    int flagged;
    int64_t since_ns;
} seen;

static void flag(coro_worker *w) {
    coro_lock_acquire(&flag_lock);
    volatile int *flag = __atomic_load_n(&w->preempt_flag, __ATOMIC_ACQUIRE);
    if (flag != NULL) __atomic_store_n(flag, 1, __ATOMIC_RELAXED);   /* partner: coro_preempt_pending */
    coro_lock_release(&flag_lock);
}

static void check_workers(seen *last, int64_t now) {
    for (int i = 0; i < coro_sched_.nworkers; i++) {
        coro_worker *w = &coro_workers_[i];
        coro_task *cur = __atomic_load_n(&w->cur, __ATOMIC_RELAXED);
        uint32_t tick = __atomic_load_n(&w->tick, __ATOMIC_RELAXED);
        if (cur == NULL || tick != last[i].tick) {
            last[i] = (seen){.tick = tick, .flagged = 0, .since_ns = now};
            continue;
        }
        if (!last[i].flagged && now - last[i].since_ns >= coro_sched_.timeslice_ns) {
            flag(w);
            last[i].flagged = 1;
        }
    }
}

/* The earliest timer is overdue: no worker has switched task since it came
 * due (each fires due timers when it does).  Ask every busy one to switch.
 * A worker between tasks clears the flag as it starts the next one, having
 * just fired the timers itself. */
static void check_timers(int64_t now) {
    int64_t next = coro_timer_next();
    if (next == 0 || now < next) return;
    for (int i = 0; i < coro_sched_.nworkers; i++) {
        coro_worker *w = &coro_workers_[i];
        if (__atomic_load_n(&w->cur, __ATOMIC_RELAXED) != NULL) flag(w);
    }
}

/* Until the next check: a slice, or the earliest deadline if sooner. */
static struct timespec nap_for(int64_t period) {
    int64_t ns = period;
    int64_t next = coro_timer_next();
    if (next != 0) {
        int64_t until = next - coro_now_ns();
        if (until < MIN_NAP_NS) until = MIN_NAP_NS;
        if (until < ns) ns = until;
    }
    return (struct timespec){.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
}

static void poll_if_stale(int64_t now) {
    if (coro_netpoll_waiters() == 0 || now - coro_netpoll_last_ns() < POLL_STALE_NS) return;
    coro_task_list woken = {0};
    coro_netpoll(0, &woken);
    coro_task_ready_list(&woken);   /* off the scheduler: goes to the global queue */
}

static void *monitor_main(void *arg) {
    (void)arg;
    int n = coro_sched_.nworkers;
    seen *last = calloc((size_t)n, sizeof *last);
    if (last == NULL) return NULL;   /* no preemption; the scheduler is still correct */
    int64_t period = coro_sched_.timeslice_ns;
    while (!__atomic_load_n(&monitor_stop, __ATOMIC_ACQUIRE)) {
        if (__atomic_load_n(&coro_sched_.nactive, __ATOMIC_ACQUIRE) == 0) {
            /* Everyone idle: sleep until kicked.  The timeout only bounds how
             * long a stop request can go unnoticed. */
            struct timespec t = {.tv_sec = 0, .tv_nsec = 50000000};
            __atomic_store_n(&monitor_sleeping, 1, __ATOMIC_SEQ_CST);
            syscall(SYS_futex, &coro_sched_.nactive, FUTEX_WAIT_PRIVATE, 0, &t, NULL, 0);
            __atomic_store_n(&monitor_sleeping, 0, __ATOMIC_RELAXED);
            continue;
        }
        struct timespec nap = nap_for(period);
        nanosleep(&nap, NULL);
        int64_t now = coro_now_ns();
        check_workers(last, now);
        check_timers(now);
        poll_if_stale(now);
    }
    free(last);
    return NULL;
}

int coro_monitor_start(void) {
    __atomic_store_n(&monitor_stop, 0, __ATOMIC_RELEASE);
    if (pthread_create(&monitor_thread, NULL, monitor_main, NULL) != 0) return -1;
    monitor_running = 1;
    return 0;
}

void coro_monitor_stop(void) {
    if (!monitor_running) return;
    __atomic_store_n(&monitor_stop, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &coro_sched_.nactive, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(monitor_thread, NULL);
    monitor_running = 0;
}

void coro_monitor_retract(coro_worker *w) {
    coro_lock_acquire(&flag_lock);
    __atomic_store_n(&w->preempt_flag, NULL, __ATOMIC_RELEASE);
    coro_lock_release(&flag_lock);
}

void coro_monitor_kick(void) {
    /* The caller's nactive increment was seq_cst; partner: monitor_main. */
    if (!__atomic_load_n(&monitor_sleeping, __ATOMIC_SEQ_CST)) return;
    syscall(SYS_futex, &coro_sched_.nactive, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}
