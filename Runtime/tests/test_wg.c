/*
 * test_wg.c — wait groups: the API's edges (wait at zero, negative counter,
 * NULL), a counter guarded by a coroutine mutex under 8 workers with the
 * critical section yielding halfway (lost updates would show), several
 * waiters on one group, and reuse of a group after it reached zero.
 *
 * Frames are hand-built exactly as `coroc translate` emits them (see
 * test_chan.c; phase runner in chan_test.h).  Each phase is one "test" of
 * the closing line.
 */
#include <limits.h>
#include "chan_test.h"

/* ---- phase 1: API edges ----------------------------------------------------------- */

typedef struct {
    coro_frame hdr;
    coro_wg wg;
    int v, t1, err;
} wg_api_frame;

static coro_status wg_api_resume(coro_frame *self) {
    wg_api_frame *f = (wg_api_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    case 4: goto S4;
    }
    coro_wg_init(&f->wg);
    f->hdr.state = 1;
S1: CORO_OP(coro_op_wg_wait(&f->hdr, &f->t1, &f->wg)); /* zero: returns at once */
    CHECK(f->t1 == 0);
    errno = 0;
    CHECK(coro_wg_done(&f->wg) == -1 && errno == EINVAL); /* would go negative */
    CHECK(coro_wg_add(&f->wg, 2) == 0);
    errno = 0;
    CHECK(coro_wg_add(&f->wg, -3) == -1 && errno == EINVAL); /* refused, unchanged */
    errno = 0;
    CHECK(coro_wg_add(&f->wg, LONG_MAX) == -1 && errno == EINVAL); /* overflow */
    CHECK(coro_wg_done(&f->wg) == 0 && coro_wg_done(&f->wg) == 0);
    f->hdr.state = 2;
S2: CORO_OP(coro_op_wg_wait(&f->hdr, &f->t1, &f->wg)); /* back at zero */
    CHECK(f->t1 == 0);
    errno = 0;
    CHECK(coro_wg_add(NULL, 1) == -1 && errno == EINVAL);
    errno = 0;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_wg_wait(&f->hdr, &f->t1, NULL));
    f->err = errno;
    CHECK(f->t1 == -1 && f->err == EINVAL);
    coro_wg_init(NULL); /* harmless */
    f->v = 1;
    f->hdr.state = 4;
S4: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->v));
    return CORO_DONE;
}

/* ---- phase 2: mutex-protected counter, 8 workers, plus extra waiters --------------- */

enum { INCREMENTERS = 64, INCREMENTS = 300, EXTRA_WAITERS = 3 };

static long shared_counter;  /* protected by counter_mutex */
static int inside;           /* atomic: coroutines inside the critical section */
static coro_mutex counter_mutex;

typedef struct {
    coro_frame hdr;
    coro_wg *wg;
    int i, t1;
    long seen;
} incrementer_frame;

static coro_status incrementer_resume(coro_frame *self) {
    incrementer_frame *f = (incrementer_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    for (f->i = 0; f->i < INCREMENTS; f->i++) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_mutex_lock(&f->hdr, &f->t1, &counter_mutex));
        CHECK(f->t1 == 0);
        CHECK(__atomic_fetch_add(&inside, 1, __ATOMIC_RELAXED) == 0);
        f->seen = shared_counter;
        if (f->i % 7 == 0) { /* give others every chance to barge in */
            __atomic_fetch_sub(&inside, 1, __ATOMIC_RELAXED);
            f->hdr.state = 2;
        S2: CORO_OP(coro_op_yield(&f->hdr));
            CHECK(__atomic_fetch_add(&inside, 1, __ATOMIC_RELAXED) == 0);
        }
        shared_counter = f->seen + 1;
        __atomic_fetch_sub(&inside, 1, __ATOMIC_RELAXED);
        coro_mutex_unlock(&counter_mutex);
    }
    CHECK(coro_wg_done(f->wg) == 0);
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_wg *wg;
    coro_chan *report;
    int t1;
    long v;
} extra_waiter_frame;

static coro_status extra_waiter_resume(coro_frame *self) {
    extra_waiter_frame *f = (extra_waiter_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    f->hdr.state = 1;
S1: CORO_OP(coro_op_wg_wait(&f->hdr, &f->t1, f->wg));
    CHECK(f->t1 == 0);
    f->v = 1;
    f->hdr.state = 2;
S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->report, &f->v));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_wg wg;
    coro_chan *report;
    int i, t1;
    long v;
} counter_frame;

static coro_status counter_resume(coro_frame *self) {
    counter_frame *f = (counter_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    case 3: goto S3;
    }
    coro_wg_init(&f->wg);
    coro_mutex_init(&counter_mutex);
    f->report = coro_chan_new(sizeof(long), EXTRA_WAITERS);
    CHECK(coro_wg_add(&f->wg, INCREMENTERS) == 0);
    for (int i = 0; i < EXTRA_WAITERS; i++) {
        extra_waiter_frame *w = (extra_waiter_frame *)rt_frame(sizeof *w, extra_waiter_resume);
        w->wg = &f->wg;
        w->report = f->report;
        rt_spawn(&w->hdr, "extra-waiter");
    }
    for (int i = 0; i < INCREMENTERS; i++) {
        incrementer_frame *inc = (incrementer_frame *)rt_frame(sizeof *inc, incrementer_resume);
        inc->wg = &f->wg;
        rt_spawn(&inc->hdr, "incrementer");
    }
    f->hdr.state = 1;
S1: CORO_OP(coro_op_wg_wait(&f->hdr, &f->t1, &f->wg));
    CHECK(f->t1 == 0);
    CHECK(shared_counter == (long)INCREMENTERS * INCREMENTS);
    for (f->i = 0; f->i < EXTRA_WAITERS; f->i++) { /* every waiter was woken */
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->report, &f->v));
        CHECK(f->t1 == 1 && f->v == 1);
    }
    printf("   counter %ld after %d x %d locked increments on %d workers\n", shared_counter, INCREMENTERS,
           INCREMENTS, coro_num_workers());
    coro_chan_free(f->report);
    f->i = 2;
    f->hdr.state = 3;
S3: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->i));
    return CORO_DONE;
}

/* ---- phase 3: a group is reusable once it reached zero ----------------------------- */

typedef struct {
    coro_frame hdr;
    coro_wg *wg;
    int yields, j;
} doner_frame;

static coro_status doner_resume(coro_frame *self) {
    doner_frame *f = (doner_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    }
    for (f->j = 0; f->j < f->yields; f->j++) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_yield(&f->hdr));
    }
    CHECK(coro_wg_done(f->wg) == 0);
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_wg wg;
    int round, token, t1;
} reuse_frame;

static coro_status reuse_resume(coro_frame *self) {
    reuse_frame *f = (reuse_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    coro_wg_init(&f->wg);
    for (f->round = 0; f->round < 50; f->round++) {
        CHECK(coro_wg_add(&f->wg, 4) == 0);
        for (int i = 0; i < 4; i++) {
            doner_frame *d = (doner_frame *)rt_frame(sizeof *d, doner_resume);
            d->wg = &f->wg;
            d->yields = (f->round + i) % 5;
            rt_spawn(&d->hdr, "doner");
        }
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_wg_wait(&f->hdr, &f->t1, &f->wg));
        CHECK(f->t1 == 0);
    }
    f->token = 3;
    f->hdr.state = 2;
S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, phase_done, &f->token));
    return CORO_DONE;
}
/* ---- the entry coroutine: phases one after the other ----------------------------- */

static const chan_phase phases[] = {
    {"wait group API edges", sizeof(wg_api_frame), wg_api_resume},
    {"mutex-protected counter on 8 workers, several waiters", sizeof(counter_frame), counter_resume},
    {"wait group reuse", sizeof(reuse_frame), reuse_resume},
};
enum { NPHASES = sizeof phases / sizeof phases[0] };

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    setenv("CORO_THREADS", "8", 1); /* more workers than cores: real preemption of holders */
    return chan_run_phases(phases, NPHASES);
}
