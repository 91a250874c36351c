/* Proves locals of types declared inside a coroutine live in its frame: an
 * anonymous struct with an initializer, a named struct with two declarators,
 * a typedef of an anonymous struct, anonymous and named enums (their
 * enumerators used after a suspension), an array of an anonymous struct, and
 * a type declared in a block without suspend point, all across suspensions
 * (these were rejected; torture 930628-1's array of an anonymous struct gave
 * output that did not compile).  Compared with the original. */
#include <coro.h>
#include <stdio.h>

struct Outer { int o; };

CORO static int step(int v) { coro_yield(); return v; }

CORO static int run(void) {
    struct { short a; char b; } x = {7, 'q'};
    struct P { int u, v; } p = {1, 2}, *pp = &p;
    typedef struct { int k[3]; } Trip;
    Trip t = {{4, 5, 6}};
    enum { RED, GREEN = 5 } colour = GREEN;
    enum Mode { OFF, ON };
    struct { int f[3]; double d[1][2]; } tp[2][2];
    tp[1][1].d[0][1] = 2.5;
    coro_yield();
    enum Mode m = ON;
    struct P q = *pp;
    x.a += step(x.b);
    {
        struct Inner { int w; } r = {q.v + ON};
        struct P s = {r.w, RED};
        printf("inner %d %d\n", r.w, s.u + s.v);
    }
    struct Outer out = {step(colour)};
    printf("%d %c %d %d %d %d %d %g %d\n", x.a, x.b, p.u + p.v, t.k[2], colour, m, q.u,
           tp[1][1].d[0][1], out.o);
    return 0;
}

int main(void) { return coro_main(run()); }
