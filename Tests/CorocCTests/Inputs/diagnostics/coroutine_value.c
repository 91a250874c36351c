/* Proves: a coroutine used as a value (not called) is an error at the use in
 * stackless mode, in and outside coroutines: a table, return, assignment,
 * initializer, &f as an argument; plain calls are fine, parenthesized
 * callees `(c7)(n)` too (they are calls). */
#include <coro.h>

typedef int (*handler)(int);

CORO static int c1(int n) { coro_yield(); return n; }
CORO static int c7(int n) { coro_yield(); return n; }
CORO static int c2(int n) { return (c7)(n) + c1(1); }
CORO static int c3(int n) { return c2(n); }
CORO static int c4(int n) { return c3(n); }
CORO static int c5(int n) { return c4(n); }
CORO static int c6(int n) { return c5(n); }

static handler table[2] = { /*1️⃣*/c1, /*2️⃣*/c2 };

static int apply(handler h, int n) { return h(n); }

static handler pick(void) {
    return /*3️⃣*/c3;
}

CORO static int user(void) {
    handler fp;
    fp = /*4️⃣*/c4;
    int (*cb)(int) = /*5️⃣*/c5;
    return c6(2) + apply(&/*6️⃣*/c6, 1) + (fp != cb);
}

int main(void) {
    return coro_main(user()) + (table[0] == pick());
}
