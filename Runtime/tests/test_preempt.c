/*
 * test_preempt.c — the monitor's time slices.  With one worker, a coroutine
 * spinning in a loop whose back-edge check is exactly what the translator
 * emits (`if (coro_preempt_pending()) { state = k; return CORO_YIELDED; }`)
 * must be preempted, or the coroutine that ends its loop never runs and the
 * test hangs (the Makefile's timeout fails it).  A spinner is preempted
 * repeatedly: the flag is cleared at every switch and set again a time
 * slice later.
 */
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

int main(void) {
    rt_phase("a spinning coroutine is preempted on one worker", phase_spinner_preempted);
    return rt_finish();
}
