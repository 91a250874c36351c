/* Proves that suspend points reached through macros are found and lowered:
 * a catalogue call inside a macro body, a coroutine call inside one, and a
 * macro around an ordinary expression with frame variables (expected output). */
#include <coro.h>
#include <stdio.h>
#include <unistd.h>

#define READ_ALL(fd, b) read(fd, b, sizeof(b))
#define TWICE(x) (dbl(x))
#define ADD(a, b) ((a) + (b))

CORO static int dbl(int x) { coro_yield(); return 2 * x; }

CORO static int run(int fd) {
    char buf[4];
    ssize_t n = READ_ALL(fd, buf);
    int t = TWICE(21);
    int s = ADD(t, (int)n);
    printf("n=%zd t=%d s=%d first=%c\n", n, t, s, buf[0]);
    return 0;
}

int main(void) {
    int p[2];
    if (pipe(p) != 0 || write(p[1], "wxyz", 4) != 4) return 1;
    return coro_main(run(p[0]));
}
