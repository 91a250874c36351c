/* Proves which loops get no back-edge check of their own (ShortLoops): only
 * `short_` loops below have none (constant bounds, at most 1024 trips, no
 * call or jump in the body, no loop but short ones with at most 16384
 * iterations in all, counter only read); every `checked_` loop
 * keeps a check: a bound too large or not constant, a step other than +1, a
 * huge unsigned bound (checked_big, checked_var, checked_step, checked_neg
 * are counted loops, strip-mined by StripLoops with one check per strip of
 * up to 1024 trips), a counter written in the body, a call in the body, a
 * nest of too many iterations (200 x 100) or with a checked loop in it, an
 * outer counter written in an inner loop. */
#include <coro.h>

enum { N = 96 };
int g(int);

CORO long loops(int *a, int n) {
    long s = 0;
    for (int short_1 = 0; short_1 < N; short_1++) s += a[short_1];
    for (int short_2 = 0; short_2 <= 1023; ++short_2) s ^= short_2;
    for (int checked_big = 0; checked_big < 1025; checked_big++) s += checked_big;
    for (int checked_var = 0; checked_var < n; checked_var++) s += checked_var;
    for (int checked_write = 0; checked_write < 8; checked_write++) { s += checked_write; checked_write += s & 1; }
    for (int checked_call = 0; checked_call < 8; checked_call++) s += g(checked_call);
    for (int checked_step = 0; checked_step < 8; checked_step += 2) s += checked_step;
    for (int short_outer = 0; short_outer < 8; short_outer++)
        for (int short_inner = 0; short_inner < 8; short_inner++) s += short_inner * short_outer;
    for (int checked_outer = 0; checked_outer < 200; checked_outer++)
        for (int short_inner2 = 0; short_inner2 < 100; short_inner2++) s += short_inner2 * checked_outer;
    for (int checked_nest = 0; checked_nest < 8; checked_nest++)
        for (int checked_inner = 0; checked_inner < n; checked_inner++) s += checked_inner;
    for (int checked_outer2 = 0; checked_outer2 < 8; checked_outer2++)
        for (int short_inner3 = 0; short_inner3 < 8; short_inner3++) checked_outer2 += s & 1;
    unsigned checked_neg;
    for (checked_neg = 0; checked_neg < (unsigned)-1; checked_neg++) s++;
    return s;
}
