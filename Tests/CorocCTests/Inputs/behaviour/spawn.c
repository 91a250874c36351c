/* Proves coro_go inside and outside coroutines and coro_main's result:
 * spawned workers report over a buffered channel, joined by a wait group
 * (expected output; the sum does not depend on scheduling). */
#include <coro.h>
#include <stdio.h>

static coro_chan *results;
static coro_wg wg;

CORO static void worker(int id) {
    coro_sleep_ms(id % 3);
    int v = id * id;
    coro_chan_send(results, &v);
    coro_wg_done(&wg);
}

CORO static int collect(int n) {
    for (int i = 0; i < n; i++) coro_go(worker(i));
    coro_wg_wait(&wg);
    int sum = 0, v;
    for (int i = 0; i < n; i++) {
        coro_chan_recv(results, &v);
        sum += v;
    }
    printf("sum %d\n", sum);
    return sum % 256;
}

int main(void) {
    results = coro_chan_new(sizeof(int), 16);
    coro_wg_init(&wg);
    coro_wg_add(&wg, 10);
    int status = coro_main(collect(10));
    printf("status %d\n", status);
    coro_chan_free(results);
    return 0;
}
