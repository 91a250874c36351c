/*
 * yield.c — yield through the scheduler: two coroutines on one worker call
 * coro_yield() in a loop, so every yield requeues one coroutine and resumes
 * the other.  Annotated C, translated by coroc (stackless and stackful).
 * Peers: go/yield.go (runtime.Gosched), floor.c (hand-written state machine),
 * boost_fiber.cpp, pthreads.c (sched_yield).
 *
 * Prints "RESULT yield_ns <ns per yield>".  Usage: yield [yields per coroutine]
 */
#include <coro.h>
#include "bench_util.h"

CORO static void yielder(long n, coro_wg *done) {
    for (long i = 0; i < n; i++)
        coro_yield();
    coro_wg_done(done);
}

CORO static int run(long n) {
    coro_wg done;
    coro_wg_init(&done);
    coro_wg_add(&done, 2);
    double start = bench_now_ns();
    coro_go(yielder(n, &done));
    coro_go(yielder(n, &done));
    coro_wg_wait(&done);
    bench_result("yield_ns", (bench_now_ns() - start) / (2.0 * (double)n));
    return 0;
}

int main(int argc, char **argv) {
    long n = bench_arg(argc, argv, 1, 2000000);
    return coro_main(run(n));
}
