/*
 * bench_yield.c — a yield through the scheduler: 2 coroutines on 1 worker,
 * each calling coro_op_yield n times, so every yield is a switch to the other
 * (requeue at the tail, pop the head, resume).  Peer: go/yield.go.
 *
 * Prints "RESULT yield_ns <ns>": elapsed / (2n), the best of 5 rounds (each
 * round a fresh coro_run_main; the first warms caches).
 * Usage: bench_yield [yields per coroutine]   (default 10,000,000)
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

static long n = 10000000;

typedef struct {
    coro_frame hdr;
    long i;
} yielder_frame;

static coro_status yielder_resume(coro_frame *self) {
    yielder_frame *f = (yielder_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    }
    for (f->i = 0; f->i < n; f->i++) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_yield(&f->hdr));
    }
    return CORO_DONE;
}

static coro_status root_resume(coro_frame *self) {
    (void)self;
    for (int k = 0; k < 2; k++) {
        yielder_frame *f = (yielder_frame *)coro_frame_alloc(sizeof *f);
        f->hdr.resume = yielder_resume;
        f->hdr.state = 0;
        f->i = 0;
        if (coro_spawn(&f->hdr, "yielder") != 0) {
            perror("coro_spawn");
            exit(1);
        }
    }
    return CORO_DONE;
}

int main(int argc, char **argv) {
    if (argc > 1) n = atol(argv[1]);
    setenv("CORO_THREADS", "1", 1);
    double best = 1e30;
    for (int round = 0; round < 5; round++) {
        coro_frame root = {.resume = root_resume};
        double t0 = now_ns();
        if (coro_run_main(&root, "main") != 0) {
            perror("coro_run_main");
            return 1;
        }
        double per = (now_ns() - t0) / (2.0 * (double)n);
        if (per < best) best = per;
    }
    printf("RESULT yield_ns %.2f\n", best);
    return 0;
}
