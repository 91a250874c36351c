/*
 * test_badinput.c — the outside world misbehaving.  Each phase runs a
 * "ticker" coroutine next to the victim and checks that it kept running, so
 * a failure in one coroutine never stalls the others:
 *   - a peer resets the connection (SO_LINGER 0 then close: RST) while a
 *     coroutine is parked in read: -1/ECONNRESET, and a write after that
 *     fails with EPIPE/ECONNRESET instead of killing the process (SIGPIPE);
 *   - another coroutine closes the fd a coroutine is parked on: -1/EBADF;
 *   - accept with RLIMIT_NOFILE exhausted: -1/EMFILE; after the limit is
 *     restored the same listener accepts again.
 */
#include <sys/resource.h>
#include <unistd.h>
#include "net_test.h"

static int ticks;      /* atomic */
static int stop_tick;  /* atomic */

typedef struct {
    coro_frame hdr;
    int r;
} ticker_frame;

static coro_status ticker_resume(coro_frame *self) {
    ticker_frame *f = (ticker_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    while (!__atomic_load_n(&stop_tick, __ATOMIC_RELAXED)) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 1));
        __atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED);
    }
    return CORO_DONE;
}

/* progress(): returns once the ticker has ticked 3 more times, i.e. the other
 * coroutines kept running (if they did not, the test hangs and the
 * Makefile's timeout fails it; nothing here depends on wall time). */
typedef struct {
    coro_frame hdr;
    int mark, r;
} progress_frame;

static coro_status progress_resume(coro_frame *self) {
    progress_frame *f = (progress_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    f->mark = __atomic_load_n(&ticks, __ATOMIC_RELAXED);
    while (__atomic_load_n(&ticks, __ATOMIC_RELAXED) < f->mark + 3) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 1));
    }
    return CORO_DONE;
}

static void start_ticker(void) {
    ticks = 0;
    stop_tick = 0;
    CHECK_EQ(coro_spawn(rt_frame(sizeof(ticker_frame), ticker_resume), "ticker"), 0);
}

/* ---- connection reset by peer ---- */
static int lfd;
static struct sockaddr_in laddr;

typedef struct {
    coro_frame hdr;
    int fd, r;
} resetter_frame;

static coro_status resetter_resume(coro_frame *self) {
    resetter_frame *f = (resetter_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_accept(&f->hdr, &f->fd, lfd, NULL, NULL));
    CHECK(f->fd >= 0);
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 30));   /* the reader parks meanwhile */
    {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        CHECK_EQ(setsockopt(f->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    }
    f->hdr.state = 3;
S3:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));   /* sends RST */
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int fd, r;
    ssize_t n;
    char buf[16];
    progress_frame prog;
} reset_victim_frame;

static coro_status reset_victim_resume(coro_frame *self) {
    reset_victim_frame *f = (reset_victim_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    case 9: goto S9;
    default: BAD_STATE(f);
    }
    start_ticker();
    CHECK_EQ(coro_spawn(rt_frame(sizeof(resetter_frame), resetter_resume), "resetter"), 0);
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_connect(&f->hdr, &f->r, f->fd, (struct sockaddr *)&laddr, sizeof laddr));
    CHECK_EQ(f->r, 0);
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_read(&f->hdr, &f->n, f->fd, f->buf, sizeof f->buf));
    CHECK_EQ(f->n, -1);
    CHECK_EQ(errno, ECONNRESET);
    f->hdr.state = 3;
S3:
    CORO_OP(coro_op_write(&f->hdr, &f->n, f->fd, "late", 4));
    CHECK_EQ(f->n, -1);
    CHECK(errno == EPIPE || errno == ECONNRESET);
    f->hdr.state = 4;
S4:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));
    rt_frame_init(&f->prog.hdr, sizeof f->prog, progress_resume);
    f->hdr.state = 9;
S9:
    CORO_OP(coro_await(&f->hdr, &f->prog.hdr));
    __atomic_store_n(&stop_tick, 1, __ATOMIC_RELAXED);
    return CORO_DONE;
}

static void phase_reset(void) {
    lfd = net_listen_loopback(&laddr, 64);
    reset_victim_frame root;
    rt_frame_init(&root.hdr, sizeof root, reset_victim_resume);
    rt_run(&root.hdr);
    close(lfd);
}

/* ---- fd closed under a parked reader ---- */
static int sp[2];

typedef struct {
    coro_frame hdr;
    ssize_t n;
    char buf[16];
    progress_frame prog;
} closed_victim_frame;

static coro_status closed_victim_resume(coro_frame *self) {
    closed_victim_frame *f = (closed_victim_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 9: goto S9;
    default: BAD_STATE(f);
    }
    start_ticker();
    CHECK_EQ(rt_spawn_closer(sp[0], 30), 0);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_read(&f->hdr, &f->n, sp[0], f->buf, sizeof f->buf));
    CHECK_EQ(f->n, -1);
    CHECK_EQ(errno, EBADF);
    rt_frame_init(&f->prog.hdr, sizeof f->prog, progress_resume);
    f->hdr.state = 9;
S9:
    CORO_OP(coro_await(&f->hdr, &f->prog.hdr));
    __atomic_store_n(&stop_tick, 1, __ATOMIC_RELAXED);
    return CORO_DONE;
}

static void phase_closed(void) {
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
    closed_victim_frame root;
    rt_frame_init(&root.hdr, sizeof root, closed_victim_resume);
    rt_run(&root.hdr);
    close(sp[1]);
}

/* ---- accept at EMFILE ---- */
static struct rlimit saved_limit;
static int pending[4];

typedef struct {
    coro_frame hdr;
    int fd, r;
    progress_frame prog;
} emfile_frame;

static coro_status emfile_resume(coro_frame *self) {
    emfile_frame *f = (emfile_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    case 9: goto S9;
    default: BAD_STATE(f);
    }
    start_ticker();
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 10));   /* connections are queued; ticker runs */
    {
        /* no free descriptor left: the limit is the lowest free number */
        int probe = dup(0);
        struct rlimit rl = saved_limit;
        rl.rlim_cur = (rlim_t)probe;
        close(probe);
        CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_accept(&f->hdr, &f->fd, lfd, NULL, NULL));
    CHECK_EQ(f->fd, -1);
    CHECK_EQ(errno, EMFILE);
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &saved_limit), 0);
    f->hdr.state = 3;
S3:
    CORO_OP(coro_op_accept(&f->hdr, &f->fd, lfd, NULL, NULL));
    CHECK(f->fd >= 0);
    f->hdr.state = 4;
S4:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));
    rt_frame_init(&f->prog.hdr, sizeof f->prog, progress_resume);
    f->hdr.state = 9;
S9:
    CORO_OP(coro_await(&f->hdr, &f->prog.hdr));
    __atomic_store_n(&stop_tick, 1, __ATOMIC_RELAXED);
    return CORO_DONE;
}

static void phase_emfile(void) {
    getrlimit(RLIMIT_NOFILE, &saved_limit);
    lfd = net_listen_loopback(&laddr, 64);
    for (int i = 0; i < 4; i++) {
        pending[i] = socket(AF_INET, SOCK_STREAM, 0);
        CHECK_EQ(connect(pending[i], (struct sockaddr *)&laddr, sizeof laddr), 0);   /* completes via backlog */
    }
    emfile_frame root;
    rt_frame_init(&root.hdr, sizeof root, emfile_resume);
    rt_run(&root.hdr);
    for (int i = 0; i < 4; i++) close(pending[i]);
    close(lfd);
}

int main(void) {
    rt_phase("peer reset: ECONNRESET, then EPIPE without SIGPIPE", phase_reset);
    rt_phase("fd closed under a parked reader: EBADF", phase_closed);
    rt_phase("accept at RLIMIT_NOFILE: EMFILE, then recovers", phase_emfile);
    return rt_finish();
}
