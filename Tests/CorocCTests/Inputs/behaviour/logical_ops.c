/* Proves that &&, ||, ?: and the comma operator evaluate suspend points only
 * when C would (short-circuit) and in C's order (compared with the original). */
#include <coro.h>
#include <stdio.h>

CORO static int val(int x) {
    coro_yield();
    printf("val(%d)\n", x);
    return x;
}

CORO static int run(void) {
    int a = val(1) && val(0) && val(2);
    int b = val(0) || val(3) || val(4);
    int c = val(0) ? val(5) : val(6);
    int d = (val(7), val(8));
    if (val(0) && val(9)) printf("no\n");
    if (val(1) || val(10)) printf("yes\n");
    int e = a + (b ? val(11) : 12) * (val(2) > 1 || val(13));
    val(0) ? (void)val(14) : (void)val(15);
    printf("a=%d b=%d c=%d d=%d e=%d\n", a, b, c, d, e);
    return 0;
}

int main(void) {
    coro_main(run());
    return 0;
}
