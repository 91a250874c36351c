/* sleepsort: each value sleeps value*20 ms on the runtime's timers and then
 * reports itself; the values arrive sorted. */
#include <coro.h>
#include <stdio.h>

CORO static void sleeper(int value, coro_chan *out) {
    coro_sleep_ms(value * 20L);
    coro_chan_send(out, &value);
}

CORO static int sort(void) {
    static const int values[] = { 7, 3, 9, 1, 8, 2, 6, 4, 10, 5 };
    enum { N = sizeof values / sizeof values[0] };
    coro_chan *out = coro_chan_new(sizeof(int), N);
    for (int i = 0; i < N; i++)
        coro_go(sleeper(values[i], out));
    for (int i = 0; i < N; i++) {
        int v;
        coro_chan_recv(out, &v);
        printf("%d\n", v);
    }
    return 0;
}

int main(void) {
    return coro_main(sort());
}
