/* pingpong: two coroutines bounce a ball over two unbuffered channels; every
 * hand-off parks one side and wakes the other. Closing a channel ends the
 * player still waiting on it. */
#include <coro.h>
#include <stdio.h>

CORO static void player(const char *name, coro_chan *in, coro_chan *out, coro_chan *done, int last) {
    for (;;) {
        int ball;
        if (coro_chan_recv(in, &ball) != 1) {
            printf("%s leaves\n", name);
            return;
        }
        ball++;
        if (ball % 125 == 0) printf("%s hits %d\n", name, ball);
        if (ball == last) {
            coro_chan_send(done, &ball);
            return;
        }
        coro_chan_send(out, &ball);
    }
}

CORO static int match(int hits) {
    coro_chan *ping = coro_chan_new(sizeof(int), 0);
    coro_chan *pong = coro_chan_new(sizeof(int), 0);
    coro_chan *done = coro_chan_new(sizeof(int), 0);
    coro_go(player("ping", ping, pong, done, hits));
    coro_go(player("pong", pong, ping, done, hits));
    int ball = 0;
    coro_chan_send(ping, &ball);
    coro_chan_recv(done, &ball);
    printf("final ball %d\n", ball);
    coro_chan_close(ping);
    coro_chan_close(pong);
    return ball == hits ? 0 : 1;
}

int main(void) {
    return coro_main(match(1000));
}
