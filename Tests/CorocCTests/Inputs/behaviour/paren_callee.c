/* Proves: a parenthesized callee, `(g)(x)` or `((g))(x)`, is an await of g
 * like `g(x)` (it was an error, "used as a value"), and a call of a call's
 * result, `pick(i)(x)`, awaits pick with pick's own arguments and then calls
 * what it returned (it was lowered as an await of pick with the outer
 * arguments, silently wrong). */
#include <coro.h>
#include <stdio.h>

typedef int (*op)(int);

static int neg(int x) { return -x; }
static int inc(int x) { return x + 1; }

CORO static int g(int x) {
    coro_yield();
    return x * 10;
}

CORO static op pick(int i) {
    coro_yield();
    return i % 2 ? neg : inc;
}

CORO static int run(void) {
    int a = (g)(3);
    int b = ((g))(4) + (g)((g)(1));
    int c = pick(1)(7) + pick(2)(7) * 100;
    printf("%d %d %d\n", a, b, c);
    return 0;
}

int main(void) { return coro_main(run()); }
