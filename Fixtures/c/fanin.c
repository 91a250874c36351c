/* fanin: two sources on separate channels are merged by a select loop (a nil
 * channel disables a finished source, as in Go), then fanned out to three
 * squaring workers; results are summed. */
#include <coro.h>
#include <stdio.h>

CORO static void source(int first, int count, coro_chan *out) {
    for (int i = 0; i < count; i++) {
        int v = first + i;
        coro_chan_send(out, &v);
    }
    coro_chan_close(out);
}

CORO static void merge(coro_chan *a, coro_chan *b, coro_chan *out) {
    int from_a = 0, from_b = 0;
    while (a != NULL || b != NULL) {
        int v;
        coro_select_case cases[2] = {
            { CORO_SELECT_RECV, a, &v, 0 },
            { CORO_SELECT_RECV, b, &v, 0 },
        };
        int which = coro_select(cases, 2, 0);
        if (!cases[which].ok) {
            if (which == 0) a = NULL; else b = NULL;
            continue;
        }
        if (which == 0) from_a++; else from_b++;
        coro_chan_send(out, &v);
    }
    printf("merged %d from a, %d from b\n", from_a, from_b);
    coro_chan_close(out);
}

CORO static void squarer(coro_chan *in, coro_chan *results) {
    int v;
    long sum = 0;
    while (coro_chan_recv(in, &v) == 1)
        sum += (long)v * v;
    coro_chan_send(results, &sum);
}

CORO static int pipeline(void) {
    coro_chan *a = coro_chan_new(sizeof(int), 0);
    coro_chan *b = coro_chan_new(sizeof(int), 2);
    coro_chan *merged = coro_chan_new(sizeof(int), 0);
    coro_chan *results = coro_chan_new(sizeof(long), 0);
    coro_go(source(1, 100, a));
    coro_go(source(1001, 50, b));
    coro_go(merge(a, b, merged));
    for (int w = 0; w < 3; w++)
        coro_go(squarer(merged, results));
    long total = 0;
    for (int w = 0; w < 3; w++) {
        long part;
        coro_chan_recv(results, &part);
        total += part;
    }
    printf("sum of squares %ld\n", total);
    return 0;
}

int main(void) {
    return coro_main(pipeline());
}
