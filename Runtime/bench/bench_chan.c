/*
 * bench_chan.c — unbuffered channel ping-pong between two coroutines on one
 * worker: the one-way latency of a send that finds the receiver parked
 * (direct hand-off, ready, park, resume).  Peer: go/chan.go.
 *
 * Prints "RESULT chan_oneway_ns <ns>": elapsed / (2 * round trips), the best
 * of 5 rounds (as bench_yield and the Go peer do).
 * Usage: bench_chan [round trips per round]   (default 1,000,000)
 */
#include <coro.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#define ROUNDS 5

typedef struct {
    coro_frame hdr;
    coro_chan *ping, *pong;
    long v;
    int t1;
} ponger_frame;

/* Answers every value on ping with value + 1 on pong, until ping closes. */
static coro_status ponger_resume(coro_frame *self) {
    ponger_frame *f = (ponger_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    for (;;) {
        f->hdr.state = 1;
    S1: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->ping, &f->v));
        if (f->t1 != 1) break;
        f->v++;
        f->hdr.state = 2;
    S2: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->pong, &f->v));
    }
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    coro_chan *ping, *pong;
    long i, n, v;
    int round, t1;
    double start_ns, best_ns;
} pinger_frame;

static coro_status pinger_resume(coro_frame *self) {
    pinger_frame *f = (pinger_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    }
    ponger_frame *p = (ponger_frame *)coro_frame_alloc(sizeof *p);
    if (!p) return CORO_DONE;
    memset((char *)p + sizeof p->hdr, 0, sizeof *p - sizeof p->hdr);
    p->hdr.resume = ponger_resume;
    p->hdr.state = 0;
    p->hdr.caller = NULL;
    p->ping = f->ping;
    p->pong = f->pong;
    if (coro_spawn(&p->hdr, "ponger") != 0) return CORO_DONE;
    f->best_ns = 1e30;
    for (f->round = 0; f->round < ROUNDS; f->round++) {
        f->v = 0;
        f->start_ns = now_ns();
        for (f->i = 0; f->i < f->n; f->i++) {
            f->hdr.state = 1;
        S1: CORO_OP(coro_op_chan_send(&f->hdr, &f->t1, f->ping, &f->v));
            f->hdr.state = 2;
        S2: CORO_OP(coro_op_chan_recv(&f->hdr, &f->t1, f->pong, &f->v));
        }
        double per = (now_ns() - f->start_ns) / (2.0 * (double)f->n);
        if (per < f->best_ns) f->best_ns = per;
        if (f->v != f->n) break; /* main reports it */
    }
    coro_chan_close(f->ping);
    return CORO_DONE;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    if (n <= 0) {
        fprintf(stderr, "usage: bench_chan [round trips > 0]\n");
        return 2;
    }
    setenv("CORO_THREADS", "1", 1);
    pinger_frame *f = (pinger_frame *)coro_frame_alloc(sizeof *f);
    if (!f) return 1;
    memset((char *)f + sizeof f->hdr, 0, sizeof *f - sizeof f->hdr);
    f->hdr.resume = pinger_resume;
    f->hdr.state = 0;
    f->hdr.caller = NULL;
    f->n = n;
    f->ping = coro_chan_new(sizeof(long), 0);
    f->pong = coro_chan_new(sizeof(long), 0);
    if (!f->ping || !f->pong || coro_run_main(&f->hdr, "pinger") != 0) {
        perror("bench_chan");
        return 1;
    }
    if (f->v != n) {
        fprintf(stderr, "bench_chan: token %ld after %ld round trips\n", f->v, n);
        return 1;
    }
    printf("RESULT chan_oneway_ns %.2f\n", f->best_ns);
    coro_chan_free(f->ping);
    coro_chan_free(f->pong);
    coro_frame_free(&f->hdr);
    return 0;
}
