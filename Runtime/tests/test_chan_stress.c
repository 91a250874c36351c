/*
 * test_chan_stress.c — seeded stress: 100,000 coroutines in a chain pass
 * tokens along 100,001 channels (unbuffered and buffered, every 7th relay
 * receiving through a select), run under several CORO_SEED values (one
 * worker, seeded choice of the next task) and with 2 and 4 workers.
 *
 * Each configuration runs in a child process (this program re-executed with
 * --child and the configuration in its environment), because the scheduler
 * reads CORO_THREADS / CORO_SEED when it starts.  A child prints
 * "tokens=K relays=N order=H" where H hashes the order in which the relays
 * finished.  The parent checks every child's result and that the same seed
 * gives the same order twice (replay).
 */
#include <inttypes.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt_test.h"

static int relays = 100000;
static int tokens = 3;
static coro_chan **links;       /* links[i] feeds relay i; links[relays] feeds the sink */
static coro_chan *never;        /* a channel no one sends on: the select's other case */
static uint64_t finish_seq;     /* atomic: relays finished so far */
static uint64_t order_hash;     /* atomic: sum of id * position over finished relays */

/* ---- one relay: receive a token from the left, pass token + 1 to the right ---- */

typedef struct {
    coro_frame hdr;
    int id, k, v, t1;
    coro_select_case cs[2];
} relay_frame;

static coro_status relay_resume(coro_frame *self) {
    relay_frame *f = (relay_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    }
    for (f->k = 0; f->k < tokens; f->k++) {
        if (f->id % 7 == 3) {
            f->cs[0] = (coro_select_case){CORO_SELECT_RECV, never, NULL, 0};
            f->cs[1] = (coro_select_case){CORO_SELECT_RECV, links[f->id], &f->v, 0};
            f->hdr.state = 1;
        S1: CORO_OP(coro_op_select(&f->hdr, &f->t1, f->cs, 2, 0));
            CHECK(f->t1 == 1 && f->cs[1].ok == 1);
        } else {
            f->hdr.state = 2;
        S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, links[f->id], &f->v));
            CHECK(f->t1 == 1);
        }
        f->v = f->v + 1;
        f->hdr.state = 3;
    S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, links[f->id + 1], &f->v));
        CHECK(f->t1 == 0);
    }
    uint64_t pos = __atomic_fetch_add(&finish_seq, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&order_hash, (uint64_t)f->id * (pos + 1), __ATOMIC_RELAXED);
    return CORO_DONE;
}

/* ---- the entry coroutine: spawn the chain, feed tokens, collect them ---- */

typedef struct {
    coro_frame hdr;
    int k, v, t1, good;
} source_frame;

static coro_status source_resume(coro_frame *self) {
    source_frame *f = (source_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    for (int i = 0; i < relays; i++) {
        relay_frame *r = (relay_frame *)rt_frame(sizeof *r, relay_resume);
        r->id = i;
        rt_spawn(&r->hdr, "relay");
    }
    for (f->k = 0; f->k < tokens; f->k++) {
        f->v = f->k * 1000000;
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, links[0], &f->v));
        CHECK(f->t1 == 0);
    }
    for (f->k = 0; f->k < tokens; f->k++) {
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, links[relays], &f->v));
        CHECK(f->t1 == 1 && f->v == f->k * 1000000 + relays); /* FIFO end to end */
        f->good += f->t1 == 1 && f->v == f->k * 1000000 + relays;
    }
    return CORO_DONE;
}

static int run_child(void) {
    tokens *= rt_scale_factor();
    links = calloc((size_t)relays + 1, sizeof *links);
    never = coro_chan_new(sizeof(int), 0);
    if (!links || !never) return 2;
    for (int i = 0; i <= relays; i++) {
        /* mixed: unbuffered, then buffered with 1 and 2 slots */
        links[i] = coro_chan_new(sizeof(int), (size_t)(i % 3));
        if (!links[i]) return 2;
    }
    source_frame *root = (source_frame *)rt_frame(sizeof *root, source_resume);
    if (coro_run_main(&root->hdr, "source") != 0) {
        perror("coro_run_main");
        return 2;
    }
    int good = root->good;
    coro_frame_free(&root->hdr);
    for (int i = 0; i <= relays; i++) coro_chan_free(links[i]);
    free(links);
    coro_chan_free(never);
    CHECK(finish_seq == (uint64_t)relays);
    printf("tokens=%d relays=%d order=%" PRIu64 " good=%d failures=%d\n", tokens, good == tokens ? relays : -1,
           order_hash, good, rt_failures);
    return rt_failures != 0;
}

/* ---- the parent: one child per configuration ---- */

typedef struct {
    const char *name;
    const char *threads; /* CORO_THREADS, or NULL to unset */
    const char *seed;    /* CORO_SEED, or NULL to unset */
} config;

static const config configs[] = {
    {"seed 1", NULL, "1"},
    {"seed 1 again (replays the same order)", NULL, "1"},
    {"seed 2", NULL, "2"},
    {"seed 99", NULL, "99"},
    {"2 workers", "2", NULL},
    {"4 workers", "4", NULL},
};
enum { NCONFIGS = sizeof configs / sizeof configs[0] };

/* Run one configuration; returns 1 if it passed, and its output line. */
static int run_config(const config *c, char *line, size_t cap) {
    int fds[2];
    if (pipe(fds) != 0) return 0;
    pid_t pid = fork();
    if (pid < 0) return 0;
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (c->threads) setenv("CORO_THREADS", c->threads, 1);
        else unsetenv("CORO_THREADS");
        if (c->seed) setenv("CORO_SEED", c->seed, 1);
        else unsetenv("CORO_SEED");
        execl("/proc/self/exe", "test_chan_stress", "--child", (char *)NULL);
        perror("execl");
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t n;
    while (len < cap - 1 && (n = read(fds[0], line + len, cap - 1 - len)) > 0) len += (size_t)n;
    line[len] = 0;
    close(fds[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid) return 0;
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && strstr(line, "relays=100000 ") != NULL;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--child") == 0) return run_child();
    setvbuf(stdout, NULL, _IOLBF, 0);
    char lines[NCONFIGS][256];
    for (int i = 0; i < NCONFIGS; i++) {
        int ok = run_config(&configs[i], lines[i], sizeof lines[i]);
        if (ok && i == 1) { /* the replay must match the first run of seed 1 */
            const char *a = strstr(lines[0], "order="), *b = strstr(lines[1], "order=");
            ok = a && b && strcmp(a, b) == 0;
        }
        char name[512];
        snprintf(name, sizeof name, "%.200s: %.255s", configs[i].name, lines[i]);
        rt_report(name, ok);
    }
    return rt_finish();
}
