/*
 * connect.c — coro_op_connect: connect(2) on a non-blocking socket, which
 * does not fit io.c's "attempt, EAGAIN, park, attempt again" (a second
 * connect(2) is not how one learns the outcome).
 *
 * PROTOCOL ("call again", coro.h; task->op tells the calls apart):
 *   NONE      first call: connect(2).  0 -> done.  EINPROGRESS (or EINTR or
 *             EALREADY: on a non-blocking socket both mean "in progress",
 *             never "retry") -> wait for writability through fd_retry.c,
 *             whose attempt reads the outcome: SO_ERROR set -> failed with
 *             it; getpeername succeeds -> connected; ENOTCONN -> a stale
 *             edge, keep waiting.  Other errors -> fail at once.
 *             An fd the poller cannot serve (poll.h: CORO_FD_BLOCK; odd for
 *             a socket) -> connect(2) on the blocking pool, task->op =
 *             BLOCKING, park.
 *   FD_WAIT   woken by the poller: attempt again; by close (EBADF) or the
 *             task's I/O deadline (ETIMEDOUT): fail.
 *   BLOCKING  the pool ran connect(2): its result and errno.
 * errno is set on the thread the task resumed on, just before returning 0.
 * Off the scheduler (self->task NULL) it is a plain connect(2).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "blocking.h"
#include "fd_retry.h"
#include "poll.h"

/* 1 = finished (*ret/errno set), 0 = still connecting. */
static int connect_result(int fd, int *ret) {
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
        *ret = -1;
        return 1;
    }
    if (soerr != 0) {
        errno = soerr;
        *ret = -1;
        return 1;
    }
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &plen) == 0) {
        *ret = 0;
        return 1;
    }
    return 0;   /* ENOTCONN: a stale readiness edge; keep waiting */
}

typedef struct connect_attempt {
    int fd, ret;
} connect_attempt;

static int connect_attempt_fn(void *ctx, uint64_t edges) {
    (void)edges;
    connect_attempt *at = ctx;
    return connect_result(at->fd, &at->ret);
}

typedef struct connect_job {
    int fd;
    const struct sockaddr *addr;
    socklen_t addrlen;
    int res, err;
} connect_job;

static void connect_blocking_fn(void *arg) {
    connect_job *j = arg;
    j->res = connect(j->fd, j->addr, j->addrlen);
    j->err = j->res < 0 ? errno : 0;
}

int coro_op_connect(coro_frame *self, int *ret, int fd, const struct sockaddr *addr, socklen_t addrlen) {
    coro_task *t = self->task;
    if (t == NULL) {
        *ret = connect(fd, addr, addrlen);
        return 0;
    }
    if (t->op == CORO_OP_KIND_BLOCKING) {   /* the pool ran connect(2) */
        connect_job *j = (connect_job *)t->aux;
        t->op = CORO_OP_KIND_NONE;
        *ret = j->res;
        if (j->res < 0) errno = j->err;
        free(j);
        return 0;
    }
    if (t->op == CORO_OP_KIND_FD_WAIT) {
        if (coro_fd_retry_woken(t)) {
            *ret = -1;
            return 0;
        }
    } else {
        if (t->op != CORO_OP_KIND_NONE) coro_fatal("connect in task %s while op %u is in flight", t->name, t->op);
        int kind = coro_fd_kind(fd);
        if (kind < 0) {
            *ret = -1;
            return 0;
        }
        if (kind == CORO_FD_BLOCK) {   /* not pollable (odd, but do not block a worker) */
            connect_job *j = malloc(sizeof *j);
            if (j == NULL) {
                *ret = -1;
                return 0;
            }
            *j = (connect_job){.fd = fd, .addr = addr, .addrlen = addrlen};
            t->op = CORO_OP_KIND_BLOCKING;
            if (coro_blocking_submit(t, connect_blocking_fn, j) < 0) {
                t->op = CORO_OP_KIND_NONE;
                free(j);
                *ret = -1;
                return 0;
            }
            return CORO_SUSPENDED;
        }
        /* EINTR on a non-blocking connect means "in progress", never "retry" */
        int r = connect(fd, addr, addrlen);
        if (r == 0) {
            *ret = 0;
            return 0;
        }
        if (errno != EINPROGRESS && errno != EINTR && errno != EALREADY) {
            *ret = -1;
            return 0;
        }
    }
    connect_attempt at = {.fd = fd};
    int st = coro_fd_retry(t, fd, CORO_FD_WRITE, t->deadline_ns, ETIMEDOUT, connect_attempt_fn, &at);
    if (st == CORO_SUSPENDED) return st;
    *ret = st == 0 ? at.ret : -1;
    return 0;
}
