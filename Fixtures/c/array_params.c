/* array_params: a parameter declared as an array or a function has the
 * adjusted type (C11 6.7.6.3p7-8), a pointer, also in the frame: the caller's
 * pointer is stored (not copied as an array), writes reach the caller's array,
 * sizeof gives the pointer's size, and the parameter can be advanced. */
#include <coro.h>
#include <stdio.h>

CORO static int sum_rows(int a[][2], int rows) {
    int s = 0;
    for (int i = 0; i < rows; i++) { coro_yield(); s += a[i][0] * 10 + a[i][1]; }
    a[0][0] = 99;
    return s;
}

CORO static int count(const char s[], char out[16]) {
    int n = 0;
    while (*s) { coro_yield(); out[n++] = *s++ - 32; }
    out[n] = 0;
    return n + (int)(sizeof out == sizeof(char *)) * 100;
}

CORO static int apply(int g(int), int x) { coro_yield(); return g(x); }

static int twice(int x) { return 2 * x; }

CORO static int run(void) {
    int m[3][2] = { { 1, 2 }, { 3, 4 }, { 5, 6 } };
    char buf[16];
    int s = sum_rows(m, 3);
    int n = count("coro", buf);
    printf("s=%d m00=%d n=%d buf=%s apply=%d\n", s, m[0][0], n, buf, apply(twice, 21));
    return 0;
}

int main(void) { return coro_main(run()); }
