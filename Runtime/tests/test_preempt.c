/*
 * test_preempt.c — the monitor's time slices.  With one worker, a coroutine
 * spinning in a loop whose back-edge check is exactly what the translator
 * emits (`if (coro_preempt_pending()) { state = k; return CORO_YIELDED; }`)
 * must be preempted, or the coroutine that ends its loop never runs and the
 * test hangs (the Makefile's timeout fails it).  A spinner is preempted
 * repeatedly: the flag is cleared at every switch and set again a time
 * slice later.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "rt_test.h"

static int done;           /* atomic: set by the stopper */
static int preemptions;    /* atomic */

typedef struct {
    coro_frame hdr;
    unsigned long spins;
} spinner_frame;

static coro_status spinner_resume(coro_frame *self) {
    spinner_frame *f = (spinner_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    while (!__atomic_load_n(&done, __ATOMIC_RELAXED)) {
        f->spins++;
        if (coro_preempt_pending()) {   /* the back-edge check */
            __atomic_add_fetch(&preemptions, 1, __ATOMIC_RELAXED);
            f->hdr.state = 1;
            return CORO_YIELDED;
        S1:;
        }
    }
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int rounds;
} stopper_frame;

static coro_status stopper_resume(coro_frame *self) {
    stopper_frame *f = (stopper_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    /* run a few times (each time only because the spinner was preempted) */
    for (f->rounds = 0; f->rounds < 5; f->rounds++) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_yield(&f->hdr));
    }
    __atomic_store_n(&done, 1, __ATOMIC_RELAXED);
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
} root_frame;

static coro_status root_resume(coro_frame *self) {
    (void)self;
    CHECK_EQ(coro_num_workers(), 1);
    CHECK_EQ(coro_spawn(rt_frame(sizeof(spinner_frame), spinner_resume), "spinner"), 0);
    CHECK_EQ(coro_spawn(rt_frame(sizeof(stopper_frame), stopper_resume), "stopper"), 0);
    return CORO_DONE;
}

static void phase_spinner_preempted(void) {
    setenv("CORO_THREADS", "1", 1);
    setenv("CORO_TIMESLICE_US", "1000", 1);
    root_frame root;
    rt_frame_init(&root.hdr, sizeof root, root_resume);
    rt_run(&root.hdr);
    CHECK(preemptions >= 5);
    unsetenv("CORO_THREADS");
    unsetenv("CORO_TIMESLICE_US");
}

/* ---- a busy worker still notices fd readiness ----
 * One worker, a spinner that never parks, and a reader parked on a pipe that
 * a plain thread writes to.  Nobody is idle to block in the poller, so the
 * data is found by the periodic poll (every 61 ticks) or the monitor's poll
 * of fds nobody polled for 10 ms; the reader must get it and stop the
 * spinner (else the test hangs and the Makefile's timeout fails it). */
static int busy_pipe[2];

static void *late_writer(void *arg) {
    (void)arg;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 30000000};
    nanosleep(&ts, NULL);
    if (write(busy_pipe[1], "!", 1) != 1) abort();
    return NULL;
}

typedef struct {
    coro_frame hdr;
    ssize_t n;
    char c;
} busy_reader_frame;

static coro_status busy_reader_resume(coro_frame *self) {
    busy_reader_frame *f = (busy_reader_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_read(&f->hdr, &f->n, busy_pipe[0], &f->c, 1));
    CHECK_EQ(f->n, 1);
    __atomic_store_n(&done, 1, __ATOMIC_RELAXED);
    return CORO_DONE;
}

static coro_status busy_root_resume(coro_frame *self) {
    (void)self;
    CHECK_EQ(coro_spawn(rt_frame(sizeof(busy_reader_frame), busy_reader_resume), "reader"), 0);
    CHECK_EQ(coro_spawn(rt_frame(sizeof(spinner_frame), spinner_resume), "spinner"), 0);
    return CORO_DONE;
}

static void phase_busy_worker_polls(void) {
    setenv("CORO_THREADS", "1", 1);
    done = 0;
    CHECK_EQ(pipe(busy_pipe), 0);
    pthread_t th;
    pthread_create(&th, NULL, late_writer, NULL);
    root_frame root;
    rt_frame_init(&root.hdr, sizeof root, busy_root_resume);
    rt_run(&root.hdr);
    pthread_join(th, NULL);
    close(busy_pipe[0]);
    close(busy_pipe[1]);
    unsetenv("CORO_THREADS");
}

int main(void) {
    rt_phase("a spinning coroutine is preempted on one worker", phase_spinner_preempted);
    rt_phase("fd readiness is noticed while the only worker is busy", phase_busy_worker_polls);
    return rt_finish();
}
