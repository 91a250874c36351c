/* Proves, in a coroutine body that suspends: a macro call that expands to
 * several statements is copied once (it came out once per statement), and a
 * macro redefined between statements (#define / #undef inside the body) is
 * expanded with the definition in force there (torture 20020108-1, whose
 * output did not compile).  Compared with the original. */
#include <coro.h>
#include <stdio.h>

#define EACH4 STEP(1) STEP(2) STEP(3) STEP(4)

static int total;   /* not a local: locals named only in macro bodies are rejected */

CORO static int run(void) {
    coro_yield();
    /* first meaning */
#define STEP(N) if (N % 2) total += N;
    EACH4;
#undef STEP
    coro_yield();
#define STEP(N) if (N > 2) printf("step %d total %d\n", N, total);
    EACH4;
#undef STEP
    printf("total %d\n", total);
    return 0;
}

int main(void) { return coro_main(run()); }
