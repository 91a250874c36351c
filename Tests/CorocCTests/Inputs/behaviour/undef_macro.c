/* A macro defined inside a coroutine body, hiding an await, and #undef'd
   after its calls (GCC torture va-arg-22's `#define D(N) ... bar (N, a##N);`
   then `#undef D`): libclang calls such a macro object-like, so its calls
   were spelled out as the raw replacement list (`(N) bar (N, N);`, a parse
   error naming N).  Function-like is now read from the definition's text. */
#include <stdio.h>
#include <coro.h>

CORO static void bar(int n, int c) { coro_yield(); printf("bar %d %d\n", n, c); }

CORO static int foo(void) {
    int a0 = 1, a1 = 2, i;
#define D(N)                    \
    a##N = a##N + 1;            \
    for (i = 0; i < N + 1; i++) \
        bar (N, a##N);
    D(0) D(1)
#undef D
#define D(N) bar (N, N);
    D(7)
#undef D
    printf("sum %d\n", a0 + a1);
    return 0;
}

int main(void) { return coro_main(foo()); }
