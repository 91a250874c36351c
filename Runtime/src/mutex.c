/*
 * mutex.c — a mutex for coroutines: lock parks the coroutine, not the thread.
 *
 * MODEL
 *
 *  state (0 unlocked, 1 locked) and a FIFO of parked lockers, both under the
 *  mutex's own small lock.  Unlock with waiters hands ownership straight to
 *  the first of them (state stays 1, as in Go's starvation mode): no
 *  barging, so a waiter cannot starve behind a coroutine that unlocks and
 *  relocks in a loop.  The cost is a wake-up per contended hand-off.
 *
 * INVARIANTS
 *
 *  - waiters is non-empty only while state == 1.
 *  - The FIFO is a circular list through task->link; m->waiters points at
 *    the TAIL (so push and pop are O(1) with the one pointer coro.h gives
 *    us), and tail->link is the head.
 *
 * coro_mutex_try_lock (mutex.h) takes the mutex only when state == 0, which
 * by the invariant above means nobody waits, so it never jumps the FIFO.
 *
 * PROTOCOL (call again): a locker parks with task->op = MUTEX_LOCK; being
 * readied means ownership was handed over, so the resumed call returns 0.
 *
 * MISUSE: unlocking a mutex that is not locked is a bug in the program (not
 * outside input), and carrying on would let two coroutines into a critical
 * section later; like Go ("sync: unlock of unlocked mutex") it fails loudly:
 * "coro: coro_mutex_unlock: unlock of unlocked mutex" on stderr, then abort.
 * A NULL mutex is the same kind of bug for unlock; lock returns -1/EINVAL.
 */
#include "chan.h"
#include "mutex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

void coro_mutex_init(coro_mutex *m) {
    if (!m) return;
    m->state = 0;
    m->waiters = NULL;
    m->lock = CORO_LOCK_INIT;
}

int coro_op_mutex_lock(coro_frame *self, int *ret, coro_mutex *m) {
    coro_task *t = self->task;
    if (t->op != CORO_OP_KIND_NONE) {
        if (t->op != CORO_OP_KIND_MUTEX_LOCK)
            coro_fatal("mutex lock called again while op %u is in flight", (unsigned)t->op);
        t->op = CORO_OP_KIND_NONE;
        *ret = 0;
        return 0;
    }
    if (!m) {
        *ret = -1;
        errno = EINVAL;
        return 0;
    }
    coro_lock_acquire(&m->lock);
    if (m->state == 0) {
        m->state = 1;
        coro_lock_release(&m->lock);
        *ret = 0;
        return 0;
    }
    coro_task *tail = m->waiters;
    if (tail) {
        t->link = tail->link; /* new tail points at the head */
        tail->link = t;
    } else {
        t->link = t;
    }
    m->waiters = t;
    t->op = CORO_OP_KIND_MUTEX_LOCK;
    coro_lock_release(&m->lock);
    return CORO_SUSPENDED;
}

int coro_mutex_try_lock(coro_mutex *m) {
    if (!m) {
        errno = EINVAL;
        return -1;
    }
    coro_lock_acquire(&m->lock);
    int taken = m->state == 0;
    if (taken) m->state = 1;
    coro_lock_release(&m->lock);
    if (taken) return 0;
    errno = EAGAIN;
    return -1;
}

static _Noreturn void mutex_misuse(const coro_mutex *m, const char *what) {
    fprintf(stderr, "coro: coro_mutex_unlock: %s (mutex %p)\n", what, (const void *)m);
    abort();
}

void coro_mutex_unlock(coro_mutex *m) {
    if (!m) mutex_misuse(m, "NULL mutex");
    coro_lock_acquire(&m->lock);
    if (m->state == 0) {
        coro_lock_release(&m->lock);
        mutex_misuse(m, "unlock of unlocked mutex");
    }
    coro_task *tail = m->waiters;
    if (!tail) {
        m->state = 0;
        coro_lock_release(&m->lock);
        return;
    }
    coro_task *head = tail->link;
    if (head == tail) m->waiters = NULL;
    else tail->link = head->link;
    head->link = NULL;
    coro_lock_release(&m->lock); /* state stays 1: head owns the mutex now */
    coro_task_ready(head);
}
