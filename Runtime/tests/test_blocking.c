/*
 * test_blocking.c — the blocking pool.  With one worker, a coroutine's
 * blocking call waits for something only another coroutine does: if the call
 * ran on the worker, the program would deadlock (and the Makefile's timeout
 * fails the test).  Then 24 blocking calls meet at a barrier of 24: they all
 * complete only if the pool really runs 24 threads at once, beyond
 * CORO_THREADS.
 */
#include <pthread.h>
#include "rt_test.h"

static int gate;            /* atomic: opened by a coroutine */
static int gate_pipe[2];

static void wait_gate(void *arg) {
    char c;
    /* a genuinely blocking read on a blocking pipe */
    *(ssize_t *)arg = read(gate_pipe[0], &c, 1);
    __atomic_store_n(&gate, 2, __ATOMIC_RELAXED);
}

typedef struct {
    coro_frame hdr;
    ssize_t got;
} waiter_frame;

static coro_status waiter_resume(coro_frame *self) {
    waiter_frame *f = (waiter_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_blocking(&f->hdr, wait_gate, &f->got));
    CHECK_EQ(f->got, 1);
    CHECK_EQ(__atomic_load_n(&gate, __ATOMIC_RELAXED), 2);
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int r;
} opener_frame;

static coro_status opener_resume(coro_frame *self) {
    opener_frame *f = (opener_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    CHECK_EQ(coro_spawn(rt_frame(sizeof(waiter_frame), waiter_resume), "waiter"), 0);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, 20));
    CHECK_EQ(write(gate_pipe[1], "g", 1), 1);   /* plain write: the pipe is ours, blocking */
    return CORO_DONE;
}

static void phase_pool_not_worker(void) {
    rt_env_set("CORO_THREADS", "1");
    CHECK_EQ(pipe(gate_pipe), 0);
    opener_frame root;
    rt_frame_init(&root.hdr, sizeof root, opener_resume);
    rt_run(&root.hdr);
    close(gate_pipe[0]);
    close(gate_pipe[1]);
    rt_env_restore("CORO_THREADS");
}

#define MEET 24
static pthread_barrier_t barrier;
static int met;   /* atomic */

static void meet(void *arg) {
    (void)arg;
    pthread_barrier_wait(&barrier);
    __atomic_add_fetch(&met, 1, __ATOMIC_RELAXED);
}

typedef struct {
    coro_frame hdr;
} meeter_frame;

static coro_status meeter_resume(coro_frame *self) {
    meeter_frame *f = (meeter_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_blocking(&f->hdr, meet, NULL));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
} spawn_meeters_frame;

static coro_status spawn_meeters_resume(coro_frame *self) {
    (void)self;
    for (int i = 0; i < MEET; i++) CHECK_EQ(coro_spawn(rt_frame(sizeof(meeter_frame), meeter_resume), "meeter"), 0);
    return CORO_DONE;
}

static void phase_pool_grows(void) {
    pthread_barrier_init(&barrier, NULL, MEET);
    spawn_meeters_frame root;
    rt_frame_init(&root.hdr, sizeof root, spawn_meeters_resume);
    rt_run(&root.hdr);
    CHECK_EQ(met, MEET);
    pthread_barrier_destroy(&barrier);
}

int main(void) {
    rt_phase("a blocking call does not take the only worker", phase_pool_not_worker);
    rt_phase("24 blocking calls run at once", phase_pool_grows);
    return rt_finish();
}
