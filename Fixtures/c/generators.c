/* generators: a coroutine produces Fibonacci numbers through an unbuffered
 * channel until the consumer closes `quit` (Go's fibonacci-with-select). */
#include <coro.h>
#include <stdio.h>

CORO static void fibonacci(coro_chan *out, coro_chan *quit) {
    long a = 0, b = 1;
    for (;;) {
        coro_select_case cases[2] = {
            { CORO_SELECT_SEND, out, &a, 0 },
            { CORO_SELECT_RECV, quit, NULL, 0 },
        };
        int which = coro_select(cases, 2, 0);
        if (which == 1) {
            printf("generator: quit\n");
            return;
        }
        long next = a + b;
        a = b;
        b = next;
    }
}

CORO static int consume(int n) {
    coro_chan *values = coro_chan_new(sizeof(long), 0);
    coro_chan *quit = coro_chan_new(sizeof(int), 0);
    coro_go(fibonacci(values, quit));
    long sum = 0;
    for (int i = 0; i < n; i++) {
        long v;
        coro_chan_recv(values, &v);
        printf("%ld\n", v);
        sum += v;
    }
    printf("sum of the first %d: %ld\n", n, sum);
    int done = 1;
    coro_chan_send(quit, &done);
    return 0;
}

int main(void) {
    return coro_main(consume(20));
}
