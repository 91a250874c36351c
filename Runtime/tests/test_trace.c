/*
 * test_trace.c — CORO_TRACE: a run with channel ping-pong, sleeps and yields
 * on several workers writes a trace-event file holding the events it must
 * (spawns, turns ending in chan recv / chan send / timer / yield / done,
 * readies); a second run rewrites the file with its own events only; a run
 * without CORO_TRACE leaves the file alone; a program that calls exit() from
 * inside a coroutine still writes its trace (at exit).  Under the sanitizer builds of
 * `make test` this also checks the per-thread recording for races and leaks.
 * (The JSON's structure and the park/ready order are checked by the Swift
 * tests: Tests/CorocDriverTests/TraceTests.swift.)
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "rt_test.h"

static coro_chan *ping, *pong;

typedef struct {
    coro_frame hdr;
    int i, v, r;
} player_frame;

/* ponger: receive on ping, answer on pong, 50 times; then sleep and yield */
static coro_status ponger_resume(coro_frame *self) {
    player_frame *f = (player_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    default: BAD_STATE(f);
    }
    for (f->i = 0; f->i < 50; f->i++) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_recv(&f->hdr, &f->r, ping, &f->v));
        CHECK_EQ(f->r, 1);
        f->v++;
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->r, pong, &f->v));
    }
    f->hdr.state = 3;
S3: CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 2));
    f->hdr.state = 4;
S4: CORO_OP(coro_op_yield(&f->hdr));
    return CORO_DONE;
}

/* main: spawn the ponger, ping it 50 times */
static coro_status main_resume(coro_frame *self) {
    player_frame *f = (player_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    rt_spawn(rt_frame(sizeof(player_frame), ponger_resume), "ponger");
    for (f->i = 0; f->i < 50; f->i++) {
        f->v = f->i;
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->r, ping, &f->v));
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->r, pong, &f->v));
        CHECK_EQ(f->v, f->i + 1);
    }
    return CORO_DONE;
}

static char path[64];

/* quitter: yield once, then exit(0) in the middle of the run */
static coro_status quitter_resume(coro_frame *self) {
    player_frame *f = (player_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1: CORO_OP(coro_op_yield(&f->hdr));
    exit(0);
}

static char *slurp(void) {
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = 0;
    fclose(fp);
    return buf;
}

static int count(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++) n++;
    return n;
}

static void run_once(void) {
    ping = coro_chan_new(sizeof(int), 0);
    pong = coro_chan_new(sizeof(int), 0);
    player_frame root;
    rt_frame_init(&root.hdr, sizeof root, main_resume);
    rt_run(&root.hdr);
    coro_chan_free(ping);
    coro_chan_free(pong);
}

static void traced_run_writes_the_events(void) {
    rt_env_set("CORO_TRACE", path);
    run_once();
    rt_env_restore("CORO_TRACE");
    char *t = slurp();
    CHECK(t != NULL);
    if (!t) return;
    CHECK(strncmp(t, "{\"displayTimeUnit\":\"ns\"", 23) == 0);
    CHECK(strstr(t, "\"dropped\":0}") != NULL);
    CHECK(strcmp(t + strlen(t) - 4, "\n]}\n") == 0);
    CHECK_EQ(count(t, "\"name\":\"spawn\""), 2);   /* main and ponger */
    CHECK(count(t, "\"end\":\"chan recv\"") + count(t, "\"end\":\"chan send\"") >= 50);
    CHECK_EQ(count(t, "\"end\":\"timer\""), 1);
    CHECK_EQ(count(t, "\"end\":\"yield\"") + count(t, "\"end\":\"preempt\""), 1);
    CHECK_EQ(count(t, "\"end\":\"done\""), 2);
    /* every park has a ready: 1 timer + the channel parks */
    int parks = count(t, "\"end\":\"chan recv\"") + count(t, "\"end\":\"chan send\"") + 1;
    CHECK_EQ(count(t, "\"name\":\"ready\""), parks);
}

static void second_run_rewrites_the_file(void) {
    rt_env_set("CORO_TRACE", path);
    run_once();
    rt_env_restore("CORO_TRACE");
    char *t = slurp();
    CHECK(t != NULL);
    if (t) CHECK_EQ(count(t, "\"name\":\"spawn\""), 2);   /* not 4 */
}

static void untraced_run_leaves_it(void) {
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    if (fp) { fputs("untouched", fp); fclose(fp); }
    run_once();
    char *t = slurp();
    CHECK(t != NULL && strcmp(t, "untouched") == 0);
}

static void exit_inside_a_coroutine_still_writes(void) {
    FILE *fp = fopen(path, "w");
    if (fp) fclose(fp);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("CORO_TRACE", path, 1);
        player_frame root;
        rt_frame_init(&root.hdr, sizeof root, quitter_resume);
        coro_run_main(&root.hdr, "quitter");
        _exit(3);   /* not reached: the quitter exits */
    }
    CHECK(pid > 0);
    int status = 0;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *t = slurp();
    CHECK(t != NULL);
    if (!t) return;
    CHECK_EQ(count(t, "\"name\":\"spawn\""), 1);
    CHECK_EQ(count(t, "\"end\":\"yield\""), 1);   /* the turn that exits has no end */
    CHECK(strlen(t) >= 4 && strcmp(t + strlen(t) - 4, "\n]}\n") == 0);
}

static void unwritable_file_is_reported_not_fatal(void) {
    rt_env_set("CORO_TRACE", "/nonexistent-dir/trace.json");
    run_once();   /* prints "coro: trace: cannot write ..." and carries on */
    rt_env_restore("CORO_TRACE");
}

int main(void) {
    snprintf(path, sizeof path, "/tmp/coro-trace-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) { perror("mkstemp"); return 2; }
    close(fd);
    /* First: the child must not inherit this process's poller (an epoll
     * instance and wake-up fd shared across fork made a later run of the
     * parent hang in epoll_wait), and no run has created one yet. */
    rt_phase("exit() inside a coroutine still writes the trace", exit_inside_a_coroutine_still_writes);
    rt_phase("traced run writes the events", traced_run_writes_the_events);
    rt_phase("a second run rewrites the file", second_run_rewrites_the_file);
    rt_phase("an untraced run leaves the file", untraced_run_leaves_it);
    rt_phase("an unwritable file is reported, not fatal", unwritable_file_is_reported_not_fatal);
    unlink(path);
    return rt_finish();
}
