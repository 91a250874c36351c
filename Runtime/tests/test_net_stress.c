/*
 * test_net_stress.c — 1,000 loopback TCP connections echoing at once.  A
 * server coroutine accepts and spawns one echo coroutine per connection;
 * 1,000 client coroutines connect, write 4 KB with their own pattern in
 * pieces, read the echo back and compare.  RLIMIT_NOFILE is raised to fit
 * 2,000 sockets (the test scales down if the hard limit is lower).
 */
#include <sys/resource.h>
#include <unistd.h>
#include "net_test.h"

#define MSG 4096
#define PIECE 1000

static int nconn;
static int listen_fd;
static struct sockaddr_in addr;
static int echoed_ok;   /* atomic */

typedef struct {
    coro_frame hdr;
    int fd, r;
    ssize_t n;
    char buf[2048];
} echo_frame;

static coro_status echo_resume(coro_frame *self) {
    echo_frame *f = (echo_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    default: BAD_STATE(f);
    }
    for (;;) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_read(&f->hdr, &f->n, f->fd, f->buf, sizeof f->buf));
        if (f->n <= 0) break;
        f->hdr.state = 2;
    S2:
        CORO_OP(coro_op_send(&f->hdr, &f->n, f->fd, f->buf, (size_t)f->n, MSG_WAITALL));
        if (f->n < 0) break;
    }
    CHECK_EQ(f->n, 0);
    f->hdr.state = 3;
S3:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int i, fd;
} server_frame;

static coro_status server_resume(coro_frame *self) {
    server_frame *f = (server_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    for (f->i = 0; f->i < nconn; f->i++) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_accept(&f->hdr, &f->fd, listen_fd, NULL, NULL));
        CHECK(f->fd >= 0);
        if (f->fd < 0) break;
        echo_frame *e = (echo_frame *)rt_frame(sizeof *e, echo_resume);
        e->fd = f->fd;
        CHECK_EQ(coro_spawn(&e->hdr, "echo"), 0);
    }
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int id, fd, r;
    size_t off;
    ssize_t n;
    char out[MSG], in[MSG];
} client_frame;

static coro_status client_resume(coro_frame *self) {
    client_frame *f = (client_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    default: BAD_STATE(f);
    }
    for (int i = 0; i < MSG; i++) f->out[i] = (char)(f->id * 31 + i);
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(f->fd >= 0);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_connect(&f->hdr, &f->r, f->fd, (struct sockaddr *)&addr, sizeof addr));
    CHECK_EQ(f->r, 0);
    if (f->r != 0) goto out;
    for (f->off = 0; f->off < MSG; f->off += (size_t)f->n) {
        f->hdr.state = 2;
    S2:
        CORO_OP(coro_op_write(&f->hdr, &f->n, f->fd, f->out + f->off, MSG - f->off < PIECE ? MSG - f->off : PIECE));
        if (f->n <= 0) goto out;
    }
    for (f->off = 0; f->off < MSG; f->off += (size_t)f->n) {
        f->hdr.state = 3;
    S3:
        CORO_OP(coro_op_read(&f->hdr, &f->n, f->fd, f->in + f->off, MSG - f->off));
        if (f->n <= 0) goto out;
    }
    if (memcmp(f->in, f->out, MSG) == 0) __atomic_add_fetch(&echoed_ok, 1, __ATOMIC_RELAXED);
out:
    f->hdr.state = 4;
S4:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int i;
} root_frame;

static coro_status root_resume(coro_frame *self) {
    root_frame *f = (root_frame *)self;
    CHECK_EQ(coro_spawn(rt_frame(sizeof(server_frame), server_resume), "server"), 0);
    for (f->i = 0; f->i < nconn; f->i++) {
        client_frame *c = (client_frame *)rt_frame(sizeof *c, client_resume);
        c->id = f->i;
        CHECK_EQ(coro_spawn(&c->hdr, "client"), 0);
    }
    return CORO_DONE;
}

static void phase_echo(void) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rlim_t want = 2 * 1000 * (rlim_t)rt_scale(1) + 64;
    if (getenv("CORO_TEST_SANITIZER")) want = 2 * 1000 + 64;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    nconn = (int)((rl.rlim_cur < want ? rl.rlim_cur : want) - 64) / 2;
    printf("     %d connections\n", nconn);

    listen_fd = net_listen_loopback(&addr, 4096);

    echoed_ok = 0;
    root_frame root;
    rt_frame_init(&root.hdr, sizeof root, root_resume);
    rt_run(&root.hdr);
    CHECK_EQ(echoed_ok, nconn);
    close(listen_fd);
}

int main(void) {
    rt_phase("1000 (x CORO_TEST_SCALE) loopback TCP connections echo 4 KB each", phase_echo);
    return rt_finish();
}
