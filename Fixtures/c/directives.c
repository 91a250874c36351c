/* directives: conditional directives inside a statement of a coroutine body
 * that is rewritten (`#if` / `#else` / `#endif` between an `if` and its
 * branch, GCC torture pr35163): the copy keeps what the preprocessor chose.
 * It gave '#else without #if' in stackless mode. */
#include <coro.h>
#include <stdio.h>

#define WIDE 1

CORO static int step(int x) { coro_yield(); return x + 1; }

CORO static int run(void) {
    int total = 0;
    for (int i = 0; i < 3; i++) {
        total += step(i);
#if WIDE
        if (total > 2)
#else
        if (total > 100)
#endif
            printf("wide %d\n", total);
#ifdef NARROW
        total = -1000;
#endif
    }
    printf("total %d\n", total);
    return 0;
}

int main(void) { return coro_main(run()); }
