/* Proves the frame policy: every variable has a frame field; scalars whose
 * address is never taken (a, x, the shadowing x renamed x_2) live in C locals
 * (a_r, x_r, x_2_r) that are stored to the frame at the suspension and
 * reloaded on resumption; y, whose address is taken, is used only through the
 * frame; a block without suspend points keeps its local tmp as a C local. */
#include <coro.h>

CORO CORO_NOPREEMPT static int co(int a) {
    int x = a;
    int y = 1;
    int *py = &y;
    if (a > 1) {
        int tmp = a * 2;
        x += tmp;
    }
    {
        int x = 5;
        coro_yield();
        a += x + *py;
    }
    return x + a + y;
}
