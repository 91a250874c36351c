/* Proves: a suspend point inside a GNU statement expression is an error at
 * the call; hoisted out, it ran before the statements of the expression and
 * named its locals before their declaration (torture 20001203-2). */
#include <coro.h>

CORO static int grow(int *p, int n) { coro_yield(); return *p + n; }

CORO static int use(int x) {
    int r = ({ int twice = x * 2; /*1️⃣*/grow(&twice, 1); });
    return r;
}
