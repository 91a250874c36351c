/* macro_body_loop: a loop whose body is a macro call expanding to a comma list
 * built from another macro's name (`while (n--) MULTI(STEP);`, GCC torture
 * pr28982b).  The body's extent starts inside the macro call: stackful mode
 * cut it to insert its preemption check (did not compile), stackless mode
 * printed it as `;` (computed nothing).  The body is kept as the macro call. */
#include <coro.h>
#include <stdio.h>

#define MULTI(X) X(0), X(1), X(2)
#define STEP(I) acc##I += ptr##I[n], ptr##I += inc##I

static int data[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static int *ptr0 = data, *ptr1 = data + 1, *ptr2 = data + 2;
static int acc0, acc1, acc2, inc0 = 0, inc1 = 1, inc2 = 2, n = 3;

CORO static int run(void) {
    coro_yield();
    while (n--)
        MULTI(STEP);
    coro_yield();
    printf("%d %d %d\n", acc0, acc1, acc2);
    return 0;
}

int main(void) { return coro_main(run()); }
