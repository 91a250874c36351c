/* Proves nested suspend calls `write(fd, b, read(fd, b, n))`, compound
 * assignment with a suspend point, `return f(x) + g(y)` of two coroutines,
 * and arguments with side effects evaluated once (expected output). */
#include <coro.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

CORO static int twice(int x) { coro_yield(); return 2 * x; }
CORO static int plus1(int x) { coro_yield(); return x + 1; }
CORO static int both(int x) { return twice(x) + plus1(x); }

CORO static int run(int in, int out) {
    char b[8];
    long total = 0;
    total += write(out, b, read(in, b, 5));
    total += read(in, b, 3);
    char *p = b;
    int n = 0;
    while (read(in, p++, 1) == 1) n++;
    printf("total=%ld n=%d p-b=%d both=%d\n", total, n, (int)(p - b), both(10));
    return both(3) + twice(plus1(1));
}

int main(void) {
    int a[2], z[2];
    if (pipe(a) || pipe(z)) return 1;
    if (write(a[1], "hello", 5) != 5 || write(a[1], "abcdef", 6) != 6) return 1;
    close(a[1]);
    int r = coro_main(run(a[0], z[1]));
    char got[8] = {0};
    if (read(z[0], got, 5) != 5) return 1;
    printf("result=%d echoed=%s\n", r, got);
    return 0;
}
