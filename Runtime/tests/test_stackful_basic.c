/*
 * test_stackful_basic.c — stackful coroutines on the shared scheduler.
 *
 * Proves: coro_run_main_stackful runs an entry coroutine to completion and
 * returns its result through `arg`; coroutines spawned with coro_go_stackful
 * run, yield, exchange values over channels with each other and with a
 * stackless task (same scheduler, same channels), wait on a wait group and a
 * mutex; yield ping-pong alternates strictly; deep stack use (recursion and a
 * 32 KiB local array) works; floating-point state survives yields; stacks go
 * back to the pool (waves of spawns do not carve new ones); a spinning
 * coroutine is preempted at its back-edge checks; off a coroutine the user
 * surface never blocks (EAGAIN) and I/O wrappers are plain libc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coro.h"
#include "stack.h"
#include "stackful_test.h"

/* ---- off a coroutine ---- */

static void test_off_coroutine(void) {
    CHECK(!coro_in_stackful(), "main thread claims to be a coroutine");
    coro_chan *c = coro_chan_new(sizeof(int), 1);
    int v = 7, out = 0;
    errno = 0;
    CHECK(coro_chan_recv(c, &out) == -1 && errno == EAGAIN, "recv on empty channel: errno %d", errno);
    CHECK(coro_chan_send(c, &v) == 0, "send into free buffer slot failed: %s", strerror(errno));
    CHECK(coro_chan_send(c, &v) == -1 && errno == EAGAIN, "send into full buffer: errno %d", errno);
    CHECK(coro_chan_recv(c, &out) == 1 && out == 7, "recv got %d", out);
    coro_select_case cs[1] = { { .op = CORO_SELECT_RECV, .chan = c, .value = &out } };
    CHECK(coro_select(cs, 1, 0) == -1 && errno == EAGAIN, "select without default would block: errno %d", errno);
    CHECK(coro_select(cs, 1, 1) == -1, "select with default on an empty channel fired");
    coro_chan_close(c);
    CHECK(coro_chan_recv(c, &out) == 0, "recv on closed channel");
    CHECK(coro_chan_send(c, &v) == -1 && errno == EPIPE, "send on closed channel: errno %d", errno);
    coro_chan_free(c);
    CHECK(coro_chan_recv(NULL, &out) == -1 && errno == EINVAL, "recv on NULL channel: errno %d", errno);

    coro_wg wg;
    coro_wg_init(&wg);
    CHECK(coro_wg_wait(&wg) == 0, "wait on a zero wait group");
    coro_wg_add(&wg, 1);
    CHECK(coro_wg_wait(&wg) == -1 && errno == EAGAIN, "wait on a busy wait group: errno %d", errno);
    coro_wg_done(&wg);
    CHECK(coro_wg_wait(&wg) == 0, "wait after the count came back to zero");
    CHECK(coro_wg_wait(NULL) == -1 && errno == EINVAL, "wait on a NULL wait group: errno %d", errno);

    coro_mutex m;
    coro_mutex_init(&m);
    CHECK(coro_mutex_lock(&m) == 0, "lock a free mutex");
    CHECK(coro_mutex_lock(&m) == -1 && errno == EAGAIN, "lock a held mutex: errno %d", errno);
    coro_mutex_unlock(&m);
    CHECK(coro_mutex_lock(&m) == 0, "lock again after the unlock");
    coro_mutex_unlock(&m);
    CHECK(coro_mutex_lock(NULL) == -1 && errno == EINVAL, "lock a NULL mutex: errno %d", errno);

    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    CHECK(coro_write(fds[1], "hi", 2) == 2, "plain write");
    char buf[4];
    CHECK(coro_read(fds[0], buf, sizeof buf) == 2 && memcmp(buf, "hi", 2) == 0, "plain read");
    close(fds[0]);
    close(fds[1]);
    coro_yield();                               /* sched_yield: returns */
    CHECK(coro_sleep_ms(1) == 0, "sleep off a coroutine");
    CHECK(coro_go_stackful(NULL, NULL, "x") == -1 && errno == EINVAL, "spawn of NULL entry: errno %d", errno);
    printf("off a coroutine: would-block operations fail with EAGAIN, I/O is plain libc\n");
}

/* ---- the run ---- */

typedef struct shared {
    coro_chan *numbers;      /* workers -> collector */
    coro_chan *ping, *pong;  /* ping-pong */
    coro_wg wg;
    coro_wg stackless_done;  /* the stackless receiver has stored its value */
    coro_mutex m;
    long mutex_counter;
    int pingpong_log[64];
    int pingpong_len;
    int rounds;
    int workers;
    long sum;
    double fp_result;
    int main_ret;
} shared;

static shared S;

/* Uses ~40 KiB of stack: 32 KiB array plus recursion. */
static long deep(int depth, long acc) {
    volatile char pad[256];
    pad[0] = (char)depth;
    if (depth == 0) return acc + pad[0];
    return deep(depth - 1, acc + depth) + pad[0];
}

static void worker(void *arg) {
    long id = (long)(intptr_t)arg;
    char big[32 * 1024];
    memset(big, (int)id, sizeof big);
    double x = 1.0 + (double)id;
    for (int i = 0; i < S.rounds; i++) {
        x = x * 1.5 - 0.25;
        coro_yield();
        coro_mutex_lock(&S.m);
        long seen = S.mutex_counter;
        coro_yield();                           /* hold the mutex across a switch */
        S.mutex_counter = seen + 1;
        coro_mutex_unlock(&S.m);
    }
    long v = id * 1000 + deep(30, 0) + (big[100] == (char)id);
    CHECK(x > 0, "fp state lost");
    coro_chan_send(S.numbers, &v);
    coro_wg_done(&S.wg);
}

/* Each side logs what it receives before it answers, so the log is in strict
 * order only if the two really alternate. */
static void pinger(void *arg) {
    (void)arg;
    for (int i = 0; i < 20; i++) {
        int v = 2 * i;
        coro_chan_send(S.ping, &v);
        coro_chan_recv(S.pong, &v);
        S.pingpong_log[S.pingpong_len++] = v;
    }
    coro_chan_close(S.ping);
}

static void ponger(void *arg) {
    (void)arg;
    int v;
    while (coro_chan_recv(S.ping, &v) == 1) {
        S.pingpong_log[S.pingpong_len++] = v;
        v++;
        coro_chan_send(S.pong, &v);
    }
}

/* A hand-written stackless task on the same channel: receives one number. */
typedef struct { coro_frame hdr; long v; int r; } recv_frame;
static long stackless_got;
static coro_status recv_resume(coro_frame *self) {
    recv_frame *f = (recv_frame *)self;
    switch (f->hdr.state) { case 0: break; case 1: goto S1; }
    f->hdr.state = 1;
S1: CORO_OP(coro_op_chan_recv(&f->hdr, &f->r, S.numbers, &f->v));
    stackless_got = f->v;
    coro_wg_done(&S.stackless_done);
    return CORO_DONE;
}

static void main_entry(void *arg) {
    shared *s = arg;
    CHECK(coro_in_stackful(), "entry does not run on a stackful coroutine");
    coro_wg_init(&s->wg);
    coro_wg_init(&s->stackless_done);
    coro_wg_add(&s->stackless_done, 1);
    coro_mutex_init(&s->m);
    s->numbers = coro_chan_new(sizeof(long), 0);
    s->ping = coro_chan_new(sizeof(int), 0);
    s->pong = coro_chan_new(sizeof(int), 0);
    coro_wg_add(&s->wg, s->workers);
    for (long i = 0; i < s->workers; i++)
        CHECK(coro_go_stackful(worker, (void *)(intptr_t)i, "worker") == 0, "spawn: %s", strerror(errno));
    recv_frame *rf = (recv_frame *)coro_frame_alloc(sizeof *rf);
    rf->hdr.resume = recv_resume;
    rf->hdr.state = 0;
    CHECK(coro_spawn(&rf->hdr, "stackless receiver") == 0, "spawn stackless");
    long expect = 0, got = 0;
    for (long i = 0; i < s->workers; i++) expect += i * 1000 + deep(30, 0) + 1;
    for (long i = 0; i < s->workers - 1; i++) {
        long v;
        CHECK(coro_chan_recv(s->numbers, &v) == 1, "recv");
        got += v;
    }
    CHECK(coro_wg_wait(&s->wg) == 0, "wg wait");
    CHECK(coro_wg_wait(&s->stackless_done) == 0, "wg wait");   /* orders its store before our read */
    s->sum = got + stackless_got;
    CHECK(s->sum == expect, "sum %ld, expected %ld", s->sum, expect);

    CHECK(coro_go_stackful(pinger, NULL, "pinger") == 0, "spawn pinger");
    CHECK(coro_go_stackful(ponger, NULL, "ponger") == 0, "spawn ponger");
    s->main_ret = 42;
}

static void test_run(void) {
    S.workers = 50;
    S.rounds = 20 * stackful_scale();
    CHECK(coro_run_main_stackful(main_entry, &S, "main") == 0, "run: %s", strerror(errno));
    CHECK(S.main_ret == 42, "entry's result not seen");
    CHECK(S.mutex_counter == (long)S.workers * S.rounds, "mutex lost updates: %ld of %ld", S.mutex_counter,
          (long)S.workers * S.rounds);
    CHECK(S.pingpong_len == 40, "ping-pong made %d moves", S.pingpong_len);
    for (int i = 0; i < 40; i++) CHECK(S.pingpong_log[i] == i, "ping-pong move %d was %d", i, S.pingpong_log[i]);
    printf("run: %d workers x %d rounds (yield, mutex), channel sum with a stackless receiver, "
           "strict ping-pong\n", S.workers, S.rounds);
}

/* Waves of short-lived coroutines reuse stacks instead of carving new ones. */
static int wave_done;
static void short_lived(void *arg) { (void)arg; coro_yield(); __atomic_fetch_add(&wave_done, 1, __ATOMIC_RELAXED); }
static void waves_entry(void *arg) {
    int waves = *(int *)arg;
    for (int w = 0; w < waves; w++) {
        for (int i = 0; i < 200; i++) coro_go_stackful(short_lived, NULL, "short");
        while (__atomic_load_n(&wave_done, __ATOMIC_RELAXED) < (w + 1) * 200) coro_yield();
    }
}

static void test_stacks_released(void) {
    int waves = 50;
    coro_stack_stats before, after;
    coro_stack_get_stats(&before);
    CHECK(coro_run_main_stackful(waves_entry, &waves, "waves") == 0, "run");
    coro_stack_get_stats(&after);
    CHECK(wave_done == waves * 200, "%d of %d coroutines ran", wave_done, waves * 200);
    /* 200 live at once (+ the entry), plus what per-thread caches hold. */
    CHECK(after.carved - before.carved <= 201 + 4 * 64,
          "%zu stacks carved for %d coroutines of at most 201 at a time", after.carved - before.carved, waves * 200);
    printf("stacks released: %d coroutines in waves of 200 carved %zu stacks\n", waves * 200,
           after.carved - before.carved);
}

/* A CPU-bound loop with back-edge checks gives the worker up once its time
 * slice is spent: on one worker, the coroutine that ends the spin can only
 * run if the spinning one is preempted (without it, this test hangs and the
 * harness's timeout fails it). */
static volatile int spin_stop;
static long spin_rounds;
static void spinner(void *arg) {
    (void)arg;
    while (!spin_stop) {
        spin_rounds++;
        coro_stackful_preempt_point();
    }
}
static void stopper(void *arg) { (void)arg; spin_stop = 1; }
static void preempt_entry(void *arg) {
    (void)arg;
    coro_go_stackful(spinner, NULL, "spinner");
    coro_go_stackful(stopper, NULL, "stopper");
}

static void test_preemption(void) {
    const char *saved = getenv("CORO_THREADS");
    char *copy = saved ? strdup(saved) : NULL;
    setenv("CORO_THREADS", "1", 1);
    CHECK(coro_run_main_stackful(preempt_entry, NULL, "preempt") == 0, "run");
    if (copy) { setenv("CORO_THREADS", copy, 1); free(copy); } else unsetenv("CORO_THREADS");
    CHECK(spin_stop == 1 && spin_rounds > 0, "spinner never ran or was never stopped");
    printf("preemption: a spinning coroutine on the only worker yielded at a back-edge check\n");
}

int main(void) {
    test_off_coroutine();
    test_run();
    test_stacks_released();
    test_preemption();
    printf("test_stackful_basic: ok\n");
    return 0;
}
