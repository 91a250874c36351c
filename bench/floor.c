/*
 * floor.c — the floor for "yield through the scheduler": a hand-written
 * stackless state machine and a one-thread ring run queue, no runtime at all.
 * Two tasks each resume, count, and requeue themselves; a resume is an
 * indirect call through the task's function pointer, as in the runtime, so
 * this is the least a scheduler-driven yield can cost.
 *
 * Prints "RESULT yield_ns <ns per resume>".  Usage: floor [yields per task]
 */
#include "bench_util.h"

typedef struct task task;
typedef int (*resume_fn)(task *t);   /* 1 = yielded, 0 = done */
struct task {
    resume_fn resume;
    int state;
    long i, n;
};

enum { RING = 256 };                 /* power of two; holds every task */
static task *ring[RING];
static unsigned head, tail;

static int yielder_resume(task *t) {
    switch (t->state) {
    case 0: break;
    case 1: goto S1;
    }
    for (t->i = 0; t->i < t->n; t->i++) {
        t->state = 1;
        return 1;
    S1:;
    }
    return 0;
}

/* noinline, so the compiler cannot see which function it calls */
__attribute__((noinline)) static void run_queue(void) {
    while (head != tail) {
        task *t = ring[head++ % RING];
        if (t->resume(t)) ring[tail++ % RING] = t;
    }
}

int main(int argc, char **argv) {
    long n = bench_arg(argc, argv, 1, 20000000);
    task a = { yielder_resume, 0, 0, n }, b = { yielder_resume, 0, 0, n };
    ring[tail++] = &a;
    ring[tail++] = &b;
    double start = bench_now_ns();
    run_queue();
    bench_result("yield_ns", (bench_now_ns() - start) / (2.0 * (double)n));
    return 0;
}
