/* Proves CORO_NOPREEMPT: no back-edge checks, and a loop without suspend
 * points is copied as written (its counter stays a C local). */
#include <coro.h>

CORO CORO_NOPREEMPT static int spin(int n) {
    int s = 0;
    coro_yield();
    for (int i = 0; i < n; i++) s += i;
    return s;
}
