/* Proves (stackful): a macro that stringizes or pastes around an await is
 * kept as written — an await is a plain call in stackful output, so nothing
 * in the macro needs expanding (GCC torture pr88904's `my_assert(e)` and
 * 20040629-1's `T(n, ...)` were rejected in both modes).  Stackless still
 * rejects it: its awaits must be spelled out. */
#include <coro.h>
#include <stdio.h>

#define CHECK(e) ((e) ? (void)0 : report(#e, __LINE__))
#define LOG_CALL(f, x) printf("%s = %d\n", #f, f(x))
#define DEFINE_SCALER(n) CORO static int scale_##n(int x) { coro_yield(); return x * n; }

CORO static void report(const char *what, int line) { printf("failed: %s at %d\n", what, line); }
CORO static int twice(int x) { coro_yield(); return 2 * x; }
DEFINE_SCALER(3)

CORO static int run(void) {
    CHECK(twice(2) == 4);
    CHECK(twice(3) == 5);
    LOG_CALL(twice, 21);
    LOG_CALL(scale_3, 7);
    return 0;
}

int main(void) { return coro_main(run()); }
