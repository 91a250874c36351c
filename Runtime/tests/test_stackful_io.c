/*
 * test_stackful_io.c — stackful coroutines doing I/O and sleeps through the
 * shared poller and timers (src/stackful_io.c over io.c's operations).
 *
 * Phases:
 *   socketpair echo   1 MiB through an echo coroutine with coro_write/coro_read;
 *                     the socket buffers are far smaller, so both sides park
 *                     on EAGAIN many times; the bytes come back intact
 *   tcp loopback      an acceptor on 127.0.0.1 port 0 (coro_accept) serves 8
 *                     clients (coro_connect, coro_send/coro_recv, readv/writev)
 *   sleeps            coro_sleep_ms/usleep/nanosleep/sleep(0) in 20 coroutines:
 *                     each sleeps at least as long as asked (a lower bound only;
 *                     no upper bound, tests never assert on wall time)
 *   deadline          coro_set_deadline + coro_read on a silent socket fails
 *                     with ETIMEDOUT, and errno says so right after the call
 *   close wakes       coro_close from another coroutine wakes a parked reader
 *                     with EBADF
 *   poll, blocking    coro_poll waits for readability; coro_blocking runs a
 *                     pread on the blocking pool while the coroutine parks
 */
#define CORO_STACKFUL_ERRNO 1   /* errno re-read after every switch (coro.h) */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net_test.h"

static void run(void (*entry)(void *), void *arg) { CHECK_EQ(coro_run_main_stackful(entry, arg, "main"), 0); }

/* ---- socketpair echo ---- */

enum { ECHO_BYTES = 1 << 20, CHUNK = 16384 };
static int echo_fds[2];
static long echo_verified;

static void echo_server(void *arg) {
    (void)arg;
    char buf[CHUNK];
    ssize_t n;
    while ((n = coro_read(echo_fds[1], buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = coro_write(echo_fds[1], buf + off, (size_t)(n - off));
            CHECK(w > 0);
            if (w <= 0) return;
            off += w;
        }
    }
    CHECK_EQ(n, 0);
    coro_close(echo_fds[1]);
}

static void echo_reader(void *arg) {
    coro_wg *wg = arg;
    char buf[CHUNK];
    long got = 0;
    ssize_t n;
    while ((n = coro_read(echo_fds[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != (char)((got + i) * 7 % 251)) { CHECK(!"echoed byte differs"); return; }
        got += n;
    }
    CHECK_EQ(n, 0);
    echo_verified = got;
    coro_wg_done(wg);
}

static void echo_main(void *arg) {
    (void)arg;
    coro_wg wg;
    coro_wg_init(&wg);
    coro_wg_add(&wg, 1);
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, echo_fds), 0);
    coro_go_stackful(echo_server, NULL, "echo server");
    coro_go_stackful(echo_reader, &wg, "echo reader");
    char buf[CHUNK];
    for (long sent = 0; sent < ECHO_BYTES;) {
        for (int i = 0; i < CHUNK; i++) buf[i] = (char)((sent + i) * 7 % 251);
        ssize_t w = coro_write(echo_fds[0], buf, CHUNK);
        CHECK(w > 0);
        if (w <= 0) return;
        sent += w;
        if (w < CHUNK) { CHECK(!"short write on a blocking-style wrapper"); return; }
    }
    shutdown(echo_fds[0], SHUT_WR);
    coro_wg_wait(&wg);
    coro_close(echo_fds[0]);
}

static void phase_echo(void) {
    run(echo_main, NULL);
    CHECK_EQ(echo_verified, ECHO_BYTES);
}

/* ---- TCP loopback ---- */

enum { CLIENTS = 8 };
static int listen_fd;
static struct sockaddr_in listen_addr;
static int tcp_ok;

static void tcp_serve_one(void *arg) {
    int fd = (int)(intptr_t)arg;
    char buf[64];
    ssize_t n = coro_recv(fd, buf, sizeof buf, 0);
    CHECK(n > 0);
    for (ssize_t i = 0; i < n; i++) if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
    struct iovec iov[2] = { { "re:", 3 }, { buf, (size_t)(n > 0 ? n : 0) } };
    CHECK_EQ(coro_writev(fd, iov, 2), 3 + n);
    coro_close(fd);
}

static void tcp_acceptor(void *arg) {
    (void)arg;
    for (int i = 0; i < CLIENTS; i++) {
        int fd = coro_accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        CHECK(fd >= 0);
        if (fd < 0) return;
        coro_go_stackful(tcp_serve_one, (void *)(intptr_t)fd, "tcp server");
    }
    coro_close(listen_fd);
}

static void tcp_client(void *arg) {
    coro_wg *wg = arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_EQ(coro_connect(fd, (struct sockaddr *)&listen_addr, sizeof listen_addr), 0);
    CHECK_EQ(coro_send(fd, "hello", 5, 0), 5);
    char a[3], b[16];
    struct iovec iov[2] = { { a, 3 }, { b, sizeof b } };
    ssize_t total = 0, n;
    /* The reply may arrive in pieces; gather until EOF. */
    char all[32];
    while ((n = coro_readv(fd, iov, 2)) > 0) {
        memcpy(all + total, a, n < 3 ? (size_t)n : 3);
        if (n > 3) memcpy(all + total + 3, b, (size_t)(n - 3));
        total += n;
        if (total >= 8) break;
    }
    CHECK_EQ(total, 8);
    CHECK(memcmp(all, "re:HELLO", 8) == 0);
    if (total == 8 && memcmp(all, "re:HELLO", 8) == 0) __atomic_fetch_add(&tcp_ok, 1, __ATOMIC_RELAXED);
    coro_close(fd);
    coro_wg_done(wg);
}

static void tcp_main(void *arg) {
    (void)arg;
    listen_fd = net_listen_loopback(&listen_addr, 64);
    coro_wg wg;
    coro_wg_init(&wg);
    coro_wg_add(&wg, CLIENTS);
    coro_go_stackful(tcp_acceptor, NULL, "acceptor");
    for (int i = 0; i < CLIENTS; i++) coro_go_stackful(tcp_client, &wg, "tcp client");
    coro_wg_wait(&wg);
}

static void phase_tcp(void) {
    run(tcp_main, NULL);
    CHECK_EQ(tcp_ok, CLIENTS);
}

/* ---- sleeps ---- */

static int sleeps_ok;

static void sleeper(void *arg) {
    long ms = (long)(intptr_t)arg;
    int64_t t0 = rt_now_ns();
    switch (ms % 3) {
    case 0: CHECK_EQ(coro_sleep_ms(ms), 0); break;
    case 1: CHECK_EQ(coro_usleep((unsigned)(ms * 1000)), 0); break;
    default: {
        struct timespec req = { .tv_sec = 0, .tv_nsec = ms * 1000000 };
        CHECK_EQ(coro_nanosleep(&req, NULL), 0);
    }
    }
    int64_t slept = rt_now_ns() - t0;
    CHECK(slept >= ms * 1000000);
    if (slept >= ms * 1000000) __atomic_fetch_add(&sleeps_ok, 1, __ATOMIC_RELAXED);
}

static void sleep_main(void *arg) {
    (void)arg;
    for (long ms = 1; ms <= 20; ms++) coro_go_stackful(sleeper, (void *)(intptr_t)ms, "sleeper");
    CHECK_EQ(coro_sleep(0), 0u);
}

static void phase_sleeps(void) {
    run(sleep_main, NULL);
    CHECK_EQ(sleeps_ok, 20);
}

/* ---- deadline, close, poll, blocking ---- */

static int quiet_fds[2];

static void deadline_main(void *arg) {
    (void)arg;
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, quiet_fds), 0);
    CHECK_EQ(coro_set_deadline(20), 0);
    char c;
    errno = 0;
    ssize_t n = coro_read(quiet_fds[0], &c, 1);
    int e = errno;                      /* read at once: this thread's errno */
    CHECK_EQ(n, -1);
    CHECK_EQ(e, ETIMEDOUT);
    coro_set_deadline(-1);
    coro_close(quiet_fds[0]);
    coro_close(quiet_fds[1]);
}

static int close_fds[2];
static int close_reader_err;

static void parked_reader(void *arg) {
    coro_wg *wg = arg;
    char c;
    ssize_t n = coro_read(close_fds[0], &c, 1);
    close_reader_err = n < 0 ? errno : 0;
    coro_wg_done(wg);
}

static void close_main(void *arg) {
    (void)arg;
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, close_fds), 0);
    coro_wg wg;
    coro_wg_init(&wg);
    coro_wg_add(&wg, 1);
    coro_go_stackful(parked_reader, &wg, "parked reader");
    coro_sleep_ms(10);                  /* let it park (if it has not, it sees EBADF anyway) */
    CHECK_EQ(coro_close(close_fds[0]), 0);
    coro_wg_wait(&wg);
    coro_close(close_fds[1]);
}

static int poll_fds[2];
static void late_writer(void *arg) {
    coro_wg *wg = arg;
    coro_sleep_ms(5);
    CHECK_EQ(coro_write(poll_fds[1], "x", 1), 1);
    coro_wg_done(wg);
}

typedef struct { int fd; char buf[8]; ssize_t n; } pread_job;
static void do_pread(void *arg) {
    pread_job *j = arg;
    j->n = pread(j->fd, j->buf, sizeof j->buf, 0);
}

static void poll_blocking_main(void *arg) {
    (void)arg;
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, poll_fds), 0);
    coro_wg wg;
    coro_wg_init(&wg);
    coro_wg_add(&wg, 1);
    coro_go_stackful(late_writer, &wg, "late writer");
    struct pollfd p = { .fd = poll_fds[0], .events = POLLIN };
    CHECK_EQ(coro_poll(&p, 1, 5000), 1);
    CHECK(p.revents & POLLIN);
    coro_wg_wait(&wg);                  /* the writer is done with the fds before they close */
    coro_close(poll_fds[0]);
    coro_close(poll_fds[1]);

    char path[] = "/tmp/coro_stackful_io_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "pooled", 6), 6);
    pread_job j = { .fd = fd };
    CHECK_EQ(coro_blocking(do_pread, &j), 0);
    CHECK_EQ(j.n, 6);
    CHECK(memcmp(j.buf, "pooled", 6) == 0);
    close(fd);
    unlink(path);
}

static void phase_deadline(void) { run(deadline_main, NULL); }
static void phase_close(void) {
    run(close_main, NULL);
    CHECK_EQ(close_reader_err, EBADF);
}
static void phase_poll_blocking(void) { run(poll_blocking_main, NULL); }

int main(void) {
    rt_phase("socketpair echo of 1 MiB", phase_echo);
    rt_phase("tcp loopback, 8 clients", phase_tcp);
    rt_phase("sleeps last at least as asked", phase_sleeps);
    rt_phase("deadline: ETIMEDOUT in errno", phase_deadline);
    rt_phase("close wakes a parked reader with EBADF", phase_close);
    rt_phase("coro_poll and coro_blocking", phase_poll_blocking);
    return rt_finish();
}
