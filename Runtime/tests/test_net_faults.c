/*
 * test_net_faults.c — the network fault and scale suite of issue 12, on
 * loopback, against a server made of the runtime's own coroutines.
 *
 * The server runs in this process (stackful coroutines over io.c's ops, one
 * acceptor and one handler per connection); the clients run in a forked
 * child process (plain blocking C, no runtime), so that the server's fd
 * count and RSS are its own and 10,000 connections fit RLIMIT_NOFILE (each
 * side holds one fd per connection).  A client connection starts with one
 * mode byte that says what the server's handler does:
 *
 *   'e'  echo until EOF, then close              (hold, slow/fast, half-close)
 *   'o'  echo one byte, then close               (EMFILE)
 *   'r'  read 1,000 bytes (the client resets after 100: mid-read)
 *   'w'  write 8 MiB with write (the client resets after reading a little:
 *        mid-write)
 *   'v'  the same with writev (which, unlike write, was not sent with
 *        MSG_NOSIGNAL: the write after the reset's ECONNRESET, which fails
 *        with EPIPE, killed the process by SIGPIPE)
 *   Both write once more after the first failure, as a program may.
 *   'h'  send "hello", shutdown(SHUT_WR), read until EOF (server half-close)
 *   none the client never sends: the mode read times out (deadline IDLE_MS)
 *
 * Phases (sizes are rt_scale(base): make test base, make test-long 10x):
 *   hold        N = 1,000 (10,000) connections on ONE worker, all parked at
 *               once; RSS per connection; then each echoes a byte.  Run
 *               twice: stackless handlers (a frame as coroc emits it,
 *               sl_resume), then stackful ones
 *   slow        S = 100 (1,000) clients sending a byte every 100 ms while 4
 *               fast clients do round trips; the fast clients' p50/p99
 *   faults      resets mid-read and mid-write, half-close both ways, clients
 *               that connect and never send, all at once
 *   emfile      RLIMIT_NOFILE lowered to 4 above the fds in use; M = 200
 *               (2,000) clients connect and wait, so accept fails with
 *               EMFILE (-1/errno to the acceptor, which sleeps 2 ms and
 *               retries) with M-4 connections pending; then the clients
 *               send, handlers close, accept recovers; every client served
 *
 * Every phase checks: /proc/self/fd has as many entries after as before; every
 * failed call returned -1 with an errno from the expected set (tallied and
 * printed); nothing hangs (every coroutine has an I/O deadline, the child an
 * alarm, make's run-tests a timeout).  Printed "RESULT name value" lines are
 * what docs/network.md's table is made from.  Wall time is printed, never
 * asserted.
 */
#define CORO_STACKFUL_ERRNO 1
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net_test.h"

enum { IDLE_MS = 300, IO_DEADLINE_MS = 30000, BIG = 8 << 20, CHUNK = 64 << 10, FAST = 4 };

/* ---- accounting ---- */

static int errs[256];            /* errno tally of failed calls, server side (atomic) */
static int bad_returns;          /* a failure that was not -1 (atomic) */
static long accepted, finished;  /* connections accepted / handlers done (atomic) */
static long half_bytes;          /* bytes the 'h' handlers read after their shutdown (atomic) */

static void tally(long r) {
    if (r == -1) __atomic_add_fetch(&errs[errno & 255], 1, __ATOMIC_RELAXED);
    else __atomic_add_fetch(&bad_returns, 1, __ATOMIC_RELAXED);
}

/* The errors a phase may see; anything else is a failed check. */
static void check_errors(const char *phase, const int *allowed, int nallowed) {
    printf("RESULT %s_errors", phase);
    for (int e = 1; e < 256; e++) {
        int n = __atomic_exchange_n(&errs[e], 0, __ATOMIC_RELAXED);
        if (!n) continue;
        int ok = 0;
        for (int i = 0; i < nallowed; i++) ok |= allowed[i] == e;
        printf(" %s=%d", strerrorname_np(e), n);
        if (!ok) {
            fprintf(stderr, "%s: unexpected errno %s x%d\n", phase, strerrorname_np(e), n);
            CHECK(ok);
        }
    }
    printf("\n");
    CHECK_EQ(__atomic_exchange_n(&bad_returns, 0, __ATOMIC_RELAXED), 0);
}

static int fd_count(void) {
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    if (!d) return -1;
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n - 3;   /* ".", ".." and the directory's own fd */
}

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
        fclose(f);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static long now_ms(void) { return (long)(rt_now_ns() / 1000000); }

/* ---- the server (coroutines in this process) ---- */

static int listen_fd;
static struct sockaddr_in addr;
static int emfile_seen;   /* atomic: set by the acceptor's first EMFILE */

static ssize_t read_full(int fd, char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = coro_read(fd, buf + got, n - got);
        if (r <= 0) return r < 0 ? -1 : (ssize_t)got;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static void echo_until_eof(int fd, int once) {
    char buf[4096];
    for (;;) {
        ssize_t n = coro_read(fd, buf, once ? 1 : sizeof buf);
        if (n < 0) tally(n);
        if (n <= 0) return;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = coro_write(fd, buf + off, (size_t)(n - off));
            if (w < 0) { tally(w); return; }
            off += w;
        }
        if (once) return;
    }
}

static long mode_deadline_ms = IO_DEADLINE_MS;   /* IDLE_MS in the faults phase */

static void handler(void *arg) {
    int fd = (int)(intptr_t)arg;
    coro_set_deadline(mode_deadline_ms);   /* for the mode byte: an idle client is dropped */
    char mode;
    ssize_t n = coro_read(fd, &mode, 1);
    coro_set_deadline(IO_DEADLINE_MS);
    if (n != 1) {
        if (n < 0) tally(n);
        mode = 0;
    }
    static char big[CHUNK];
    char buf[1000];
    switch (mode) {
    case 'e': echo_until_eof(fd, 0); break;
    case 'o': echo_until_eof(fd, 1); break;
    case 'r': {
        ssize_t r = read_full(fd, buf, sizeof buf);
        if (r < 0) tally(r);
        CHECK(r < (ssize_t)sizeof buf);   /* the client reset after 100 */
        break;
    }
    case 'w':
    case 'v':
        for (long sent = 0; sent < BIG;) {
            struct iovec iov[2] = {{big, CHUNK / 2}, {big, CHUNK / 2}};
            ssize_t w = mode == 'v' ? coro_writev(fd, iov, 2) : coro_write(fd, big, CHUNK);
            if (w < 0) {
                /* The first failure after a reset is ECONNRESET; a program
                 * that writes again gets EPIPE, which must not be SIGPIPE. */
                tally(w);
                w = mode == 'v' ? coro_writev(fd, iov, 2) : coro_write(fd, big, CHUNK);
                CHECK(w < 0);
                tally(w);
                break;
            }
            sent += w;
        }
        break;
    case 'h': {
        if (coro_write(fd, "hello", 5) != 5 || shutdown(fd, SHUT_WR) != 0) { tally(-1); break; }
        ssize_t r;
        while ((r = coro_read(fd, buf, sizeof buf)) > 0) __atomic_add_fetch(&half_bytes, r, __ATOMIC_RELAXED);
        if (r < 0) tally(r);
        break;
    }
    }
    if (coro_close(fd) != 0) tally(-1);
    __atomic_add_fetch(&finished, 1, __ATOMIC_RELAXED);
}

/* The 'e' handler as a stackless frame, written as coroc translates (for
 * the hold phase's memory per connection without a stack). */
typedef struct sl_frame {
    coro_frame hdr;
    int fd, r;
    char mode;
    ssize_t n, off, w;
    char buf[64];
} sl_frame;

static coro_status sl_resume(coro_frame *self) {
    sl_frame *f = (sl_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    default: BAD_STATE(f);
    }
    coro_set_deadline(mode_deadline_ms);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_read(&f->hdr, &f->n, f->fd, &f->mode, 1));
    coro_set_deadline(IO_DEADLINE_MS);
    if (f->n != 1) {
        if (f->n < 0) tally(f->n);
        goto out;
    }
    CHECK(f->mode == 'e');
    for (;;) {
        f->hdr.state = 2;
    S2:
        CORO_OP(coro_op_read(&f->hdr, &f->n, f->fd, f->buf, sizeof f->buf));
        if (f->n < 0) tally(f->n);
        if (f->n <= 0) break;
        for (f->off = 0; f->off < f->n; f->off += f->w) {
            f->hdr.state = 3;
        S3:
            CORO_OP(coro_op_write(&f->hdr, &f->w, f->fd, f->buf + f->off, (size_t)(f->n - f->off)));
            if (f->w < 0) {
                tally(f->w);
                goto out;
            }
        }
    }
out:
    f->hdr.state = 4;
S4:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));
    if (f->r != 0) tally(-1);
    __atomic_add_fetch(&finished, 1, __ATOMIC_RELAXED);
    return CORO_DONE;
}

static int stackless_handlers;   /* the hold phase's second run */

/* Accept until the listening socket is closed.  EMFILE/ENFILE: count it,
 * let handlers free fds, retry. */
static void acceptor(void *arg) {
    (void)arg;
    for (;;) {
        int fd = coro_accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            int e = errno;
            if (e == EBADF || e == EINVAL) return;   /* closed by the phase: done */
            tally(fd);
            if (e == EMFILE || e == ENFILE) {
                __atomic_store_n(&emfile_seen, 1, __ATOMIC_RELAXED);
                coro_sleep_ms(2);
                continue;
            }
            if (e == ECONNABORTED) continue;
            return;
        }
        __atomic_add_fetch(&accepted, 1, __ATOMIC_RELAXED);
        if (stackless_handlers) {
            sl_frame *f = (sl_frame *)rt_frame(sizeof(sl_frame), sl_resume);
            f->fd = fd;
            rt_spawn(&f->hdr, "sl_handler");
            continue;
        }
        if (coro_go_stackful(handler, (void *)(intptr_t)fd, "handler") != 0) {
            tally(-1);
            close(fd);
            __atomic_add_fetch(&finished, 1, __ATOMIC_RELAXED);
        }
    }
}

/* Wait (sleeping) until *counter reaches want or the phase's time is up. */
static int wait_count(long *counter, long want, long limit_ms) {
    long end = now_ms() + limit_ms;
    while (__atomic_load_n(counter, __ATOMIC_RELAXED) < want && now_ms() < end) coro_sleep_ms(5);
    return __atomic_load_n(counter, __ATOMIC_RELAXED) >= want;
}

/* ---- the client process ---- */

typedef struct phase_ctl {
    int to_child[2], from_child[2];
    pid_t pid;
} phase_ctl;

static int client_connect(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { close(fd); return -1; }
    return fd;
}

static void reset_close(int fd) {
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

static int send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Fork the client side: it runs body(ctl) and _exits with its result
 * (0 = everything as expected).  It dies with us and by an alarm. */
static void start_child(phase_ctl *c, int (*body)(phase_ctl *)) {
    CHECK_EQ(pipe(c->to_child), 0);
    CHECK_EQ(pipe(c->from_child), 0);
    fflush(stdout);
    c->pid = fork();
    CHECK(c->pid >= 0);
    if (c->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        alarm(90);
        close(c->to_child[1]);
        close(c->from_child[0]);
        close(listen_fd);
        _exit(body(c));
    }
    close(c->to_child[0]);
    close(c->from_child[1]);
}

static void finish_child(phase_ctl *c, const char *phase) {
    close(c->to_child[1]);
    close(c->from_child[0]);
    int st = 0;
    CHECK_EQ(waitpid(c->pid, &st, 0), c->pid);
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) fprintf(stderr, "%s: client process status 0x%x\n", phase, st);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void child_say(phase_ctl *c, char x) { (void)!write(c->from_child[1], &x, 1); }
static char child_hear(phase_ctl *c) {
    char x = 0;
    return read(c->to_child[0], &x, 1) == 1 ? x : 0;
}

/* ---- phase: hold N connections on one worker ---- */

static long hold_n;

static int hold_client(phase_ctl *c) {
    int *fds = malloc(sizeof(int) * (size_t)hold_n);
    for (long i = 0; i < hold_n; i++)
        if ((fds[i] = client_connect()) < 0) return 10;
    child_say(c, 'C');
    if (child_hear(c) != 'g') return 11;
    for (long i = 0; i < hold_n; i++)
        if (send_all(fds[i], "ex", 2) != 0) return 12;
    int bad = 0;
    for (long i = 0; i < hold_n; i++) {
        char x = 0;
        if (recv(fds[i], &x, 1, MSG_WAITALL) != 1 || x != 'x') bad++;
        close(fds[i]);
    }
    return bad ? 13 : 0;
}

static void server_main(void *arg) {
    void (*phase_body)(void) = (void (*)(void))arg;
    coro_set_deadline(IO_DEADLINE_MS);
    CHECK_EQ(coro_go_stackful(acceptor, NULL, "acceptor"), 0);
    phase_body();
    coro_close(listen_fd);   /* wakes the acceptor with EBADF */
}

static phase_ctl ctl;

static void hold_body(void) {
    long rss0 = rss_kb();
    char x = 0;
    CHECK(coro_read(ctl.from_child[0], &x, 1) == 1 && x == 'C');
    CHECK(wait_count(&accepted, hold_n, 60000));
    coro_sleep_ms(200);   /* every handler parks in its first read */
    long rss1 = rss_kb();
    const char *kind = stackless_handlers ? "stackless" : "stackful";
    printf("RESULT hold_connections %ld\nRESULT hold_%s_rss_kb %ld\nRESULT hold_%s_bytes_per_conn %ld\n", hold_n,
           kind, rss1, kind, (rss1 - rss0) * 1024 / hold_n);
    CHECK(coro_write(ctl.to_child[1], "g", 1) == 1);
    CHECK(wait_count(&finished, hold_n, 60000));
}

static void run_phase(const char *name, int (*client)(phase_ctl *), void (*body)(void), int backlog) {
    accepted = finished = 0;
    int fds0 = fd_count();
    long t0 = now_ms();
    listen_fd = net_listen_loopback(&addr, backlog);
    start_child(&ctl, client);
    CHECK_EQ(coro_run_main_stackful(server_main, (void *)body, "server_main"), 0);
    finish_child(&ctl, name);
    CHECK_EQ(accepted, finished);
    int fds1 = fd_count();
    printf("RESULT %s_fds_before %d\nRESULT %s_fds_after %d\nRESULT %s_ms %ld\n", name, fds0, name, fds1, name,
           now_ms() - t0);
    CHECK_EQ(fds1, fds0);
}

static void phase_hold(void) {
    rt_env_set("CORO_THREADS", "1");
    hold_n = rt_scale(1000);
    static const int allowed[] = {0};
    /* Stackless first: its frames would reuse the heap the stackful run
     * freed and look cheaper than they are.  (The stackful run then reuses
     * their heap for its frames: its number is the stacks' cost, mostly.) */
    stackless_handlers = 1;
    run_phase("hold_sl", hold_client, hold_body, 4096);
    check_errors("hold_sl", allowed, 0);
    stackless_handlers = 0;
    run_phase("hold", hold_client, hold_body, 4096);
    check_errors("hold", allowed, 0);
    rt_env_restore("CORO_THREADS");
}

/* ---- phase: slow clients while fast ones are served ---- */

static long slow_n;
enum { SLOW_BYTES = 10, FAST_ROUNDS = 300 };

typedef struct fast_result {
    long us[FAST_ROUNDS];
    int ok;
} fast_result;

static void *fast_thread(void *arg) {
    fast_result *r = arg;
    int fd = client_connect();
    if (fd < 0 || send_all(fd, "e", 1) != 0) return NULL;
    char msg[32] = "0123456789abcdef0123456789abcde", back[32];
    for (int i = 0; i < FAST_ROUNDS; i++) {
        int64_t t = rt_now_ns();
        if (send_all(fd, msg, sizeof msg) != 0 || recv(fd, back, sizeof back, MSG_WAITALL) != (ssize_t)sizeof back ||
            memcmp(msg, back, sizeof msg) != 0)
            return NULL;
        r->us[i] = (long)((rt_now_ns() - t) / 1000);
        usleep(2000);   /* spread the rounds over the slow clients' second */
    }
    close(fd);
    r->ok = 1;
    return NULL;
}

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static int slow_client(phase_ctl *c) {
    (void)c;
    int *fds = malloc(sizeof(int) * (size_t)slow_n);
    for (long i = 0; i < slow_n; i++)
        if ((fds[i] = client_connect()) < 0 || send_all(fds[i], "e", 1) != 0) return 10;
    static fast_result res[FAST];
    pthread_t th[FAST];
    for (int i = 0; i < FAST; i++) pthread_create(&th[i], NULL, fast_thread, &res[i]);
    int bad = 0;
    for (int b = 0; b < SLOW_BYTES; b++) {   /* a byte each, every 100 ms */
        for (long i = 0; i < slow_n; i++)
            if (send_all(fds[i], "s", 1) != 0) bad++;
        for (long i = 0; i < slow_n; i++) {
            char x = 0;
            if (recv(fds[i], &x, 1, MSG_WAITALL) != 1 || x != 's') bad++;
        }
        usleep(100000);
    }
    for (long i = 0; i < slow_n; i++) close(fds[i]);
    static long all[FAST * FAST_ROUNDS];
    int n = 0;
    for (int i = 0; i < FAST; i++) {
        pthread_join(th[i], NULL);
        if (!res[i].ok) bad++;
        for (int k = 0; k < FAST_ROUNDS && res[i].ok; k++) all[n++] = res[i].us[k];
    }
    if (n > 0) {
        qsort(all, (size_t)n, sizeof all[0], cmp_long);
        printf("RESULT slow_clients %ld\nRESULT fast_round_trips %d\nRESULT fast_p50_us %ld\nRESULT fast_p99_us %ld\n"
               "RESULT fast_max_us %ld\n", slow_n, n, all[n / 2], all[n * 99 / 100], all[n - 1]);
        fflush(stdout);
    }
    return bad ? 11 : 0;
}

static void slow_body(void) { CHECK(wait_count(&finished, slow_n + FAST, 60000)); }

static void phase_slow(void) {
    slow_n = rt_scale(100);
    run_phase("slow", slow_client, slow_body, 4096);
    static const int allowed[] = {0};
    check_errors("slow", allowed, 0);
}

/* ---- phase: resets, half-close both ways, idle clients ---- */

static long fault_k;

static int faults_client(phase_ctl *c) {
    (void)c;
    long k = fault_k;
    int *rd = malloc(sizeof(int) * (size_t)k * 5);
    int *wr = rd + k, *idle = rd + 2 * k, *hc = rd + 3 * k, *hs = rd + 4 * k;   /* wr: 'w' and 'v' by turns */
    char buf[4096];
    int bad = 0;
    for (long i = 0; i < k; i++) {
        /* mid-read: 100 of the 1,000 bytes the server wants, then RST */
        if ((rd[i] = client_connect()) < 0 || send_all(rd[i], "r", 1) || send_all(rd[i], buf, 100)) return 10;
        /* mid-write: the server sends 8 MiB, we read some, then RST */
        if ((wr[i] = client_connect()) < 0 || send_all(wr[i], i % 2 ? "v" : "w", 1)) return 11;
        /* idle: connect, never send */
        if ((idle[i] = client_connect()) < 0) return 12;
        /* client half-close: send, SHUT_WR, read the echo until EOF */
        if ((hc[i] = client_connect()) < 0 || send_all(hc[i], "e", 1) || send_all(hc[i], "half-close", 10) ||
            shutdown(hc[i], SHUT_WR))
            return 13;
        /* server half-close: it sends hello and SHUT_WRs; we then send 1,000 bytes */
        if ((hs[i] = client_connect()) < 0 || send_all(hs[i], "h", 1)) return 14;
    }
    for (long i = 0; i < k; i++) {
        reset_close(rd[i]);
        if (recv(wr[i], buf, sizeof buf, MSG_WAITALL) != (ssize_t)sizeof buf) bad++;
        reset_close(wr[i]);
    }
    for (long i = 0; i < k; i++) {
        ssize_t got = recv(hc[i], buf, sizeof buf, MSG_WAITALL);
        if (got != 10 || memcmp(buf, "half-close", 10) != 0) bad++;
        close(hc[i]);
        got = recv(hs[i], buf, sizeof buf, MSG_WAITALL);   /* "hello" then EOF */
        if (got != 5 || memcmp(buf, "hello", 5) != 0) bad++;
        if (send_all(hs[i], buf, 1000) != 0) bad++;
        close(hs[i]);
    }
    for (long i = 0; i < k; i++) {   /* the server drops idle clients: EOF */
        if (recv(idle[i], buf, 1, 0) != 0) bad++;
        close(idle[i]);
    }
    return bad ? 15 : 0;
}

static void faults_body(void) {
    CHECK(wait_count(&finished, 5 * fault_k, 60000));
    CHECK_EQ(__atomic_exchange_n(&half_bytes, 0, __ATOMIC_RELAXED), 1000 * fault_k);
}

static void phase_faults(void) {
    fault_k = rt_scale(20);
    mode_deadline_ms = IDLE_MS;
    run_phase("faults", faults_client, faults_body, 4096);
    mode_deadline_ms = IO_DEADLINE_MS;
    /* ETIMEDOUT: idle clients (exactly fault_k); ECONNRESET/EPIPE: the resets */
    int to = __atomic_load_n(&errs[ETIMEDOUT], __ATOMIC_RELAXED);
    CHECK_EQ(to, fault_k);
    CHECK(__atomic_load_n(&errs[ECONNRESET], __ATOMIC_RELAXED) + __atomic_load_n(&errs[EPIPE], __ATOMIC_RELAXED) >= fault_k);   /* at least every mid-write reset */
    static const int allowed[] = {ETIMEDOUT, ECONNRESET, EPIPE};
    check_errors("faults", allowed, 3);
}

/* ---- phase: accept at EMFILE ---- */

static long emfile_m;

static int emfile_client(phase_ctl *c) {
    int *fds = malloc(sizeof(int) * (size_t)emfile_m);
    if (child_hear(c) != 'l') return 9;   /* the server's limit is lowered */
    for (long i = 0; i < emfile_m; i++)
        if ((fds[i] = client_connect()) < 0) return 10;
    if (child_hear(c) != 'g') return 11;   /* the server has hit EMFILE */
    for (long i = 0; i < emfile_m; i++)
        if (send_all(fds[i], "ox", 2) != 0) return 12;
    int bad = 0;
    for (long i = 0; i < emfile_m; i++) {
        char x = 0;
        if (recv(fds[i], &x, 1, MSG_WAITALL) != 1 || x != 'x') bad++;
        close(fds[i]);
    }
    return bad ? 13 : 0;
}

/* Lower the limit to 4 fds above those in use; all M clients connect and
 * wait, so the first handlers hold every free fd and accept must fail; only
 * then do the clients send, the handlers finish and close, and accept has
 * to recover. */
static void emfile_body(void) {
    struct rlimit old, low;
    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
    low = old;
    int lowest_free = dup(0);   /* the limit bounds fd numbers, not their count */
    CHECK(lowest_free >= 0);
    close(lowest_free);
    low.rlim_cur = (rlim_t)lowest_free + 4;
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    CHECK(coro_write(ctl.to_child[1], "l", 1) == 1);
    long end = now_ms() + 30000;
    while (!__atomic_load_n(&emfile_seen, __ATOMIC_RELAXED) && now_ms() < end) coro_sleep_ms(5);
    CHECK(__atomic_load_n(&emfile_seen, __ATOMIC_RELAXED));
    CHECK(coro_write(ctl.to_child[1], "g", 1) == 1);
    CHECK(wait_count(&finished, emfile_m, 60000));
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
}

static void phase_emfile(void) {
    emfile_m = rt_scale(200);
    run_phase("emfile", emfile_client, emfile_body, 4096);
    int em = __atomic_load_n(&errs[EMFILE], __ATOMIC_RELAXED);
    printf("RESULT emfile_accept_failures %d (served all %ld)\n", em, emfile_m);
    CHECK(em > 0);
    static const int allowed[] = {EMFILE};
    check_errors("emfile", allowed, 1);
}

static void noop(void *arg) { (void)arg; }

int main(void) {
    /* The poller's own fds (epoll, wake-up eventfd) live as long as the
     * process: create them before the first count. */
    CHECK_EQ(coro_run_main_stackful(noop, NULL, "warm-up"), 0);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    rt_phase("hold N connections on one worker", phase_hold);
    rt_phase("slow clients, fast clients' latency", phase_slow);
    rt_phase("resets mid-read/mid-write, half-close both ways, idle clients", phase_faults);
    rt_phase("accept at EMFILE recovers", phase_emfile);
    return rt_finish();
}
