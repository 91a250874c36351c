/* A K&R coroutine (no prototype, so C checks no argument count) called with
   more arguments than its definition has parameters: the extra ones are
   evaluated, side effects and suspend points included, and dropped, as the
   plain function ignores them (torture 920501-1, 921208-2 were errors). */
#include <stdio.h>
#include <coro.h>

static int calls;
CORO static int tick(void) { coro_yield(); return ++calls; }

CORO static int old(a)
    int a;
{
    coro_yield();
    return a * 10;
}

CORO static int none() { coro_yield(); return 7; }

CORO static void job(n)
    int n;
{
    printf("job %d\n", n);
}

CORO static int run(void) {
    int k = 0;
    int r = old(3, k++, tick());
    int s = none(k++, 5);
    coro_go(job(4, k++));
    coro_yield();
    printf("r %d s %d k %d calls %d\n", r, s, k, calls);
    return 0;
}

int main(void) { return coro_main(run()); }
