/*
 * pthreads.c — the OS-thread peer:
 *  yield_ns        two threads pinned to one CPU calling sched_yield()
 *  chan_oneway_ns  ping-pong through a one-slot mailbox (mutex + condition
 *                  variables), the usual way to hand a value to a thread
 *  spawn_ns        pthread_create of N threads (64 KB stacks) that each check
 *                  in and park on a condition variable, per thread
 *  mem_bytes       resident memory per parked thread
 * Usage: pthreads [yields] [round trips] [threads]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include "bench_util.h"

/* ---- yield ---- */
static long yields;
static void *yielder(void *arg) {
    (void)arg;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    for (long i = 0; i < yields; i++) sched_yield();
    return NULL;
}

/* ---- mailbox ping-pong ---- */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int full;
    long value;
} mailbox;
static mailbox ping = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
static mailbox pong = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };

static void put(mailbox *m, long v) {
    pthread_mutex_lock(&m->mu);
    while (m->full) pthread_cond_wait(&m->cv, &m->mu);
    m->value = v;
    m->full = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
}
static long take(mailbox *m) {
    pthread_mutex_lock(&m->mu);
    while (!m->full) pthread_cond_wait(&m->cv, &m->mu);
    long v = m->value;
    m->full = 0;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    return v;
}
static long round_trips;
static void *ponger(void *arg) {
    (void)arg;
    for (long i = 0; i < round_trips; i++) put(&pong, take(&ping) + 1);
    return NULL;
}

/* ---- spawn until parked ---- */
static pthread_mutex_t park_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cv = PTHREAD_COND_INITIALIZER, started_cv = PTHREAD_COND_INITIALIZER;
static long started;
static int released;
static void *parker(void *arg) {
    (void)arg;
    pthread_mutex_lock(&park_mu);
    started++;
    pthread_cond_signal(&started_cv);
    while (!released) pthread_cond_wait(&park_cv, &park_mu);
    pthread_mutex_unlock(&park_mu);
    return NULL;
}

int main(int argc, char **argv) {
    yields = bench_arg(argc, argv, 1, 300000);
    round_trips = bench_arg(argc, argv, 2, 100000);
    long threads = bench_arg(argc, argv, 3, 5000);

    pthread_t a, b;
    double start = bench_now_ns();
    pthread_create(&a, NULL, yielder, NULL);
    pthread_create(&b, NULL, yielder, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    bench_result("yield_ns", (bench_now_ns() - start) / (2.0 * (double)yields));

    pthread_create(&a, NULL, ponger, NULL);
    long v = 0;
    start = bench_now_ns();
    for (long i = 0; i < round_trips; i++) { put(&ping, v); v = take(&pong); }
    double elapsed = bench_now_ns() - start;
    pthread_join(a, NULL);
    bench_result("chan_oneway_ns", elapsed / (2.0 * (double)round_trips));

    pthread_t *ids = malloc((size_t)threads * sizeof *ids);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    long rss_before = bench_rss_bytes();
    start = bench_now_ns();
    long made = 0;
    for (; made < threads; made++)
        if (pthread_create(&ids[made], &attr, parker, NULL) != 0) break;
    pthread_mutex_lock(&park_mu);
    while (started < made) pthread_cond_wait(&started_cv, &park_mu);
    pthread_mutex_unlock(&park_mu);
    elapsed = bench_now_ns() - start;
    long rss_parked = bench_rss_bytes();
    pthread_mutex_lock(&park_mu);
    released = 1;
    pthread_cond_broadcast(&park_cv);
    pthread_mutex_unlock(&park_mu);
    for (long i = 0; i < made; i++) pthread_join(ids[i], NULL);
    if (made == 0) { fprintf(stderr, "pthreads: no thread could be created\n"); return 1; }
    bench_result("spawn_ns", elapsed / (double)made);
    bench_result("mem_bytes", (double)(rss_parked - rss_before) / (double)made);
    return 0;
}
