/* Proves the frame policy: parameters and locals of blocks that contain a
 * suspend point are frame fields; a block without suspend points (the `if`
 * body) keeps its local `tmp` as a C local; a shadowing local is renamed. */
#include <coro.h>

CORO CORO_NOPREEMPT static int co(int a) {
    int x = a;
    if (a > 1) {
        int tmp = a * 2;
        x += tmp;
    }
    {
        int x = 5;
        coro_yield();
        a += x;
    }
    return x + a;
}
