/* Proves: a local whose type is declared inside the coroutine is rejected
 * naming the local — also through arrays and pointers (torture 930628-1: an
 * array of an unnamed struct reached the frame as
 * `__typeof__(struct (unnamed struct at ...))`, which did not compile). */
#include <coro.h>

CORO static int pick(int k) {
    struct { short a; char b; } /*1️⃣*/x = {7, 'q'};
    struct { int f[3]; double d; } /*2️⃣*/tp[4][2];
    struct node { int v; } /*3️⃣*/n = {k};
    struct node */*4️⃣*/p = &n;
    coro_yield();
    tp[1][1].f[0] = x.a;
    return tp[1][1].f[0] + x.b + p->v;
}
