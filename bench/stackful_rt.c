/*
 * stackful_rt.c — the runtime's stackful mode measured alone: the yield,
 * channel and spawn scenarios written by hand in the shape coro.h documents
 * for `coroc translate --mode stackful` output (coro_go_stackful with an
 * argument record, coro_run_main_stackful, plain calls of the user surface).
 * It stands in for the translated yield.c / chan.c / spawn.c while the C
 * frontend's stackful mode is missing, and stays as a cross-check after.
 *
 * Prints the RESULT lines of yield.c, chan.c and spawn.c.
 * Usage: stackful_rt yield|chan|spawn [N]
 */
#define CORO_STACKFUL_ERRNO   /* as translator output does: errno survives migration (coro.h) */
#include <coro.h>
#include <string.h>
#include "bench_util.h"

typedef struct { long n; coro_wg *done; coro_chan *ping, *pong, *release; } args;

static void yielder(void *p) {
    args *a = p;
    for (long i = 0; i < a->n; i++) coro_yield();
    coro_wg_done(a->done);
}

static void ponger(void *p) {
    args *a = p;
    long v;
    while (coro_chan_recv(a->ping, &v) == 1) {
        v++;
        if (coro_chan_send(a->pong, &v) != 0) break;
    }
}

static void parker(void *p) {
    args *a = p;
    char v;
    coro_wg_done(a->done);
    coro_chan_recv(a->release, &v);
}

typedef struct { const char *what; long n; int ret; } main_args;

static void bench_main(void *p) {
    main_args *m = p;
    long n = m->n;
    coro_wg done;
    coro_wg_init(&done);
    args a = { .n = n, .done = &done };
    if (strcmp(m->what, "yield") == 0) {
        coro_wg_add(&done, 2);
        double start = bench_now_ns();
        if (coro_go_stackful(yielder, &a, "yielder") != 0 || coro_go_stackful(yielder, &a, "yielder") != 0) {
            perror("coro_go_stackful");
            m->ret = 1;
            return;
        }
        coro_wg_wait(&done);
        bench_result("yield_ns", (bench_now_ns() - start) / (2.0 * (double)n));
    } else if (strcmp(m->what, "chan") == 0) {
        a.ping = coro_chan_new(sizeof(long), 0);
        a.pong = coro_chan_new(sizeof(long), 0);
        if (!a.ping || !a.pong || coro_go_stackful(ponger, &a, "ponger") != 0) { perror("chan"); m->ret = 1; return; }
        long v = 0;
        double start = bench_now_ns();
        for (long i = 0; i < n; i++) {
            coro_chan_send(a.ping, &v);
            coro_chan_recv(a.pong, &v);
        }
        double elapsed = bench_now_ns() - start;
        coro_chan_close(a.ping);
        bench_result("chan_oneway_ns", elapsed / (2.0 * (double)n));
    } else {
        coro_wg_add(&done, n);
        a.release = coro_chan_new(1, 0);
        long rss_before = bench_rss_bytes();
        double start = bench_now_ns();
        for (long i = 0; i < n; i++)
            if (coro_go_stackful(parker, &a, "parker") != 0) { perror("coro_go_stackful"); exit(1); }
        coro_wg_wait(&done);
        double elapsed = bench_now_ns() - start;
        coro_yield();
        long rss_parked = bench_rss_bytes();
        coro_chan_close(a.release);
        bench_result("spawn_ns", elapsed / (double)n);
        bench_result("mem_bytes", (double)(rss_parked - rss_before) / (double)n);
    }
}

int main(int argc, char **argv) {
    if (argc < 2 || (strcmp(argv[1], "yield") && strcmp(argv[1], "chan") && strcmp(argv[1], "spawn"))) {
        fprintf(stderr, "usage: %s yield|chan|spawn [N]\n", argv[0]);
        return 2;
    }
    main_args m = { argv[1], bench_arg(argc, argv, 2, strcmp(argv[1], "spawn") == 0 ? 100000 : 1000000), 0 };
    if (coro_run_main_stackful(bench_main, &m, "bench_main") != 0) { perror("coro_run_main_stackful"); return 1; }
    return m.ret;
}
