/*
 * fairness.c — lateness of a 10 ms ticker while a CPU-bound coroutine spins,
 * on ONE worker.  The spinner never does I/O; only the back-edge checks the
 * translator inserts (and the monitor's time slice, CORO_TIMESLICE_US) let
 * the ticker run.  Lateness = how much longer than 10 ms each sleep took.
 * Annotated C, translated by coroc.  Peer: go/fairness.go (GOMAXPROCS=1).
 *
 * Prints "RESULT tick_late_p50_us <us>" and "RESULT tick_late_p99_us <us>".
 * Usage: fairness [ticks]
 */
#include <coro.h>
#include "bench_util.h"

static volatile int stop;

CORO static void spinner(unsigned long *out) {
    unsigned long x = 1;
    while (!stop) {
        for (int i = 0; i < 1000; i++)
            x = x * 6364136223846793005UL + 1442695040888963407UL;
    }
    *out = x;
}

CORO static int run(int ticks) {
    unsigned long spun = 0;
    double *late_us = malloc((size_t)ticks * sizeof *late_us);
    if (!late_us) return 1;
    coro_go(spinner(&spun));
    for (int i = 0; i < ticks; i++) {
        double start = bench_now_ns();
        coro_sleep_ms(10);
        late_us[i] = (bench_now_ns() - start) / 1e3 - 10000.0;
    }
    stop = 1;
    bench_result("tick_late_p50_us", bench_percentile(late_us, ticks, 50));
    bench_result("tick_late_p99_us", bench_percentile(late_us, ticks, 99));
    free(late_us);
    return 0;
}

int main(int argc, char **argv) {
    int ticks = (int)bench_arg(argc, argv, 1, 100);
    return coro_main(run(ticks));
}
