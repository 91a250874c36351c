/*
 * test_io.c — the I/O operations of coro.h through the poller and the
 * blocking pool: a pipe reader parks until a writer (after a sleep) writes;
 * 4 MB through a socketpair (writes park on a full buffer); deadlines give
 * ETIMEDOUT; a regular file is written and read back on the blocking pool;
 * poll with a timeout, with data, and with two fds; TCP connect/accept over
 * loopback with send/recv, readv/writev, sendmsg/recvmsg; UDP
 * sendto/recvfrom; coro_op_blocking; coro_op_wait_fd; and a bad fd gives
 * -1/EBADF; four coroutines parked in accept on one listener all get a
 * connection; short reads of a stream socket (the next read may park
 * without trying, poll.h SHORT READS) lose no bytes and no wake-up while a
 * plain thread writes small messages at irregular gaps.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#include "net_test.h"
#include "timer.h"   /* coro_timer_next: are stale deadline timers left behind? */

/* ---- pipe: reader parks, writer wakes it ---- */
static int pipefd[2];

typedef struct {
    coro_frame hdr;
    ssize_t n;
    char buf[16];
} preader_frame;

static coro_status preader_resume(coro_frame *self) {
    preader_frame *f = (preader_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_read(&f->hdr, &f->n, pipefd[0], f->buf, sizeof f->buf));
    CHECK_EQ(f->n, 5);
    CHECK(memcmp(f->buf, "hello", 5) == 0);
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int r;
    ssize_t n;
} pwriter_frame;

static coro_status pwriter_resume(coro_frame *self) {
    pwriter_frame *f = (pwriter_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    coro_spawn(rt_frame(sizeof(preader_frame), preader_resume), "reader");
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 20));   /* the reader has parked by now */
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_write(&f->hdr, &f->n, pipefd[1], "hello", 5));
    CHECK_EQ(f->n, 5);
    return CORO_DONE;
}

static void phase_pipe(void) {
    CHECK_EQ(pipe(pipefd), 0);
    pwriter_frame root;
    rt_frame_init(&root.hdr, sizeof root, pwriter_resume);
    rt_run(&root.hdr);
    close(pipefd[0]);
    close(pipefd[1]);
}

/* ---- socketpair bulk transfer: writes park when the buffer is full ---- */
#define BULK (4 << 20)
static int sp[2];
static unsigned char *bulk_src;

typedef struct {
    coro_frame hdr;
    size_t off;
    ssize_t n;
    unsigned char buf[65536];
    int r;
} bulk_reader_frame;

static coro_status bulk_reader_resume(coro_frame *self) {
    bulk_reader_frame *f = (bulk_reader_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    while (f->off < BULK) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_read(&f->hdr, &f->n, sp[1], f->buf, sizeof f->buf));
        if (f->n <= 0) break;
        if (memcmp(f->buf, bulk_src + f->off, (size_t)f->n) != 0) CHECK(!"bulk data corrupted");
        f->off += (size_t)f->n;
    }
    CHECK_EQ(f->off, BULK);
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_close(&f->hdr, &f->r, sp[1]));
    CHECK_EQ(f->r, 0);
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    size_t off;
    ssize_t n;
    int r;
} bulk_writer_frame;

static coro_status bulk_writer_resume(coro_frame *self) {
    bulk_writer_frame *f = (bulk_writer_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    coro_spawn(rt_frame(sizeof(bulk_reader_frame), bulk_reader_resume), "bulk reader");
    while (f->off < BULK) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_write(&f->hdr, &f->n, sp[0], bulk_src + f->off, BULK - f->off));
        CHECK(f->n > 0);
        if (f->n <= 0) break;
        f->off += (size_t)f->n;
    }
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_close(&f->hdr, &f->r, sp[0]));
    return CORO_DONE;
}

static void phase_bulk(void) {
    bulk_src = malloc(BULK);
    for (size_t i = 0; i < BULK; i++) bulk_src[i] = (unsigned char)(i * 7 + (i >> 11));
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
    bulk_writer_frame root;
    rt_frame_init(&root.hdr, sizeof root, bulk_writer_resume);
    rt_run(&root.hdr);
    free(bulk_src);
}

/* ---- deadlines ---- */
typedef struct {
    coro_frame hdr;
    ssize_t n;
    char buf[8];
    int r;
    int64_t start;
    struct pollfd pfd;
} deadline_frame;

static coro_status deadline_resume(coro_frame *self) {
    deadline_frame *f = (deadline_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    default: BAD_STATE(f);
    }
    CHECK_EQ(coro_set_deadline(30), 0);
    f->start = rt_now_ns();
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_read(&f->hdr, &f->n, pipefd[0], f->buf, sizeof f->buf));
    CHECK_EQ(f->n, -1);
    CHECK_EQ(errno, ETIMEDOUT);
    CHECK(rt_now_ns() - f->start >= 30000000);
    /* still past the deadline: fails at once */
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_read(&f->hdr, &f->n, pipefd[0], f->buf, sizeof f->buf));
    CHECK_EQ(f->n, -1);
    CHECK_EQ(errno, ETIMEDOUT);
    CHECK_EQ(coro_set_deadline(-1), 0);
    /* poll with a timeout and no data: 0 after the timeout */
    f->pfd = (struct pollfd){.fd = pipefd[0], .events = POLLIN};
    f->start = rt_now_ns();
    f->hdr.state = 3;
S3:
    CORO_OP(coro_op_poll(&f->hdr, &f->r, &f->pfd, 1, 25));
    CHECK_EQ(f->r, 0);
    CHECK(rt_now_ns() - f->start >= 25000000);
    /* poll with data: 1, POLLIN */
    CHECK_EQ(write(pipefd[1], "x", 1), 1);
    f->hdr.state = 4;
S4:
    CORO_OP(coro_op_poll(&f->hdr, &f->r, &f->pfd, 1, 1000));
    CHECK_EQ(f->r, 1);
    CHECK(f->pfd.revents & POLLIN);
    return CORO_DONE;
}

static void phase_deadline_poll(void) {
    CHECK_EQ(pipe(pipefd), 0);
    deadline_frame root;
    rt_frame_init(&root.hdr, sizeof root, deadline_resume);
    rt_run(&root.hdr);
    CHECK_EQ(coro_set_deadline(10), -1);   /* off the scheduler */
    close(pipefd[0]);
    close(pipefd[1]);
}

/* ---- regular file on the blocking pool; poll of two fds; coro_op_blocking ---- */
static char tmpname[64];

static void add_one(void *arg) { *(int *)arg += 1; }

typedef struct {
    coro_frame hdr;
    int fd, r, value;
    ssize_t n;
    char buf[32];
    struct pollfd pfds[2];
} file_frame;

static coro_status file_resume(coro_frame *self) {
    file_frame *f = (file_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    case 5: goto S5;
    default: BAD_STATE(f);
    }
    f->fd = open(tmpname, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(f->fd >= 0);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_write(&f->hdr, &f->n, f->fd, "regular file", 12));
    CHECK_EQ(f->n, 12);
    lseek(f->fd, 0, SEEK_SET);
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_read(&f->hdr, &f->n, f->fd, f->buf, sizeof f->buf));
    CHECK_EQ(f->n, 12);
    CHECK(memcmp(f->buf, "regular file", 12) == 0);
    f->hdr.state = 3;
S3:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));
    CHECK_EQ(f->r, 0);

    /* two fds: the real poll(2) on the pool */
    CHECK_EQ(write(pipefd[1], "y", 1), 1);
    f->pfds[0] = (struct pollfd){.fd = sp[0], .events = POLLIN};
    f->pfds[1] = (struct pollfd){.fd = pipefd[0], .events = POLLIN};
    f->hdr.state = 4;
S4:
    CORO_OP(coro_op_poll(&f->hdr, &f->r, f->pfds, 2, 1000));
    CHECK_EQ(f->r, 1);
    CHECK(f->pfds[1].revents & POLLIN);

    f->value = 41;
    f->hdr.state = 5;
S5:
    CORO_OP(coro_op_blocking(&f->hdr, add_one, &f->value));
    CHECK_EQ(f->value, 42);
    return CORO_DONE;
}

static void phase_file_pool(void) {
    snprintf(tmpname, sizeof tmpname, "/tmp/coro_test_io_%d", (int)getpid());
    CHECK_EQ(pipe(pipefd), 0);
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
    file_frame root;
    rt_frame_init(&root.hdr, sizeof root, file_resume);
    rt_run(&root.hdr);
    unlink(tmpname);
    close(pipefd[0]);
    close(pipefd[1]);
    close(sp[0]);
    close(sp[1]);
}

/* ---- TCP over loopback, UDP ---- */
static int listen_fd;
static struct sockaddr_in listen_addr;

typedef struct {
    coro_frame hdr;
    int fd, r;
    ssize_t n;
    char buf[64], a[8], b[8];
    struct iovec iov[2];
    struct msghdr msg;
} server_frame;

static coro_status server_resume(coro_frame *self) {
    server_frame *f = (server_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    case 5: goto S5;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_accept(&f->hdr, &f->fd, listen_fd, NULL, NULL));
    CHECK(f->fd >= 0);
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_recv(&f->hdr, &f->n, f->fd, f->buf, 4, MSG_WAITALL));
    CHECK_EQ(f->n, 4);
    CHECK(memcmp(f->buf, "ping", 4) == 0);
    f->hdr.state = 3;
S3:
    CORO_OP(coro_op_send(&f->hdr, &f->n, f->fd, "pong", 4, 0));
    CHECK_EQ(f->n, 4);
    /* readv of the client's writev "abcd" "efgh" into two 4-byte buffers */
    f->iov[0] = (struct iovec){.iov_base = f->a, .iov_len = 4};
    f->iov[1] = (struct iovec){.iov_base = f->b, .iov_len = 4};
    f->msg = (struct msghdr){.msg_iov = f->iov, .msg_iovlen = 2};
    f->hdr.state = 4;
S4:
    CORO_OP(coro_op_recvmsg(&f->hdr, &f->n, f->fd, &f->msg, MSG_WAITALL));
    CHECK_EQ(f->n, 8);
    CHECK(memcmp(f->a, "abcd", 4) == 0 && memcmp(f->b, "efgh", 4) == 0);
    f->hdr.state = 5;
S5:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int fd, r, u1, u2;
    ssize_t n;
    char buf[64];
    struct iovec iov[2];
    struct sockaddr_in from;
    socklen_t fromlen;
} client_frame;

static coro_status client_resume(coro_frame *self) {
    client_frame *f = (client_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    case 5: goto S5;
    case 6: goto S6;
    case 7: goto S7;
    case 8: goto S8;
    case 9: goto S9;
    default: BAD_STATE(f);
    }
    coro_spawn(rt_frame(sizeof(server_frame), server_resume), "server");
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_connect(&f->hdr, &f->r, f->fd, (struct sockaddr *)&listen_addr, sizeof listen_addr));
    CHECK_EQ(f->r, 0);
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_write(&f->hdr, &f->n, f->fd, "ping", 4));
    CHECK_EQ(f->n, 4);
    f->hdr.state = 3;
S3:
    CORO_OP(coro_op_read(&f->hdr, &f->n, f->fd, f->buf, 4));
    CHECK_EQ(f->n, 4);
    CHECK(memcmp(f->buf, "pong", 4) == 0);
    f->iov[0] = (struct iovec){.iov_base = "abcd", .iov_len = 4};
    f->iov[1] = (struct iovec){.iov_base = "efgh", .iov_len = 4};
    f->hdr.state = 4;
S4:
    CORO_OP(coro_op_writev(&f->hdr, &f->n, f->fd, f->iov, 2));
    CHECK_EQ(f->n, 8);
    /* the server closes: read sees EOF */
    f->hdr.state = 5;
S5:
    CORO_OP(coro_op_read(&f->hdr, &f->n, f->fd, f->buf, sizeof f->buf));
    CHECK_EQ(f->n, 0);
    f->hdr.state = 6;
S6:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));

    /* UDP: sendto / recvfrom between two sockets on loopback */
    f->u1 = socket(AF_INET, SOCK_DGRAM, 0);
    f->u2 = socket(AF_INET, SOCK_DGRAM, 0);
    {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        CHECK_EQ(bind(f->u2, (struct sockaddr *)&a, sizeof a), 0);
        socklen_t len = sizeof f->from;
        getsockname(f->u2, (struct sockaddr *)&f->from, &len);
    }
    f->hdr.state = 7;
S7:
    CORO_OP(coro_op_sendto(&f->hdr, &f->n, f->u1, "dgram", 5, 0, (struct sockaddr *)&f->from, sizeof f->from));
    CHECK_EQ(f->n, 5);
    f->fromlen = sizeof f->from;
    f->hdr.state = 8;
S8:
    CORO_OP(coro_op_recvfrom(&f->hdr, &f->n, f->u2, f->buf, sizeof f->buf, 0, (struct sockaddr *)&f->from, &f->fromlen));
    CHECK_EQ(f->n, 5);
    CHECK(memcmp(f->buf, "dgram", 5) == 0);
    CHECK_EQ(f->from.sin_family, AF_INET);
    close(f->u1);
    f->hdr.state = 9;
S9:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->u2));
    return CORO_DONE;
}

static void phase_tcp_udp(void) {
    listen_fd = net_listen_loopback(&listen_addr, 16);
    client_frame root;
    rt_frame_init(&root.hdr, sizeof root, client_resume);
    rt_run(&root.hdr);
    close(listen_fd);
}

/* ---- connect refused; bad fds; wait_fd ---- */
typedef struct {
    coro_frame hdr;
    int fd, r;
    ssize_t n;
    char buf[4];
    struct sockaddr_in addr;
} errors_frame;

static coro_status errors_resume(coro_frame *self) {
    errors_frame *f = (errors_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    default: BAD_STATE(f);
    }
    /* a port nobody listens on: bind one, close it, connect to it */
    {
        int tmp = socket(AF_INET, SOCK_STREAM, 0);
        f->addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        bind(tmp, (struct sockaddr *)&f->addr, sizeof f->addr);
        socklen_t len = sizeof f->addr;
        getsockname(tmp, (struct sockaddr *)&f->addr, &len);
        close(tmp);
    }
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_connect(&f->hdr, &f->r, f->fd, (struct sockaddr *)&f->addr, sizeof f->addr));
    CHECK_EQ(f->r, -1);
    CHECK_EQ(errno, ECONNREFUSED);
    close(f->fd);
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_read(&f->hdr, &f->n, 987, f->buf, sizeof f->buf));
    CHECK_EQ(f->n, -1);
    CHECK_EQ(errno, EBADF);
    f->hdr.state = 3;
S3:
    CORO_OP(coro_op_write(&f->hdr, &f->n, -1, f->buf, sizeof f->buf));
    CHECK_EQ(f->n, -1);
    CHECK_EQ(errno, EBADF);
    /* wait_fd: writable at once; readable once data arrives */
    CHECK_EQ(write(pipefd[1], "z", 1), 1);
    f->hdr.state = 4;
S4:
    CORO_OP(coro_op_wait_fd(&f->hdr, &f->r, pipefd[0], POLLIN));
    CHECK_EQ(f->r, 0);
    return CORO_DONE;
}

static void phase_errors(void) {
    CHECK_EQ(pipe(pipefd), 0);
    errors_frame root;
    rt_frame_init(&root.hdr, sizeof root, errors_resume);
    rt_run(&root.hdr);
    close(pipefd[0]);
    close(pipefd[1]);
}

/* ---- wait_fd: deadline, then closed under it ---- */
static int wfd[2];

typedef struct {
    coro_frame hdr;
    int r;
} waitfd_frame;

static coro_status waitfd_resume(coro_frame *self) {
    waitfd_frame *f = (waitfd_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    CHECK_EQ(coro_set_deadline(15), 0);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_wait_fd(&f->hdr, &f->r, wfd[0], POLLIN));
    CHECK_EQ(f->r, -1);
    CHECK_EQ(errno, ETIMEDOUT);
    CHECK_EQ(coro_set_deadline(-1), 0);
    CHECK_EQ(rt_spawn_closer(wfd[0], 20), 0);
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_wait_fd(&f->hdr, &f->r, wfd[0], POLLIN));
    CHECK_EQ(f->r, -1);
    CHECK_EQ(errno, EBADF);
    return CORO_DONE;
}

static void phase_wait_fd(void) {
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, wfd), 0);
    waitfd_frame root;
    rt_frame_init(&root.hdr, sizeof root, waitfd_resume);
    rt_run(&root.hdr);
    close(wfd[1]);
}

/* ---- fd 0 goes to the blocking pool and keeps its blocking mode ---- */
static int stdin_pipe[2];

typedef struct {
    coro_frame hdr;
    int r;
    ssize_t n;
} stdin_writer_frame;

static coro_status stdin_writer_resume(coro_frame *self) {
    stdin_writer_frame *f = (stdin_writer_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 20));   /* the reader waits on the pool meanwhile */
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_write(&f->hdr, &f->n, stdin_pipe[1], "typed", 5));
    CHECK_EQ(f->n, 5);
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    ssize_t n;
    char buf[16];
} stdin_reader_frame;

static coro_status stdin_reader_resume(coro_frame *self) {
    stdin_reader_frame *f = (stdin_reader_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    CHECK_EQ(coro_spawn(rt_frame(sizeof(stdin_writer_frame), stdin_writer_resume), "typist"), 0);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_read(&f->hdr, &f->n, 0, f->buf, sizeof f->buf));
    CHECK_EQ(f->n, 5);
    CHECK(memcmp(f->buf, "typed", 5) == 0);
    return CORO_DONE;
}

static void phase_stdin(void) {
    int saved = dup(0);
    CHECK_EQ(pipe(stdin_pipe), 0);
    CHECK_EQ(dup2(stdin_pipe[0], 0), 0);
    stdin_reader_frame root;
    rt_frame_init(&root.hdr, sizeof root, stdin_reader_resume);
    rt_run(&root.hdr);
    CHECK_EQ(fcntl(0, F_GETFL) & O_NONBLOCK, 0);   /* shared with the parent: left blocking */
    dup2(saved, 0);
    close(saved);
    close(stdin_pipe[0]);
    close(stdin_pipe[1]);
}

/* ---- I/O that completes before its deadline leaves no timer behind ---- */
#define DEADLINE_ROUNDS 100
static int dpipe[2];

typedef struct {
    coro_frame hdr;
    int i, r;
    ssize_t n;
} dwriter_frame;

static coro_status dwriter_resume(coro_frame *self) {
    dwriter_frame *f = (dwriter_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    for (f->i = 0; f->i < DEADLINE_ROUNDS; f->i++) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_usleep(&f->hdr, &f->r, 200));   /* the reader parks meanwhile */
        f->hdr.state = 2;
    S2:
        CORO_OP(coro_op_write(&f->hdr, &f->n, dpipe[1], "d", 1));
    }
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int i;
    ssize_t n;
    char c;
} dreader_frame;

static coro_status dreader_resume(coro_frame *self) {
    dreader_frame *f = (dreader_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    CHECK_EQ(coro_spawn(rt_frame(sizeof(dwriter_frame), dwriter_resume), "writer"), 0);
    CHECK_EQ(coro_set_deadline(60000), 0);
    for (f->i = 0; f->i < DEADLINE_ROUNDS; f->i++) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_read(&f->hdr, &f->n, dpipe[0], &f->c, 1));
        CHECK_EQ(f->n, 1);
    }
    /* the writer has finished its last sleep: only our cancelled deadlines could remain */
    CHECK_EQ(coro_timer_next(), 0);
    return CORO_DONE;
}

static void phase_deadline_cancelled(void) {
    CHECK_EQ(pipe(dpipe), 0);
    dreader_frame root;
    rt_frame_init(&root.hdr, sizeof root, dreader_resume);
    rt_run(&root.hdr);
    close(dpipe[0]);
    close(dpipe[1]);
}

/* ---- several coroutines waiting on one fd: 4 acceptors on one listener ---- */
#define ACCEPTORS 4
static int accepted;   /* atomic */

typedef struct {
    coro_frame hdr;
    int fd, r;
} acceptor_frame;

static coro_status acceptor_resume(coro_frame *self) {
    acceptor_frame *f = (acceptor_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_accept(&f->hdr, &f->fd, listen_fd, NULL, NULL));
    CHECK(f->fd >= 0);
    __atomic_add_fetch(&accepted, 1, __ATOMIC_RELAXED);
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int i, r;
    int fds[ACCEPTORS];
} connector_frame;

static coro_status connector_resume(coro_frame *self) {
    connector_frame *f = (connector_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    default: BAD_STATE(f);
    }
    for (f->i = 0; f->i < ACCEPTORS; f->i++)
        CHECK_EQ(coro_spawn(rt_frame(sizeof(acceptor_frame), acceptor_resume), "acceptor"), 0);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 20));   /* all four are parked on the listener */
    for (f->i = 0; f->i < ACCEPTORS; f->i++) {
        f->fds[f->i] = socket(AF_INET, SOCK_STREAM, 0);
        f->hdr.state = 2;
    S2:
        CORO_OP(coro_op_connect(&f->hdr, &f->r, f->fds[f->i], (struct sockaddr *)&listen_addr, sizeof listen_addr));
        CHECK_EQ(f->r, 0);
    }
    for (f->i = 0; f->i < ACCEPTORS; f->i++) {
        f->hdr.state = 3;
    S3:
        CORO_OP(coro_op_close(&f->hdr, &f->r, f->fds[f->i]));
    }
    return CORO_DONE;
}

static void phase_many_waiters(void) {
    listen_fd = net_listen_loopback(&listen_addr, 16);
    accepted = 0;
    connector_frame root;
    rt_frame_init(&root.hdr, sizeof root, connector_resume);
    rt_run(&root.hdr);
    CHECK_EQ(accepted, ACCEPTORS);
    close(listen_fd);
}

/* ---- short reads: a stream socket fed in small messages by a plain thread ---- */
static int short_fds[2];
static long short_msgs;

/* Messages are the numbers 0..short_msgs-1 as 8-byte words, written one at a
 * time with a pause every third: reads come back short (8..24 bytes of 64),
 * and data lands before, during and after the reader's next read. */
static void *short_writer(void *arg) {
    (void)arg;
    for (long i = 0; i < short_msgs; i++) {
        uint64_t v = (uint64_t)i;
        CHECK_EQ(write(short_fds[1], &v, sizeof v), (ssize_t)sizeof v);
        if (i % 3 == 0) usleep(20);
    }
    return NULL;
}

typedef struct {
    coro_frame hdr;
    ssize_t n;
    long got, reads;   /* bytes received, reads made */
    int r;
    uint64_t next;     /* the word expected next */
    unsigned char partial[8];
    char buf[64];
} shortreader_frame;

static coro_status shortreader_resume(coro_frame *self) {
    shortreader_frame *f = (shortreader_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    while (f->got < short_msgs * 8) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_read(&f->hdr, &f->n, short_fds[0], f->buf, sizeof f->buf));
        if (f->n <= 0) {
            CHECK(f->n > 0);
            return CORO_DONE;
        }
        for (ssize_t i = 0; i < f->n; i++) {
            f->partial[f->got % 8] = (unsigned char)f->buf[i];
            f->got++;
            if (f->got % 8 == 0) {
                uint64_t v;
                memcpy(&v, f->partial, sizeof v);
                if (v != f->next) CHECK_EQ(v, f->next);
                f->next = v + 1;
            }
        }
        /* now and then let the poller see an edge while nobody waits */
        if (++f->reads % 97 == 0) {
            f->hdr.state = 2;
        S2:
            CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 1));
        }
    }
    CHECK_EQ(f->next, (uint64_t)short_msgs);
    return CORO_DONE;
}

static void phase_short_reads(void) {
    short_msgs = rt_scale(20000);
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, short_fds), 0);
    pthread_t writer;
    CHECK_EQ(pthread_create(&writer, NULL, short_writer, NULL), 0);
    shortreader_frame root;
    rt_frame_init(&root.hdr, sizeof root, shortreader_resume);
    rt_run(&root.hdr);
    pthread_join(writer, NULL);
    close(short_fds[0]);
    close(short_fds[1]);
}

int main(void) {
    rt_phase("pipe reader parks until the writer writes", phase_pipe);
    rt_phase("4 MB through a socketpair", phase_bulk);
    rt_phase("deadline ETIMEDOUT, poll timeout and data", phase_deadline_poll);
    rt_phase("regular file, two-fd poll and coro_op_blocking on the pool", phase_file_pool);
    rt_phase("TCP connect/accept/send/recv/writev/recvmsg, UDP", phase_tcp_udp);
    rt_phase("connect refused, bad fds, wait_fd", phase_errors);
    rt_phase("wait_fd: deadline ETIMEDOUT, closed under it EBADF", phase_wait_fd);
    rt_phase("4 coroutines accept on one listener", phase_many_waiters);
    rt_phase("completed I/O cancels its deadline timer", phase_deadline_cancelled);
    rt_phase("short reads of a stream socket lose no bytes or wake-ups", phase_short_reads);
    rt_phase("fd 0 is read on the blocking pool and stays blocking", phase_stdin);
    return rt_finish();
}
