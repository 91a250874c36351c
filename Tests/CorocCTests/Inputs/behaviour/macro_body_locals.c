/* Locals named only inside macro bodies (`acc##I`, declarations a macro
   makes, an initializer that is all macro) and expressions written across
   macro bodies, in a coroutine that suspends: the translator spells those
   macro calls out and translates again, a round per level of macros that
   call macros (these were errors: "local used inside a macro body", GCC
   torture 20021120-1, pr28982a, pr53645).  A macro redefined inside the body
   expands with the definition in force at each call. */
#include <stdio.h>
#include <coro.h>

#define OP1(L, N, R, I, J) L N##I##J R
#define OP2(L, N, R, I) OP1(L, N, R, 0, I), OP1(L, N, R, 1, I)
#define OP(L, N, R) OP2(L, N, R, 0), OP2(L, N, R, 1)
#define DECLARE(N) OP (, N,)
#define COPYIN(N, ADDR) OP (, N, = *(ADDR++))
#define ADD(N, ADDR) OP (, N, += *(ADDR++))

#define MULTI(X) X(0), X(1), X(2)
#define DECLAREI(I) inc##I = incs[I]
#define STEP(I) acc##I += inc##I

static double g[4] = {1, 2, 3, 4};
static int incs[3] = {5, 6, 7};

CORO static int run(int n) {
    double DECLARE(d);
    double *p = g;
    COPYIN(d, p);
    int MULTI(DECLAREI);
    int acc0 = 0, acc1 = 0, acc2 = 0;
    for (int k = 0; k < n; k++) {
        coro_yield();
        MULTI(STEP);
        p = g;
        ADD(d, p);
    }
#define SHOW(tag) printf("%s %g %g %g %g\n", tag, d00, d10, d01, d11)
    SHOW("first");
    coro_yield();
#undef SHOW
#define SHOW(tag) printf("%s %d %d %d\n", tag, acc0, acc1, acc2)
    SHOW("second");
    return 0;
}

int main(void) { return coro_main(run(3)); }
