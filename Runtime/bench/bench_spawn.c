/*
 * bench_spawn.c — spawn until parked: the entry coroutine spawns N coroutines
 * that each count themselves and park on an unbuffered channel receive; the
 * clock runs from the first spawn until all N have run and parked.  Then the
 * channel is closed, every coroutine wakes and ends.  Peer: go/spawn.go.
 *
 * Several rounds run in one coro_run_main: round 1 is cold (every task slab
 * and frame is a fresh page: page faults, ~1.5-2 us each on this VM, are
 * most of its cost); later rounds reuse the memory the previous round freed,
 * as a long-running server does.  Prints "RESULT spawn_ns <ns>" (the best
 * warm round) and "INFO spawn_cold_ns <ns>" (round 1).
 * Usage: bench_spawn [N]   (default 1,000,000)
 */
#include <coro.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#define ROUNDS 4
static long n = 1000000;
static long started, finished;   /* atomic */
static coro_chan *release;
static double per_round[ROUNDS];

typedef struct {
    coro_frame hdr;
    int r;
} parked_frame;   /* 40 bytes: a 48-byte malloc chunk */

static coro_status parked_resume(coro_frame *self) {
    parked_frame *f = (parked_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    }
    __atomic_add_fetch(&started, 1, __ATOMIC_RELAXED);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_chan_recv(&f->hdr, &f->r, release, NULL));
    __atomic_add_fetch(&finished, 1, __ATOMIC_RELAXED);
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    int round;
    long i;
    double t0;
} root_frame;

static coro_status root_resume(coro_frame *self) {
    root_frame *f = (root_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    for (f->round = 0; f->round < ROUNDS; f->round++) {
        started = finished = 0;
        release = coro_chan_new(1, 0);
        f->t0 = now_ns();
        for (f->i = 0; f->i < n; f->i++) {
            parked_frame *p = (parked_frame *)coro_frame_alloc(sizeof *p);
            p->hdr.resume = parked_resume;
            p->hdr.state = 0;
            if (coro_spawn(&p->hdr, "parked") != 0) {
                perror("coro_spawn");
                exit(1);
            }
        }
        while (__atomic_load_n(&started, __ATOMIC_RELAXED) < n) {
            f->hdr.state = 1;
        S1:
            CORO_OP(coro_op_yield(&f->hdr));
        }
        per_round[f->round] = (now_ns() - f->t0) / (double)n;
        coro_chan_close(release);
        while (__atomic_load_n(&finished, __ATOMIC_RELAXED) < n) {
            f->hdr.state = 2;
        S2:
            CORO_OP(coro_op_yield(&f->hdr));
        }
        coro_chan_free(release);
    }
    return CORO_DONE;
}

int main(int argc, char **argv) {
    if (argc > 1) n = atol(argv[1]);
    root_frame root = {.hdr.resume = root_resume};
    if (coro_run_main(&root.hdr, "main") != 0) {
        perror("coro_run_main");
        return 1;
    }
    double best = per_round[1];
    for (int i = 2; i < ROUNDS; i++)
        if (per_round[i] < best) best = per_round[i];
    printf("INFO spawn_cold_ns %.2f (first round; workers %d)\n", per_round[0], coro_num_workers());
    printf("RESULT spawn_ns %.2f\n", best);
    return 0;
}
