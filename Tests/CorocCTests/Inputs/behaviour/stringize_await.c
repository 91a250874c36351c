/* Proves: a macro that stringizes or pastes around an await works in both
 * modes (GCC torture pr88904's `my_assert(e)` and 20040629-1's `T(n, ...)`
 * were rejected in both): stackful keeps it as written (an await is a plain
 * call there), stackless spells it out with # and ## done as the
 * preprocessor does; a coroutine that a macro defines (DEFINE_SCALER) is
 * spelled out too (its callers awaited a frame nothing defined). */
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
