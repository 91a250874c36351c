/* Proves that generated names never capture user names: a local called f (the
 * frame pointer's usual name), a label S1 (the usual resume label), locals
 * named like temporaries (t1_) and register locals (n_r), a global shadowed by
 * a later local (compared with the original). */
#include <coro.h>
#include <stdio.h>

static int count = 100;

CORO static int val(int x) { coro_yield(); return x; }

CORO static int run(void) {
    int f = val(1);
    int t1_ = val(2);
    int n = 3, n_r = 4;
    int before = count;
    int count = val(5);
    int loops = 0;
S1:
    loops += val(1);
    if (loops < 3) goto S1;
    printf("f=%d t1_=%d n=%d n_r=%d before=%d count=%d loops=%d\n", f, t1_, n, n_r, before, count, loops);
    return 0;
}

int main(void) {
    coro_main(run());
    return 0;
}
