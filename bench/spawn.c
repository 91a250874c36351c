/*
 * spawn.c — spawn until parked, and memory per parked coroutine: start N
 * coroutines that each check in on a wait group and park on a channel
 * receive; time from the first spawn until all N have checked in, and the
 * resident memory they hold while parked, (RSS then - RSS before) / N.
 * Annotated C, translated by coroc.  Peers: go/spawn.go, boost_fiber.cpp
 * (pooled 8 KB stacks), pthreads.c.
 *
 * Prints "RESULT spawn_ns <ns per coroutine>" and "RESULT mem_bytes <bytes>".
 * Usage: spawn [N]
 */
#include <coro.h>
#include "bench_util.h"

CORO static void parker(coro_wg *started, coro_chan *release) {
    char v;
    coro_wg_done(started);
    coro_chan_recv(release, &v);
}

CORO static int run(long n) {
    coro_wg started;
    coro_wg_init(&started);
    coro_wg_add(&started, n);
    coro_chan *release = coro_chan_new(1, 0);
    if (!release) { perror("coro_chan_new"); return 1; }
    long rss_before = bench_rss_bytes();
    double start = bench_now_ns();
    for (long i = 0; i < n; i++)
        coro_go(parker(&started, release));
    coro_wg_wait(&started);
    double elapsed = bench_now_ns() - start;
    /* The last coroutine parks right after its check-in: a negligible tail. */
    coro_yield();
    long rss_parked = bench_rss_bytes();
    coro_chan_close(release);
    bench_result("spawn_ns", elapsed / (double)n);
    bench_result("mem_bytes", (double)(rss_parked - rss_before) / (double)n);
    return 0;
}

int main(int argc, char **argv) {
    long n = bench_arg(argc, argv, 1, 1000000);
    return coro_main(run(n));
}
