/*
 * chan_test.h — the phase runner of the channel tests (test_chan.c,
 * test_select.c, test_wg.c, test_mutex.c), on top of rt_test.h.
 *
 * There a phase is itself a coroutine, not a plain function: the entry
 * coroutine spawns the phase's frame and waits on `phase_done` for its token
 * before starting the next.  Phase i (counting from 0) sends the int i + 1
 * on `phase_done` as its last act; it passes when that token arrives and no
 * CHECK failed meanwhile (in any coroutine).  The program ends with
 * rt_finish's "N passed, M failed" line.
 */
#ifndef CHAN_TEST_H
#define CHAN_TEST_H

#include "rt_test.h"

static coro_chan *phase_done; /* buffered(1): each phase sends one token when it is over */

typedef struct {
    const char *name;
    size_t frame_size;
    coro_resume_fn resume;
} chan_phase;

static const chan_phase *chan_phases;
static int chan_nphases;

typedef struct {
    coro_frame hdr;
    int i, failures_before, token, t1;
} chan_main_frame;

static coro_status chan_main_resume(coro_frame *self) {
    chan_main_frame *f = (chan_main_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    }
    for (f->i = 0; f->i < chan_nphases; f->i++) {
        f->failures_before = __atomic_load_n(&rt_failures, __ATOMIC_RELAXED);
        rt_spawn(rt_frame(chan_phases[f->i].frame_size, chan_phases[f->i].resume), chan_phases[f->i].name);
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, phase_done, &f->token));
        rt_report(chan_phases[f->i].name,
                  f->t1 == 1 && f->token == f->i + 1 &&
                      __atomic_load_n(&rt_failures, __ATOMIC_RELAXED) == f->failures_before);
    }
    return CORO_DONE;
}

/* Run the phases one after the other under coro_run_main; returns main's
 * exit status (2 if the scheduler could not run). */
static inline int chan_run_phases(const chan_phase *phases, int n) {
    chan_phases = phases;
    chan_nphases = n;
    phase_done = coro_chan_new(sizeof(int), 1);
    coro_frame *root = rt_frame(sizeof(chan_main_frame), chan_main_resume);
    if (coro_run_main(root, "main") != 0) {
        perror("coro_run_main");
        return 2;
    }
    coro_frame_free(root);
    coro_chan_free(phase_done);
    return rt_finish();
}

#endif /* CHAN_TEST_H */
