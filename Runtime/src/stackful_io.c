/*
 * stackful_io.c — the I/O and sleep calls of stackful mode: coro_read,
 * coro_write, ..., coro_sleep, coro_sleep_ms.
 *
 * `coroc translate --mode stackful` rewrites each catalogue call inside a
 * coroutine (read -> coro_read, ...; see CorocCore/IOCatalogue.swift), and a
 * hand-written stackful program may call these directly.  Each has the libc
 * function's signature and meaning; the difference is that where the libc
 * call would block (EAGAIN on the nonblocking fd, a sleep) the coroutine
 * parks and its worker runs other coroutines.
 *
 * Each wrapper is the loop of stackful.h over the frame ABI operation of the
 * same name (coro_op_read, ...), so the poller, timers, deadlines and the
 * "close wakes waiters with EBADF" rule are exactly those of stackless mode.
 * errno is set by the operation's last call, on the thread that runs the
 * coroutine when the call returns (see stackful.c, THREAD-LOCALS).
 *
 * Off a stackful coroutine (a plain thread, main before the scheduler runs)
 * a wrapper is the plain libc call, with libc's blocking behaviour (an fd
 * that a coroutine used has O_NONBLOCK set by the runtime, so there it fails
 * with EAGAIN instead).  coro_close also wakes coroutines parked on the fd.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "stackful.h"

#define UNPAREN(...) __VA_ARGS__

/* rtype coro_NAME params: the stackful form of libc's NAME. */
#define STACKFUL_IO(rtype, name, params, args)                                         \
    rtype coro_##name params {                                                         \
        coro_stackful *sf = coro_stackful_current();                                   \
        if (!sf) return name args;                                                     \
        rtype ret;                                                                     \
        CORO_STACKFUL_WAIT(sf, coro_op_##name(coro_stackful_frame(sf), &ret, UNPAREN args)); \
        return ret;                                                                    \
    }

STACKFUL_IO(ssize_t, read, (int fd, void *buf, size_t n), (fd, buf, n))
STACKFUL_IO(ssize_t, write, (int fd, const void *buf, size_t n), (fd, buf, n))
STACKFUL_IO(ssize_t, recv, (int fd, void *buf, size_t n, int flags), (fd, buf, n, flags))
STACKFUL_IO(ssize_t, send, (int fd, const void *buf, size_t n, int flags), (fd, buf, n, flags))
STACKFUL_IO(ssize_t, recvfrom,
            (int fd, void *buf, size_t n, int flags, struct sockaddr *addr, socklen_t *addrlen),
            (fd, buf, n, flags, addr, addrlen))
STACKFUL_IO(ssize_t, sendto,
            (int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t addrlen),
            (fd, buf, n, flags, addr, addrlen))
STACKFUL_IO(ssize_t, recvmsg, (int fd, struct msghdr *msg, int flags), (fd, msg, flags))
STACKFUL_IO(ssize_t, sendmsg, (int fd, const struct msghdr *msg, int flags), (fd, msg, flags))
STACKFUL_IO(ssize_t, readv, (int fd, const struct iovec *iov, int iovcnt), (fd, iov, iovcnt))
STACKFUL_IO(ssize_t, writev, (int fd, const struct iovec *iov, int iovcnt), (fd, iov, iovcnt))
STACKFUL_IO(int, accept, (int fd, struct sockaddr *addr, socklen_t *addrlen), (fd, addr, addrlen))
STACKFUL_IO(int, accept4, (int fd, struct sockaddr *addr, socklen_t *addrlen, int flags),
            (fd, addr, addrlen, flags))
STACKFUL_IO(int, connect, (int fd, const struct sockaddr *addr, socklen_t addrlen), (fd, addr, addrlen))
STACKFUL_IO(unsigned, sleep, (unsigned seconds), (seconds))
STACKFUL_IO(int, usleep, (unsigned int usec), (usec))
STACKFUL_IO(int, nanosleep, (const struct timespec *req, struct timespec *rem), (req, rem))
STACKFUL_IO(int, poll, (struct pollfd *fds, nfds_t nfds, int timeout_ms), (fds, nfds, timeout_ms))

/* Not a libc call, but a sleep like the three above: the op loop on a
 * coroutine, a thread sleep off one (EINVAL for ms < 0, as the op). */
int coro_sleep_ms(long ms) {
    coro_stackful *sf = coro_stackful_current();
    if (!sf) {
        if (ms < 0) { errno = EINVAL; return -1; }
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) != 0)
            if (errno != EINTR) return -1;
        return 0;
    }
    int ret;
    CORO_STACKFUL_WAIT(sf, coro_op_sleep_ms(coro_stackful_frame(sf), &ret, ms));
    return ret;
}

/* close never waits, but off a coroutine it must still wake the coroutines
 * parked on fd (EBADF), so it always goes through coro_op_close. */
int coro_close(int fd) {
    coro_stackful *sf = coro_stackful_current();
    coro_frame outside = { .task = NULL };
    int ret;
    CORO_STACKFUL_WAIT(sf, coro_op_close(sf ? coro_stackful_frame(sf) : &outside, &ret, fd));
    return ret;
}

/* Wait until fd is ready for `events`; off a coroutine, a poll(2) of it. */
int coro_wait_fd(int fd, short events) {
    coro_stackful *sf = coro_stackful_current();
    if (!sf) {
        struct pollfd p = { .fd = fd, .events = events };
        int n;
        while ((n = poll(&p, 1, -1)) < 0 && errno == EINTR) {}
        if (n < 0) return -1;
        if (p.revents & POLLNVAL) { errno = EBADF; return -1; }
        return 0;
    }
    int ret;
    CORO_STACKFUL_WAIT(sf, coro_op_wait_fd(coro_stackful_frame(sf), &ret, fd, events));
    return ret;
}

/* Run fn(arg) on the blocking pool; off a coroutine, call it here. */
int coro_blocking(void (*fn)(void *arg), void *arg) {
    coro_stackful *sf = coro_stackful_current();
    if (!sf) {
        if (!fn) { errno = EINVAL; return -1; }
        fn(arg);
        return 0;
    }
    CORO_STACKFUL_WAIT(sf, coro_op_blocking(coro_stackful_frame(sf), fn, arg));
    return 0;
}
