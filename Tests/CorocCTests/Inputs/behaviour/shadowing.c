/* Proves that shadowed locals get their own frame fields and keep their
 * values across suspend points in each scope (compared with the original). */
#include <coro.h>
#include <stdio.h>

CORO static int run(void) {
    int x = 1;
    {
        int x = 2;
        coro_yield();
        {
            int x = 3;
            coro_yield();
            printf("inner x=%d\n", x);
        }
        printf("middle x=%d\n", x);
    }
    for (int x = 10; x < 12; x++) {
        coro_yield();
        printf("loop x=%d\n", x);
    }
    printf("outer x=%d\n", x);
    return 0;
}

int main(void) {
    coro_main(run());
    return 0;
}
