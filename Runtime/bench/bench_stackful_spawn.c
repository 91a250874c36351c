/*
 * bench_stackful_spawn.c — spawn until parked, stackful: the entry coroutine
 * spawns N stackful coroutines that each count themselves and park on an
 * unbuffered channel receive; the clock runs from the first spawn until all
 * N have run and parked.  Then the channel is closed, every coroutine wakes
 * and ends, and its stack goes back to the pool.  One worker (CORO_THREADS=1),
 * as the Boost.Context peer (bench/boost/boost_fiber.cpp) is single-threaded.
 * Stackless twin: bench_spawn.c.
 *
 * Several rounds run in one coro_run_main_stackful: round 1 is cold (fresh
 * stacks: a page fault for each stack's first page, plus the guard marker
 * and carving); later rounds take stacks from the pool, as a long-running
 * server does.  Prints "RESULT stackful_spawn_ns <ns>" (the best warm round)
 * and "INFO stackful_spawn_cold_ns <ns>" (round 1).
 * Usage: bench_stackful_spawn [N]   (default 100,000)
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

#define ROUNDS 5
static long n = 100000;
static long started, finished;   /* atomic */
static coro_chan *release;
static double per_round[ROUNDS];

static void parked(void *arg) {
    (void)arg;
    __atomic_add_fetch(&started, 1, __ATOMIC_RELAXED);
    coro_chan_recv(release, NULL);
    __atomic_add_fetch(&finished, 1, __ATOMIC_RELAXED);
}

static void root(void *arg) {
    (void)arg;
    for (int round = 0; round < ROUNDS; round++) {
        started = finished = 0;
        release = coro_chan_new(1, 0);
        double t0 = now_ns();
        for (long i = 0; i < n; i++) {
            if (coro_go_stackful(parked, NULL, "parked") != 0) {
                perror("coro_go_stackful");
                exit(1);
            }
        }
        while (__atomic_load_n(&started, __ATOMIC_RELAXED) < n) coro_yield();
        per_round[round] = (now_ns() - t0) / (double)n;
        coro_chan_close(release);
        while (__atomic_load_n(&finished, __ATOMIC_RELAXED) < n) coro_yield();
        coro_chan_free(release);
    }
}

int main(int argc, char **argv) {
    if (argc > 1) n = atol(argv[1]);
    setenv("CORO_THREADS", "1", 1);
    if (coro_run_main_stackful(root, NULL, "main") != 0) {
        perror("coro_run_main_stackful");
        return 1;
    }
    double best = per_round[1];
    for (int i = 2; i < ROUNDS; i++)
        if (per_round[i] < best) best = per_round[i];
    printf("INFO stackful_spawn_cold_ns %.2f (first round)\n", per_round[0]);
    printf("RESULT stackful_spawn_ns %.2f\n", best);
    return 0;
}
