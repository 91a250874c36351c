/*
 * stackful_sync.c — the channel, select, wait-group and mutex calls of
 * coro.h's user surface (coro_chan_send, coro_chan_recv, coro_select,
 * coro_wg_wait, coro_mutex_lock) for stackful coroutines and for callers
 * that are not coroutines at all.
 *
 * ON A STACKFUL COROUTINE each call is the loop of stackful.h over the
 * frame ABI operation of the same name (coro_op_chan_send, ...), with the
 * coroutine's root frame as `self`: the operation parks the task, the
 * coroutine switches out, and it calls the operation again when resumed
 * (maybe on another thread).  So hand-off order, wake-ups and select's
 * fairness are exactly those of stackless mode (chan.c, select.c, wg.c,
 * mutex.c).  errno is set by the operation's last call, on the thread that
 * runs the coroutine when the call returns (stackful.c, THREAD-LOCALS).
 *
 * OFF A COROUTINE (main before coro_run_main*, a plain pthread, a stackless
 * task that calls these untranslated) nothing may park: there is no stack
 * to switch away from.  Each call completes if it can and otherwise fails
 * with -1/EAGAIN:
 *   - channel send/recv run as a one-case select with a default case, on a
 *     dummy task that is never published (it cannot park, so no waker ever
 *     sees it); a send on a closed channel fails with EPIPE;
 *   - select without a default case is a select with one (EAGAIN if it
 *     would have blocked);
 *   - wait and lock ask wg.h's coro_wg_try_wait / mutex.h's
 *     coro_mutex_try_lock, never the fields, which are wg.c's and mutex.c's.
 * (coro_yield and coro_sleep_ms off a coroutine: stackful.c, stackful_io.c.)
 */
#include <errno.h>
#include <string.h>

#include "mutex.h"
#include "stackful.h"
#include "task.h"
#include "wg.h"

/* A one-case select with a default case on a dummy task: 0 with *ok set, or
 * -1/errno (EAGAIN: it would have blocked). */
static int chan_try(int op, coro_chan *c, void *value, int *ok) {
    if (!c) { errno = EINVAL; return -1; }
    coro_task none;
    memset(&none, 0, sizeof none);
    coro_frame fr = { .task = &none };
    coro_select_case cs = { .op = op, .chan = c, .value = value, .ok = 0 };
    int ret;
    errno = 0;
    if (coro_op_select(&fr, &ret, &cs, 1, 1) != 0) coro_fatal("select with a default case parked");
    if (ret == 0) { *ok = cs.ok; return 0; }
    if (errno == 0) errno = EAGAIN;     /* the default case: it would have blocked */
    return -1;
}

int coro_chan_send(coro_chan *c, const void *value) {
    coro_stackful *sf = coro_stackful_current();
    if (!sf) {
        int ok;
        if (chan_try(CORO_SELECT_SEND, c, (void *)value, &ok) != 0) return -1;
        if (!ok) { errno = EPIPE; return -1; }
        return 0;
    }
    int ret;
    CORO_STACKFUL_WAIT(sf, coro_op_chan_send(coro_stackful_frame(sf), &ret, c, value));
    return ret;
}

int coro_chan_recv(coro_chan *c, void *out) {
    coro_stackful *sf = coro_stackful_current();
    if (!sf) {
        int ok;
        if (chan_try(CORO_SELECT_RECV, c, out, &ok) != 0) return -1;
        return ok;
    }
    int ret;
    CORO_STACKFUL_WAIT(sf, coro_op_chan_recv(coro_stackful_frame(sf), &ret, c, out));
    return ret;
}

int coro_select(coro_select_case *cases, int ncases, int has_default) {
    coro_stackful *sf = coro_stackful_current();
    int ret;
    if (!sf) {
        coro_task none;
        memset(&none, 0, sizeof none);
        coro_frame fr = { .task = &none };
        errno = 0;
        if (coro_op_select(&fr, &ret, cases, ncases, 1) != 0)
            coro_fatal("select with a default case parked");
        if (ret == -1 && !has_default && errno == 0) errno = EAGAIN;
        return ret;
    }
    CORO_STACKFUL_WAIT(sf, coro_op_select(coro_stackful_frame(sf), &ret, cases, ncases, has_default));
    return ret;
}

int coro_wg_wait(coro_wg *wg) {
    coro_stackful *sf = coro_stackful_current();
    if (!sf) return coro_wg_try_wait(wg);
    int ret;
    CORO_STACKFUL_WAIT(sf, coro_op_wg_wait(coro_stackful_frame(sf), &ret, wg));
    return ret;
}

int coro_mutex_lock(coro_mutex *m) {
    coro_stackful *sf = coro_stackful_current();
    if (!sf) return coro_mutex_try_lock(m);
    int ret;
    CORO_STACKFUL_WAIT(sf, coro_op_mutex_lock(coro_stackful_frame(sf), &ret, m));
    return ret;
}
