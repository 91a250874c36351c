/* prodcons: three producers and two consumers share a buffered channel of
 * capacity 4; a wait group tells the closer when all producers are done. */
#include <coro.h>
#include <stdio.h>

CORO static void producer(int id, coro_chan *out, int count, coro_wg *wg) {
    for (int i = 1; i <= count; i++) {
        int v = id * 1000 + i;
        coro_chan_send(out, &v);
    }
    coro_wg_done(wg);
}

CORO static void consumer(coro_chan *in, coro_chan *totals) {
    long sum = 0;
    int n = 0, v;
    while (coro_chan_recv(in, &v) == 1) {
        sum += v;
        n++;
    }
    long pair[2] = { sum, n };
    coro_chan_send(totals, pair);
}

CORO static void closer(coro_wg *wg, coro_chan *c) {
    coro_wg_wait(wg);
    coro_chan_close(c);
}

CORO static int run(void) {
    coro_chan *queue = coro_chan_new(sizeof(int), 4);
    coro_chan *totals = coro_chan_new(sizeof(long[2]), 0);
    coro_wg wg;
    coro_wg_init(&wg);
    coro_wg_add(&wg, 3);
    for (int id = 1; id <= 3; id++)
        coro_go(producer(id, queue, 200, &wg));
    coro_go(consumer(queue, totals));
    coro_go(consumer(queue, totals));
    coro_go(closer(&wg, queue));
    long sum = 0, n = 0;
    for (int k = 0; k < 2; k++) {
        long pair[2];
        coro_chan_recv(totals, pair);
        sum += pair[0];
        n += pair[1];
    }
    printf("consumed %ld values, sum %ld\n", n, sum);
    return 0;
}

int main(void) {
    return coro_main(run());
}
