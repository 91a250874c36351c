/* Proves: coroutines that never suspend and are needed as plain C functions
 * keep a plain form, each with a warning at its definition: a comparator used
 * only as a value (plain only), a coroutine awaited and used as a value (both
 * forms), a variadic one (plain only, with Reject's reason), and the callee of
 * a plain form (both forms, since a coroutine awaits it too). */
#include <coro.h>
#include <stdarg.h>
#include <stdlib.h>

CORO static int /*1️⃣*/cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
CORO static int /*2️⃣*/twice(int x) { return 2 * x; }
CORO static int /*3️⃣*/sum(int n, ...) {
    va_list ap;
    va_start(ap, n);
    int s = 0;
    for (int i = 0; i < n; i++) s += twice(va_arg(ap, int));
    va_end(ap);
    return s;
}

static int (*fp)(int) = twice;

CORO static int run(void) {
    int v[2] = { 2, 1 };
    qsort(v, 2, sizeof *v, cmp);
    coro_yield();
    return twice(v[0]) + sum(1, 5) + fp(1);
}

int main(void) { return coro_main(run()); }
