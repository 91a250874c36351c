/*
 * chan.c — unbuffered channel ping-pong between two coroutines on one worker:
 * the one-way cost of a send that finds the receiver parked (hand-off, ready,
 * park, resume).  Annotated C, translated by coroc.  Peers: go/chan.go,
 * pthreads.c (mutex + condition variable).
 *
 * Prints "RESULT chan_oneway_ns <ns>" = elapsed / (2 * round trips).
 * Usage: chan [round trips]
 */
#include <coro.h>
#include "bench_util.h"

/* Answers every value on ping with value + 1 on pong, until ping closes. */
CORO static void ponger(coro_chan *ping, coro_chan *pong) {
    long v;
    while (coro_chan_recv(ping, &v) == 1) {
        v++;
        if (coro_chan_send(pong, &v) != 0) break;
    }
}

CORO static int run(long n) {
    coro_chan *ping = coro_chan_new(sizeof(long), 0);
    coro_chan *pong = coro_chan_new(sizeof(long), 0);
    if (!ping || !pong) { perror("coro_chan_new"); return 1; }
    coro_go(ponger(ping, pong));
    long v = 0;
    double start = bench_now_ns();
    for (long i = 0; i < n; i++) {
        coro_chan_send(ping, &v);
        coro_chan_recv(pong, &v);
    }
    double elapsed = bench_now_ns() - start;
    coro_chan_close(ping);
    if (v != n) { fprintf(stderr, "chan: got %ld, want %ld\n", v, n); return 1; }
    bench_result("chan_oneway_ns", elapsed / (2.0 * (double)n));
    return 0;
}

int main(int argc, char **argv) {
    long n = bench_arg(argc, argv, 1, 1000000);
    return coro_main(run(n));
}
