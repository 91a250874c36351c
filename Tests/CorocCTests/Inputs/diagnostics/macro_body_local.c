/* Proves: a local built by token pasting in a macro body (`STEP(I)` makes
 * `acc##I`) has no text to rewrite; the translator spells the macro calls
 * out, a round per level of macros calling macros, and when that gives up
 * (8 rounds; here 11 levels) the error names the first local, at the user's
 * text (GCC torture pr28982b had this with 2 levels, now translated:
 * behaviour macro_body_locals.c). */
#include <coro.h>

#define M0(X) X(0)
#define M1(X) M0(X)
#define M2(X) M1(X)
#define M3(X) M2(X)
#define M4(X) M3(X)
#define M5(X) M4(X)
#define M6(X) M5(X)
#define M7(X) M6(X)
#define M8(X) M7(X)
#define M9(X) M8(X)
#define STEP(I) acc##I += n

CORO static int sum(int n) {
    int acc0 = 0;
    coro_yield();
    while (n--)
        M9(/*1️⃣*/STEP);
    return acc0;
}
