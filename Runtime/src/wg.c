/*
 * wg.c — wait groups (Go's sync.WaitGroup) for coroutines.
 *
 * MODEL
 *
 *  A counter and the set of coroutines waiting for it to reach zero, both
 *  under the wait group's lock.  coro_wg_add(+n) before starting work,
 *  coro_wg_done() when a piece finishes, coro_op_wg_wait() parks until the
 *  counter is zero.  When an add brings the counter to zero, every waiter is
 *  taken off the list under the lock and readied after unlocking.
 *
 * INVARIANTS
 *
 *  - count >= 0 at all times: an add that would make it negative is refused
 *    (-1/EINVAL) and changes nothing (Go panics; outside callers get an
 *    error here, the program's logic decides what that means).
 *  - waiters is non-empty only while count > 0.  Waiters form a LIFO list
 *    through task->link: they are all woken together, so order is moot.
 *
 * coro_wg_try_wait (wg.h) is the wait that never parks, for callers that
 * cannot (coro_wg_wait off a coroutine, stackful_sync.c): it reads count
 * under the lock and reports, nothing more.
 *
 * PROTOCOL (call again): a waiter parks with task->op = WG_WAIT; being
 * readied means the counter reached zero, so the resumed call just returns
 * *ret = 0 without looking at the counter again (which may have been raised
 * again meanwhile, as with Go's Wait after a reuse).
 */
#include "chan.h"
#include "wg.h"

#include <errno.h>

void coro_wg_init(coro_wg *wg) {
    if (!wg) return;
    wg->count = 0;
    wg->waiters = NULL;
    wg->lock = CORO_LOCK_INIT;
}

int coro_wg_add(coro_wg *wg, long delta) {
    if (!wg) {
        errno = EINVAL;
        return -1;
    }
    coro_lock_acquire(&wg->lock);
    long count;
    if (__builtin_add_overflow(wg->count, delta, &count) || count < 0) {
        coro_lock_release(&wg->lock);
        errno = EINVAL;
        return -1;
    }
    wg->count = count;
    coro_task_list wake = {0};
    if (count == 0) {
        wake.head = wg->waiters; /* already linked through task->link */
        wg->waiters = NULL;
    }
    coro_lock_release(&wg->lock);
    coro_task_ready_list(&wake); /* reads each link before readying */
    return 0;
}

int coro_wg_done(coro_wg *wg) { return coro_wg_add(wg, -1); }

int coro_wg_try_wait(coro_wg *wg) {
    if (!wg) {
        errno = EINVAL;
        return -1;
    }
    coro_lock_acquire(&wg->lock);
    long count = wg->count;
    coro_lock_release(&wg->lock);
    if (count == 0) return 0;
    errno = EAGAIN;
    return -1;
}

int coro_op_wg_wait(coro_frame *self, int *ret, coro_wg *wg) {
    coro_task *t = self->task;
    if (t->op != CORO_OP_KIND_NONE) {
        if (t->op != CORO_OP_KIND_WG_WAIT)
            coro_fatal("wait group wait called again while op %u is in flight", (unsigned)t->op);
        t->op = CORO_OP_KIND_NONE;
        *ret = 0;
        return 0;
    }
    if (!wg) {
        *ret = -1;
        errno = EINVAL;
        return 0;
    }
    coro_lock_acquire(&wg->lock);
    if (wg->count == 0) {
        coro_lock_release(&wg->lock);
        *ret = 0;
        return 0;
    }
    t->link = wg->waiters;
    wg->waiters = t;
    t->op = CORO_OP_KIND_WG_WAIT;
    coro_lock_release(&wg->lock);
    return CORO_SUSPENDED;
}
