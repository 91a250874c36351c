/* Proves: a loop body that is a macro call expanding to uses of locals built
 * by token pasting (`MULTI(STEP)`, GCC torture pr28982b) is rejected naming the
 * first local, not printed as an empty statement. */
#include <coro.h>

#define MULTI(X) X(0), X(1)
#define STEP(I) acc##I += n

CORO static int sum(int n) {
    int acc0 = 0, acc1 = 0;
    coro_yield();
    while (n--)
        MULTI(/*1️⃣*/STEP);
    return acc0 + acc1;
}
