/* Proves: a program whose coro_main coroutine never suspends but cannot be
 * lowered (a VLA, alloca, a variadic helper — GCC torture programs whose main
 * has a VLA) runs as the plain C it is: coro_main of a plain form is a call. */
#include <alloca.h>
#include <coro.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

CORO static int total(int n, ...) {
    va_list ap;
    va_start(ap, n);
    int s = 0;
    for (int i = 0; i < n; i++) s += va_arg(ap, int);
    va_end(ap);
    return s;
}

CORO static int square(int x) { return x * x; }

CORO static int run(int n) {
    int grid[n][n];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) grid[i][j] = square(i) + j;
    char *name = alloca(16);
    strcpy(name, "grid");
    printf("%s %d %d %d\n", name, grid[n - 1][n - 1], total(3, grid[0][1], grid[1][0], grid[2][2]), square(n));
    return 0;
}

int main(void) { return coro_main(run(5)); }
