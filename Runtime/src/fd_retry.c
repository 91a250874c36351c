/*
 * fd_retry.c — the park/retry loop shared by every poller-served operation
 * (contract: fd_retry.h).
 *
 * Before it, io.c had this loop three times (io_op, connect, poll) and
 * only io_op's took the edge mark, so two tasks polling or connecting on
 * one fd could still sleep through an edge that woke only the other
 * (poll.h: EDGES SINCE AN ATTEMPT; Runtime/model/accept.pml).  Now the
 * mark, the attempt, the park and the retry-on-edge live here once.
 *
 * INVARIANT: the mark is taken before each attempt's system call, so an
 * edge delivered after the call looked at the fd either bumped the count
 * before the park took the record lock (the park returns 1: attempt again)
 * or finds the task on the record's list.
 *
 * coro_fd_retry_woken is the other half of a park made here: the call
 * again that ends the wait and tells a failure (close, deadline) from an
 * edge (attempt again).  It was io.c's finish_fd_wait, used by io_op and
 * connect, which now live in two files.
 */
#include <errno.h>
#include "fd_retry.h"
#include "poll.h"

int coro_fd_retry(coro_task *t, int fd, int mode, int64_t deadline_ns, int timeout_err,
                  coro_fd_attempt attempt, void *ctx) {
    for (;;) {
        uint64_t edges = coro_fd_edge_mark(fd);
        if (attempt(ctx, edges)) return 0;
        t->op = CORO_OP_KIND_FD_WAIT;
        int p = coro_fd_park_since(t, fd, mode, edges, deadline_ns, timeout_err);
        if (p == 0) return CORO_SUSPENDED;
        t->op = CORO_OP_KIND_NONE;
        if (p < 0) return -1;
        if (p == 2) return 2;
        /* p == 1: an edge came since the attempt; attempt again */
    }
}

int coro_fd_retry_woken(coro_task *t) {
    t->op = CORO_OP_KIND_NONE;
    coro_fd_wait_done(t);
    if (t->err == 0) return 0;
    errno = t->err;
    t->err = 0;
    return 1;
}
