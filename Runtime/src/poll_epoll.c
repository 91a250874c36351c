/*
 * poll_epoll.c — the Linux backend of poll.h: one epoll instance for the
 * process plus an eventfd that breaks a blocked epoll_wait.
 *
 * Invariants:
 *  - epfd and breakfd are created once (coro_poll_backend_init) and live
 *    until the process exits, so coro_run_main can run again without
 *    re-registering anything.
 *  - every registered fd carries its own number in epoll_data.u64; the break
 *    fd carries BREAK_TAG, which no fd can equal.
 *  - break_pending is 1 from a break's write until a *blocking* wait drained
 *    the eventfd: concurrent breaks cost one write(2) and one wake-up.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "poll.h"

#define BREAK_TAG UINT64_MAX
/* Events fetched per epoll_wait: Go's netpoll uses 128 too. */
#define MAX_EVENTS 128

static int epfd = -1;
static int breakfd = -1;
static int break_pending;   /* atomic; partner: the exchange in drain_break */

int coro_poll_backend_init(void) {
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) return -1;
    breakfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (breakfd < 0) goto error1;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = BREAK_TAG};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, breakfd, &ev) < 0) goto error2;
    return 0;
error2: {
        int e = errno;
        close(breakfd);
        errno = e;
    }
error1: {
        int e = errno;
        close(epfd);
        epfd = breakfd = -1;
        errno = e;
    }
    return -1;
}

int coro_poll_backend_open(int fd) {
    struct epoll_event ev = {
        .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
        .data.u64 = (uint64_t)(uint32_t)fd,
    };
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0) return 0;
    if (errno == EEXIST) return 0;   /* registered by an earlier record of this number */
    return -1;
}

void coro_poll_backend_close(int fd) {
    /* ENOENT/EBADF are fine: the fd may never have been registered. */
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void drain_break(void) {
    uint64_t n;
    while (read(breakfd, &n, sizeof n) == (ssize_t)sizeof n) {
    }
    __atomic_store_n(&break_pending, 0, __ATOMIC_RELEASE);
}

int coro_poll_backend_wait(int64_t timeout_ns, coro_poll_cb cb, void *arg) {
    int timeout_ms;
    if (timeout_ns < 0) timeout_ms = -1;
    else if (timeout_ns == 0) timeout_ms = 0;
    else if (timeout_ns > (int64_t)1000000 * 1000000) timeout_ms = 1000000 * 1000;
    else timeout_ms = (int)((timeout_ns + 999999) / 1000000);   /* round up: never wake early */

    struct epoll_event evs[MAX_EVENTS];
    int n = epoll_wait(epfd, evs, MAX_EVENTS, timeout_ms);
    if (n < 0) return errno == EINTR ? 0 : -1;
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (evs[i].data.u64 == BREAK_TAG) {
            /* Only a blocking wait consumes a break (as Go's netpoll does).
             * A non-blocking poll by a busy worker must leave it: the break
             * fd is level-triggered, and draining it here would let the
             * blocked poller it was meant for wake, find nothing, and sleep
             * on, past a timer or runnable work. */
            if (timeout_ns != 0) drain_break();
            continue;
        }
        uint32_t e = evs[i].events;
        int ready = 0;
        if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ready |= CORO_POLL_IN;
        if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) ready |= CORO_POLL_OUT;
        if (e & EPOLLERR) ready |= CORO_POLL_ERR;
        if (e & (EPOLLRDHUP | EPOLLHUP)) ready |= CORO_POLL_HUP;
        cb(arg, (int)evs[i].data.u64, ready);
        count++;
    }
    return count;
}

void coro_poll_backend_break(void) {
    int expected = 0;
    if (!__atomic_compare_exchange_n(&break_pending, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return;
    uint64_t one = 1;
    /* EAGAIN only if the counter is saturated, which already means "woken". */
    ssize_t r = write(breakfd, &one, sizeof one);
    (void)r;
}
