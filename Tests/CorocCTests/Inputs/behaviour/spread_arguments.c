/* A spawn whose arguments come from one macro that expands to several
   (`BOTH` -> `1, 2`): both modes spell the macro out and pass both values
   (was an error in both; stackful once copied nothing, `pair_go_stackful(, )`). */
#include <stdio.h>
#include <coro.h>

#define BOTH 1, 2
#define RET(x) return (x)

CORO static void pair(int a, int b, coro_wg *wg) {
    coro_yield();
    printf("pair %d\n", a + b);
    coro_wg_done(wg);
}

CORO static int twice(int x) {
    coro_yield();
    RET(2 * x);
}

CORO static int root(void) {
    coro_wg wg;
    coro_wg_init(&wg);
    coro_wg_add(&wg, 1);
    coro_go(pair(BOTH, &wg));
    coro_wg_wait(&wg);
    printf("twice %d\n", twice(21));
    return 0;
}

int main(void) { return coro_main(root()); }
