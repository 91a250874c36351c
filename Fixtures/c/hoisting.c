/* hoisting: suspend points nested in operands are evaluated first, in written
 * order, into temporaries: call arguments at any depth (f(g(3))), initializer
 * lists of arrays and structs, struct-returning coroutines as arguments
 * (swap(make_pair(5))), conditions, for headers, && || ?: (short-circuit kept),
 * compound assignment, subscripts and members of frame aggregates. */
#include <coro.h>
#include <stdio.h>

struct pair { int a, b; };
struct outer { struct pair p; int k; };

static int calls;

CORO static int g(int x) { coro_yield(); calls++; return x * 10 + calls; }
CORO static int f(int x) { coro_yield(); return x + 1; }
CORO static struct pair make_pair(int x) { coro_yield(); struct pair p = { x, x * 2 }; return p; }
CORO static struct pair swap(struct pair p) { coro_yield(); struct pair q = { p.b, p.a }; return q; }
CORO static struct outer make_outer(struct pair p, int k) { coro_yield(); struct outer o = { p, k }; return o; }

CORO static int run(void) {
    int b = f(g(3));
    printf("b=%d\n", b);
    int d[2] = { g(5), g(6) };
    printf("d=%d %d\n", d[0], d[1]);
    struct pair q = swap(make_pair(5));
    printf("q=%d %d\n", q.a, q.b);
    struct outer o = make_outer(make_pair(6), 3);
    printf("o=%d %d %d\n", o.p.a, o.p.b, o.k);
    struct pair r = { g(1), f(2) };
    printf("r=%d %d\n", r.a, r.b);
    if (f(g(1)) > 10) printf("cond yes\n"); else printf("cond no\n");
    int s = 0;
    for (int i = f(0); i < f(3); i += f(0)) s += i;
    printf("s=%d\n", s);
    int t = (f(0) > 5 && g(9) > 0) || f(1) == 2;
    printf("t=%d calls=%d\n", t, calls);
    int u = f(0) ? g(2) : g(3);
    printf("u=%d\n", u);
    u += f(g(1));
    printf("u=%d\n", u);
    d[f(0)] = g(4);
    printf("d=%d %d\n", d[0], d[1]);
    o.p.a = f(f(f(1)));
    printf("o.p.a=%d\n", o.p.a);
    int w = swap(make_pair(f(7))).a + make_pair(1).b;
    printf("w=%d\n", w);
    return f(g(0)) - calls - 1;
}

int main(void) { return coro_main(run()); }
