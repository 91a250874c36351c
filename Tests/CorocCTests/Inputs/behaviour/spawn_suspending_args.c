/* Proves coro_go(f(g(x))) where an argument suspends: the argument (an await
 * of a coroutine, nested awaits, an I/O call) runs in the spawning coroutine
 * before the spawn, and the spawned coroutine gets its value (expected
 * output; the values do not depend on scheduling). */
#include <coro.h>
#include <stdio.h>
#include <unistd.h>

static coro_wg wg;
static int results[3];

CORO static int twice(int x) {
    coro_yield();
    return 2 * x;
}

CORO static void store(int slot, long value) {
    coro_yield();
    results[slot] = (int)value;
    coro_wg_done(&wg);
}

CORO static int run(int fd) {
    char buf[4];
    coro_wg_add(&wg, 3);
    coro_go(store(0, twice(21)));
    coro_go(store(1, read(fd, buf, sizeof buf)));
    coro_go(store(twice(1), twice(twice(5)) + 1));
    coro_wg_wait(&wg);
    printf("%d %d %d\n", results[0], results[1], results[2]);
    return 0;
}

int main(void) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    if (write(fds[1], "abc", 3) != 3) return 1;
    coro_wg_init(&wg);
    coro_main(run(fds[0]));
    return 0;
}
