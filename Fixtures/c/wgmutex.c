/* wgmutex: 100 coroutines on 8 workers increment one counter 1000 times each
 * under a coroutine mutex, yielding inside the critical section so that other
 * coroutines contend for it; a wait group tells main when all are done. */
#include <coro.h>
#include <stdio.h>
#include <stdlib.h>

struct shared {
    coro_mutex lock;
    coro_wg done;
    long counter;
    int max_inside;
    int inside;
};

CORO static void worker(struct shared *s, int rounds) {
    for (int i = 0; i < rounds; i++) {
        coro_mutex_lock(&s->lock);
        s->inside++;
        if (s->inside > s->max_inside) s->max_inside = s->inside;
        long c = s->counter;
        if (i % 100 == 0) coro_yield();   /* hold the lock across a suspension */
        s->counter = c + 1;
        s->inside--;
        coro_mutex_unlock(&s->lock);
    }
    coro_wg_done(&s->done);
}

CORO static int run(int workers, int rounds) {
    struct shared s;
    coro_mutex_init(&s.lock);
    coro_wg_init(&s.done);
    s.counter = 0;
    s.max_inside = 0;
    s.inside = 0;
    coro_wg_add(&s.done, workers);
    for (int w = 0; w < workers; w++)
        coro_go(worker(&s, rounds));
    coro_wg_wait(&s.done);
    printf("counter %ld (expected %ld)\n", s.counter, (long)workers * rounds);
    printf("at most %d coroutine(s) inside the lock\n", s.max_inside);
    return 0;
}

int main(void) {
    setenv("CORO_THREADS", "8", 1);
    return coro_main(run(100, 1000));
}
