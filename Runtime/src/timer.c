/*
 * timer.c — one binary min-heap of timers (see timer.h for why one).
 *
 * Protocol: arming takes the heap lock, pushes, and if the new timer became
 * the earliest, publishes next_when and breaks the poller (a worker blocked
 * in epoll_wait computed its timeout from the old earliest deadline).
 * Firing pops every due entry under the lock, then acts on them after
 * releasing it: sleeping tasks go to the caller's list, fd deadlines call
 * coro_fd_timeout, which takes the fd record's lock.  Lock order is
 * fd record -> heap (coro_fd_park arms while holding its record), so the
 * heap lock is never held while taking a record lock.
 */
#include <errno.h>
#include <stdlib.h>
#include "timer.h"
#include "poll.h"
#include "lock.h"
#include "sched.h"

enum { TIMER_SLEEP = 1, TIMER_FD = 2 };

typedef struct timer {
    int64_t when_ns;
    uint64_t order;      /* arming order: ties fire first-armed first */
    coro_task *task;     /* TIMER_SLEEP */
    int32_t fd;          /* TIMER_FD */
    uint32_t seq;        /* TIMER_FD: the park this deadline belongs to */
    int32_t timeout_err; /* TIMER_FD */
    uint8_t kind, mode;
    intptr_t *handle;    /* TIMER_FD: where our index lives, or NULL */
} timer;

static struct {
    coro_lock_t lock;
    timer *heap;         /* protected by lock */
    size_t len, cap;     /* protected by lock */
    uint64_t order;      /* protected by lock */
} timers;

int64_t coro_timer_next_when_;

static int earlier(const timer *a, const timer *b) {
    return a->when_ns < b->when_ns || (a->when_ns == b->when_ns && a->order < b->order);
}

/* heap[i] = x, keeping x's handle in step */
static void place(size_t i, const timer *x) {
    timers.heap[i] = *x;
    if (x->handle) __atomic_store_n(x->handle, (intptr_t)i, __ATOMIC_RELAXED);   /* partner: coro_fd_wait_done */
}

static void sift_up(size_t i) {
    timer x = timers.heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!earlier(&x, &timers.heap[parent])) break;
        place(i, &timers.heap[parent]);
        i = parent;
    }
    place(i, &x);
}

static void sift_down(size_t i) {
    timer x = timers.heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= timers.len) break;
        if (child + 1 < timers.len && earlier(&timers.heap[child + 1], &timers.heap[child])) child++;
        if (!earlier(&timers.heap[child], &x)) break;
        place(i, &timers.heap[child]);
        i = child;
    }
    place(i, &x);
}

/* Remove heap[i]; under the lock. */
static void remove_at(size_t i) {
    if (timers.heap[i].handle) __atomic_store_n(timers.heap[i].handle, CORO_TIMER_NONE, __ATOMIC_RELAXED);
    timers.len--;
    if (i == timers.len) return;
    place(i, &timers.heap[timers.len]);
    if (i > 0 && earlier(&timers.heap[i], &timers.heap[(i - 1) / 2])) sift_up(i);
    else sift_down(i);
}

static int arm(timer *t) {
    coro_lock_acquire(&timers.lock);
    if (timers.len == timers.cap) {
        size_t cap = timers.cap ? timers.cap * 2 : 64;
        timer *heap = realloc(timers.heap, cap * sizeof *heap);
        if (heap == NULL) {
            coro_lock_release(&timers.lock);
            errno = ENOMEM;
            return -1;
        }
        timers.heap = heap;
        timers.cap = cap;
    }
    t->order = timers.order++;
    timers.len++;
    place(timers.len - 1, t);
    sift_up(timers.len - 1);
    int new_earliest = timers.heap[0].order == t->order;
    if (new_earliest) __atomic_store_n(&coro_timer_next_when_, timers.heap[0].when_ns, __ATOMIC_RELEASE);
    coro_lock_release(&timers.lock);
    /* A worker blocked in the poller computed its timeout from the previous
     * earliest deadline; make it recompute. */
    if (new_earliest) coro_netpoll_break();
    return 0;
}

int coro_timer_sleep(coro_task *t, int64_t when_ns) {
    timer x = {.when_ns = when_ns, .task = t, .kind = TIMER_SLEEP};
    return arm(&x);
}

int coro_timer_fd(int fd, int mode, uint32_t seq, int64_t when_ns, int timeout_err, intptr_t *handle) {
    timer x = {.when_ns = when_ns, .fd = fd, .seq = seq, .timeout_err = timeout_err,
               .kind = TIMER_FD, .mode = (uint8_t)mode, .handle = handle};
    return arm(&x);
}

void coro_timer_cancel(intptr_t *handle) {
    coro_lock_acquire(&timers.lock);
    intptr_t i = __atomic_load_n(handle, __ATOMIC_RELAXED);
    if (i != CORO_TIMER_NONE) {
        if ((size_t)i >= timers.len || timers.heap[i].handle != handle)
            coro_fatal("timer handle %ld does not name its timer", (long)i);
        remove_at((size_t)i);
        __atomic_store_n(&coro_timer_next_when_, timers.len ? timers.heap[0].when_ns : 0, __ATOMIC_RELEASE);
    }
    coro_lock_release(&timers.lock);
}


/* Entries popped per lock hold before acting on fd deadlines. */
#define FIRE_BATCH 64

int coro_timer_run(int64_t now, coro_task_list *list) {
    int fired = 0;
    for (;;) {
        int64_t next = coro_timer_next();
        if (next == 0 || next > now) return fired;
        timer due[FIRE_BATCH];
        int n = 0;
        coro_lock_acquire(&timers.lock);
        while (timers.len > 0 && timers.heap[0].when_ns <= now && n < FIRE_BATCH) {
            due[n++] = timers.heap[0];
            remove_at(0);
        }
        __atomic_store_n(&coro_timer_next_when_, timers.len ? timers.heap[0].when_ns : 0, __ATOMIC_RELEASE);
        coro_lock_release(&timers.lock);
        for (int i = 0; i < n; i++) {
            if (due[i].kind == TIMER_SLEEP) {
                due[i].task->err = 0;
                coro_task_list_push(list, due[i].task);
            } else {
                coro_fd_timeout(due[i].fd, due[i].mode, due[i].seq, due[i].timeout_err, list);
            }
        }
        fired += n;
    }
}
