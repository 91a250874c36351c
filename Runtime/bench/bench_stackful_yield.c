/*
 * bench_stackful_yield.c — a stackful yield through the scheduler: 2 stackful
 * coroutines on 1 worker, each calling coro_yield() n times, so every yield
 * is: op call, switch to the worker, requeue at the tail, pop the other
 * task, switch onto its stack, op call again.  Peer: go/yield.go
 * (runtime.Gosched); stackless twin: bench_yield.c.
 *
 * Prints "RESULT stackful_yield_ns <ns>": elapsed / (2n), the best of 5
 * rounds (each a fresh coro_run_main_stackful; the first warms caches).
 * Usage: bench_stackful_yield [yields per coroutine]   (default 10,000,000)
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

static void yielder(void *arg) {
    (void)arg;
    for (long i = 0; i < n; i++) coro_yield();
}

static void root(void *arg) {
    (void)arg;
    for (int k = 0; k < 2; k++) {
        if (coro_go_stackful(yielder, NULL, "yielder") != 0) {
            perror("coro_go_stackful");
            exit(1);
        }
    }
}

int main(int argc, char **argv) {
    if (argc > 1) n = atol(argv[1]);
    setenv("CORO_THREADS", "1", 1);
    double best = 1e30;
    for (int round = 0; round < 5; round++) {
        double t0 = now_ns();
        if (coro_run_main_stackful(root, NULL, "main") != 0) {
            perror("coro_run_main_stackful");
            return 1;
        }
        double per = (now_ns() - t0) / (2.0 * (double)n);
        if (per < best) best = per;
    }
    printf("RESULT stackful_yield_ns %.2f\n", best);
    return 0;
}
