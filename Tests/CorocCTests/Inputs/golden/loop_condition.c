/* Proves the lowering of a suspend point in a while condition: the loop
 * becomes for (;;) with the read as its own statement and `if (!(c)) break;`,
 * plus one preemption check per iteration. */
#include <coro.h>

CORO static long total(int fd) {
    char buf[64];
    long sum = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        sum += n;
    return sum;
}
