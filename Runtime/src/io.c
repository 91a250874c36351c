/*
 * io.c — the suspendable fd operations of coro.h that are one system call
 * tried again until it would not block: coro_op_read, write, recv, send,
 * recvfrom, sendto, recvmsg, sendmsg, readv, writev, accept, accept4, poll,
 * wait_fd and close, plus coro_set_deadline, the I/O deadline they obey.
 * (connect, whose outcome is not learnt by calling again: connect.c; the
 * sleeps: sleep.c; coro_op_yield, which involves no I/O: sched.c.)
 *
 * PROTOCOL ("call again", coro.h): each op is called once to start and once
 * more after every wake-up, with the same arguments.  task->op tells the two
 * apart:
 *   NONE         first call: try the system call.  Done -> return 0.
 *                EAGAIN -> park on the fd (poll.h) and return CORO_SUSPENDED.
 *                fd served by the blocking pool -> queue the call, park.
 *   FD_WAIT      woken by the poller (err 0: retry the call), by close
 *                (EBADF) or by the deadline (ETIMEDOUT): fail or retry.
 *   BLOCKING_IO  the pool ran the call: copy out its result and errno.
 * errno is set on the thread the task resumed on, just before returning 0,
 * so after a failing op it holds that op's error wherever the task moved.
 *
 * fd handling (poll.h): sockets, pipes and the like get O_NONBLOCK on first
 * use and go through the poller.  Sockets additionally use MSG_DONTWAIT
 * (robust even if someone cleared O_NONBLOCK) and MSG_NOSIGNAL on sends: a
 * peer that resets must give EPIPE, not kill the process.  Regular files and
 * fds 0-2 run on the blocking pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "blocking.h"
#include "fd_retry.h"
#include "poll.h"

enum io_call {
    IO_READ, IO_WRITE, IO_RECV, IO_SEND, IO_RECVFROM, IO_SENDTO, IO_RECVMSG, IO_SENDMSG,
    IO_READV, IO_WRITEV, IO_ACCEPT, IO_ACCEPT4, IO_POLL,
};

/* One I/O call with all its arguments, so the same code runs it in place or
 * on a pool thread. */
typedef struct io_args {
    enum io_call call;
    int fd;
    void *buf;
    const void *cbuf;
    size_t n;
    int flags;
    struct sockaddr *addr;
    socklen_t *addrlen;
    const struct sockaddr *caddr;
    socklen_t caddrlen;
    const struct iovec *iov;
    int iovcnt;
    struct msghdr *msg;
    const struct msghdr *cmsg;
    struct pollfd *pfds;
    nfds_t nfds;
    int timeout_ms;
    struct pollfd one;   /* a single pollfd, copied so the pool never writes
                            into a caller's temporary */
    ssize_t res;   /* set by io_blocking_fn */
    int err;       /* set by io_blocking_fn */
} io_args;

static int wants_write(enum io_call c) {
    return c == IO_WRITE || c == IO_SEND || c == IO_SENDTO || c == IO_SENDMSG || c == IO_WRITEV;
}

/* One attempt.  sock: the fd is a socket we made non-blocking. */
static ssize_t io_try(io_args *a, int sock) {
    int dw = sock ? MSG_DONTWAIT : 0;
    switch (a->call) {
    case IO_READ: return sock ? recv(a->fd, a->buf, a->n, dw) : read(a->fd, a->buf, a->n);
    case IO_WRITE: return sock ? send(a->fd, a->cbuf, a->n, dw | MSG_NOSIGNAL) : write(a->fd, a->cbuf, a->n);
    case IO_RECV: return recv(a->fd, a->buf, a->n, a->flags | dw);
    case IO_SEND: return send(a->fd, a->cbuf, a->n, a->flags | dw | MSG_NOSIGNAL);
    case IO_RECVFROM: return recvfrom(a->fd, a->buf, a->n, a->flags | dw, a->addr, a->addrlen);
    case IO_SENDTO: return sendto(a->fd, a->cbuf, a->n, a->flags | dw | MSG_NOSIGNAL, a->caddr, a->caddrlen);
    case IO_RECVMSG: return recvmsg(a->fd, a->msg, a->flags | dw);
    case IO_SENDMSG: return sendmsg(a->fd, a->cmsg, a->flags | dw | MSG_NOSIGNAL);
    case IO_READV: return readv(a->fd, a->iov, a->iovcnt);
    case IO_WRITEV:   /* on a socket as sendmsg: writev has no MSG_NOSIGNAL (a reset peer raised SIGPIPE) */
        if (sock) return sendmsg(a->fd, &(struct msghdr){ .msg_iov = (struct iovec *)a->iov, .msg_iovlen = (size_t)a->iovcnt },
                                 dw | MSG_NOSIGNAL);
        return writev(a->fd, a->iov, a->iovcnt);
    case IO_ACCEPT: return accept(a->fd, a->addr, a->addrlen);
    case IO_ACCEPT4: return accept4(a->fd, a->addr, a->addrlen, a->flags);
    case IO_POLL: return poll(a->pfds, a->nfds, a->timeout_ms);
    }
    errno = EINVAL;
    return -1;
}

/* On a pool thread: the blocking form of the call.  An fd 0-2 may still be
 * non-blocking (the parent's choice); wait for it with poll(2) here. */
static void io_blocking_fn(void *arg) {
    io_args *a = arg;
    for (;;) {
        ssize_t r = io_try(a, 0);
        if (r >= 0) {
            a->res = r;
            a->err = 0;
            return;
        }
        if (errno == EINTR) continue;
        if ((errno == EAGAIN || errno == EWOULDBLOCK) && a->call != IO_POLL) {
            struct pollfd p = {.fd = a->fd, .events = wants_write(a->call) ? POLLOUT : POLLIN};
            if (poll(&p, 1, -1) >= 0 || errno == EINTR) continue;
        }
        a->res = -1;
        a->err = errno;
        return;
    }
}

/* Queue *a on the pool for t (a copy, since the caller's args are temporaries). */
static int submit_blocking(coro_task *t, const io_args *a, ssize_t *ret) {
    io_args *copy = malloc(sizeof *copy);
    if (copy == NULL) goto error1;
    *copy = *a;
    if (a->call == IO_POLL && a->nfds == 1) {
        copy->one = a->pfds[0];
        copy->pfds = &copy->one;
    }
    t->op = CORO_OP_KIND_BLOCKING_IO;
    if (coro_blocking_submit(t, io_blocking_fn, copy) < 0) goto error2;
    return CORO_SUSPENDED;
error2:
    t->op = CORO_OP_KIND_NONE;
    free(copy);
error1:
    *ret = -1;
    return 0;
}

/* Woken from a pool call: its result (and, for a one-fd poll, revents into
 * this call's fds).  Returns 1 if it was one. */
static int finish_blocking(coro_task *t, ssize_t *ret, struct pollfd *fds) {
    if (t->op != CORO_OP_KIND_BLOCKING_IO) return 0;
    io_args *a = (io_args *)t->aux;
    t->op = CORO_OP_KIND_NONE;
    if (a->pfds == &a->one && fds != NULL) fds[0].revents = a->one.revents;
    *ret = a->res;
    int err = a->err;
    free(a);
    if (*ret < 0) errno = err;
    return 1;
}

/* One attempt of io_op's call (fd_retry.h). */
typedef struct io_attempt {
    io_args *a;
    int sock, drains;
    ssize_t r;
} io_attempt;

static int io_attempt_fn(void *ctx, uint64_t edges) {
    io_attempt *at = ctx;
    for (;;) {
        at->r = io_try(at->a, at->sock);
        if (at->r >= 0) {
            /* the low half of the edge mark is the SHORT READS input mark */
            if (at->drains && at->r > 0 && (size_t)at->r < at->a->n) coro_fd_input_short(at->a->fd, (uint32_t)edges);
            return 1;
        }
        if (errno == EINTR) continue;
        return errno != EAGAIN && errno != EWOULDBLOCK;   /* a failure completes the call */
    }
}

/* The generic op: see PROTOCOL above. */
static int io_op(coro_frame *self, io_args *a, ssize_t *ret) {
    coro_task *t = self->task;
    if (t == NULL) {   /* frame driven outside the scheduler: plain blocking call */
        io_blocking_fn(a);
        *ret = a->res;
        if (a->res < 0) errno = a->err;
        return 0;
    }
    int woken = t->op == CORO_OP_KIND_FD_WAIT;
    switch (t->op) {
    case CORO_OP_KIND_NONE: break;
    case CORO_OP_KIND_BLOCKING_IO: finish_blocking(t, ret, NULL); return 0;
    case CORO_OP_KIND_FD_WAIT:
        if (coro_fd_retry_woken(t)) {
            *ret = -1;
            return 0;
        }
        break;
    default: coro_fatal("I/O op in task %s while op %u is in flight", t->name, t->op);
    }
    int kind = coro_fd_kind(a->fd);
    if (kind < 0) {
        *ret = -1;
        return 0;
    }
    if (kind == CORO_FD_BLOCK) return submit_blocking(t, a, ret);
    int mode = wants_write(a->call) ? CORO_FD_WRITE : CORO_FD_READ;
    /* A plain read of a socket: track short reads (poll.h, SHORT READS). */
    int drains = kind == CORO_FD_SOCK && (a->call == IO_READ || (a->call == IO_RECV && a->flags == 0));
    if (drains && !woken) {   /* a wake-up always retries */
        t->op = CORO_OP_KIND_FD_WAIT;
        int p = coro_fd_park(t, a->fd, CORO_FD_READ | CORO_FD_TRY, t->deadline_ns, ETIMEDOUT);
        if (p == 0) return CORO_SUSPENDED;   /* the last read came back short: nothing to read */
        t->op = CORO_OP_KIND_NONE;
        if (p < 0) {
            *ret = -1;
            return 0;
        }
    }
    io_attempt at = {.a = a, .sock = kind == CORO_FD_SOCK, .drains = drains};
    int st = coro_fd_retry(t, a->fd, mode, t->deadline_ns, ETIMEDOUT, io_attempt_fn, &at);
    if (st == CORO_SUSPENDED) return st;
    *ret = st == 0 ? at.r : -1;
    return 0;
}

#define IO_ARGS(...) (io_args){__VA_ARGS__}

int coro_op_read(coro_frame *self, ssize_t *ret, int fd, void *buf, size_t n) {
    io_args a = IO_ARGS(.call = IO_READ, .fd = fd, .buf = buf, .n = n);
    return io_op(self, &a, ret);
}

int coro_op_write(coro_frame *self, ssize_t *ret, int fd, const void *buf, size_t n) {
    io_args a = IO_ARGS(.call = IO_WRITE, .fd = fd, .cbuf = buf, .n = n);
    return io_op(self, &a, ret);
}

int coro_op_recv(coro_frame *self, ssize_t *ret, int fd, void *buf, size_t n, int flags) {
    io_args a = IO_ARGS(.call = IO_RECV, .fd = fd, .buf = buf, .n = n, .flags = flags);
    return io_op(self, &a, ret);
}

int coro_op_send(coro_frame *self, ssize_t *ret, int fd, const void *buf, size_t n, int flags) {
    io_args a = IO_ARGS(.call = IO_SEND, .fd = fd, .cbuf = buf, .n = n, .flags = flags);
    return io_op(self, &a, ret);
}

int coro_op_recvfrom(coro_frame *self, ssize_t *ret, int fd, void *buf, size_t n, int flags,
                     struct sockaddr *addr, socklen_t *addrlen) {
    io_args a = IO_ARGS(.call = IO_RECVFROM, .fd = fd, .buf = buf, .n = n, .flags = flags, .addr = addr,
                        .addrlen = addrlen);
    return io_op(self, &a, ret);
}

int coro_op_sendto(coro_frame *self, ssize_t *ret, int fd, const void *buf, size_t n, int flags,
                   const struct sockaddr *addr, socklen_t addrlen) {
    io_args a = IO_ARGS(.call = IO_SENDTO, .fd = fd, .cbuf = buf, .n = n, .flags = flags, .caddr = addr,
                        .caddrlen = addrlen);
    return io_op(self, &a, ret);
}

int coro_op_recvmsg(coro_frame *self, ssize_t *ret, int fd, struct msghdr *msg, int flags) {
    io_args a = IO_ARGS(.call = IO_RECVMSG, .fd = fd, .msg = msg, .flags = flags);
    return io_op(self, &a, ret);
}

int coro_op_sendmsg(coro_frame *self, ssize_t *ret, int fd, const struct msghdr *msg, int flags) {
    io_args a = IO_ARGS(.call = IO_SENDMSG, .fd = fd, .cmsg = msg, .flags = flags);
    return io_op(self, &a, ret);
}

int coro_op_readv(coro_frame *self, ssize_t *ret, int fd, const struct iovec *iov, int iovcnt) {
    io_args a = IO_ARGS(.call = IO_READV, .fd = fd, .iov = iov, .iovcnt = iovcnt);
    return io_op(self, &a, ret);
}

int coro_op_writev(coro_frame *self, ssize_t *ret, int fd, const struct iovec *iov, int iovcnt) {
    io_args a = IO_ARGS(.call = IO_WRITEV, .fd = fd, .iov = iov, .iovcnt = iovcnt);
    return io_op(self, &a, ret);
}

static int accept_op(coro_frame *self, int *ret, io_args *a) {
    ssize_t r;
    int st = io_op(self, a, &r);
    if (st == 0) {
        *ret = (int)r;
        /* The number may have belonged to a file closed behind our back. */
        if (r >= 0) coro_fd_forget((int)r);
    }
    return st;
}

int coro_op_accept(coro_frame *self, int *ret, int fd, struct sockaddr *addr, socklen_t *addrlen) {
    io_args a = IO_ARGS(.call = IO_ACCEPT, .fd = fd, .addr = addr, .addrlen = addrlen);
    return accept_op(self, ret, &a);
}

int coro_op_accept4(coro_frame *self, int *ret, int fd, struct sockaddr *addr, socklen_t *addrlen, int flags) {
    io_args a = IO_ARGS(.call = IO_ACCEPT4, .fd = fd, .addr = addr, .addrlen = addrlen, .flags = flags);
    return accept_op(self, ret, &a);
}

/* ---- poll (one fd through the poller; more on the blocking pool) ---- */

typedef struct poll_attempt {
    struct pollfd *fds;
    int timeout_ms, n;
} poll_attempt;

/* Ready (or a zero timeout, or poll failed): complete. */
static int poll_attempt_fn(void *ctx, uint64_t edges) {
    (void)edges;
    poll_attempt *at = ctx;
    at->n = poll(at->fds, 1, 0);
    return at->n != 0 || at->timeout_ms == 0;
}

int coro_op_poll(coro_frame *self, int *ret, struct pollfd *fds, nfds_t nfds, int timeout_ms) {
    coro_task *t = self->task;
    io_args a = IO_ARGS(.call = IO_POLL, .fd = nfds > 0 ? fds[0].fd : -1, .pfds = fds, .nfds = nfds,
                        .timeout_ms = timeout_ms);
    ssize_t r;
    if (t == NULL) {
        io_blocking_fn(&a);
        *ret = (int)a.res;
        if (a.res < 0) errno = a.err;
        return 0;
    }
    if (finish_blocking(t, &r, fds)) {
        *ret = (int)r;
        return 0;
    }
    int64_t deadline;
    if (t->op == CORO_OP_KIND_FD_WAIT) {
        deadline = (int64_t)(intptr_t)t->wait;   /* stored at the first park */
        t->op = CORO_OP_KIND_NONE;
        coro_fd_wait_done(t);
        if (t->err == EBADF) {   /* closed while waiting: what poll(2) reports for a bad fd */
            t->err = 0;
            fds[0].revents = POLLNVAL;
            *ret = 1;
            return 0;
        }
        if (t->result == 1) {   /* the timeout expired */
            fds[0].revents = 0;
            *ret = 0;
            return 0;
        }
    } else {
        if (t->op != CORO_OP_KIND_NONE) coro_fatal("poll in task %s while op %u is in flight", t->name, t->op);
        int kind = (nfds == 1 && fds[0].fd >= 0) ? coro_fd_kind(fds[0].fd) : CORO_FD_BLOCK;
        if (kind < 0) {   /* not open: poll(2) itself reports POLLNVAL */
            *ret = poll(fds, nfds, 0);
            return 0;
        }
        if (kind == CORO_FD_BLOCK) {
            int st = submit_blocking(t, &a, &r);
            if (st == 0) *ret = (int)r;
            return st;
        }
        deadline = timeout_ms > 0 ? coro_now_ns() + (int64_t)timeout_ms * 1000000 : 0;
    }
    int mode = 0;
    if (fds[0].events & (POLLIN | POLLPRI | POLLRDHUP)) mode |= CORO_FD_READ;
    if (fds[0].events & POLLOUT) mode |= CORO_FD_WRITE;
    if (mode == 0) mode = CORO_FD_READ;   /* errors and hang-ups arrive as input edges */
    t->wait = (void *)(intptr_t)deadline;   /* for the call again */
    poll_attempt at = {.fds = fds, .timeout_ms = timeout_ms};
    int st = coro_fd_retry(t, fds[0].fd, mode, deadline, 0, poll_attempt_fn, &at);
    if (st == CORO_SUSPENDED) return st;
    if (st == 2) {   /* deadline already past */
        fds[0].revents = 0;
        at.n = 0;
    }
    *ret = st < 0 ? -1 : at.n;
    return 0;
}

/* coro_op_poll on one fd, with the task's I/O deadline as its timeout;
 * regular files are always ready.  (On a call again, coro_op_poll keeps the
 * deadline it stored at the first park, so the recomputed timeout only
 * matters when it reaches 0.) */
int coro_op_wait_fd(coro_frame *self, int *ret, int fd, short events) {
    coro_task *t = self->task;
    struct pollfd p = {.fd = fd, .events = events};
    int timeout_ms = -1;
    if (t != NULL && t->deadline_ns != 0) {
        int64_t left = t->deadline_ns - coro_now_ns();
        timeout_ms = left <= 0 ? 0 : left / 1000000 >= INT32_MAX ? INT32_MAX : (int)((left + 999999) / 1000000);
    }
    if (t != NULL && t->op == CORO_OP_KIND_NONE) {
        int kind = coro_fd_kind(fd);
        if (kind < 0) {
            *ret = -1;
            return 0;
        }
        if (kind == CORO_FD_BLOCK && fd > 2) {
            *ret = 0;
            return 0;
        }
    }
    int pr;
    int st = coro_op_poll(self, &pr, &p, 1, timeout_ms);
    if (st != 0) return st;
    if (pr == 0) {
        errno = ETIMEDOUT;
        *ret = -1;
    } else if (pr < 0) {
        *ret = -1;
    } else if (p.revents & POLLNVAL) {
        errno = EBADF;
        *ret = -1;
    } else {
        *ret = 0;
    }
    return 0;
}

/* ---- close ---- */

int coro_op_close(coro_frame *self, int *ret, int fd) {
    (void)self;
    *ret = coro_fd_close(fd);
    return 0;
}

/* ---- deadlines ---- */

int coro_set_deadline(long timeout_ms) {
    coro_task *t = coro_current_task();
    if (t == NULL) {
        errno = EPERM;
        return -1;
    }
    if (timeout_ms < 0) t->deadline_ns = 0;
    else t->deadline_ns = coro_now_ns() + (int64_t)timeout_ms * 1000000;
    return 0;
}

