/* hoisting_control: suspend points in loop conditions (while, do, for header
 * with continue), switch, designated initializers and compound literals,
 * nested ?:, && and || inside if, a coroutine returning ?: of awaits, and
 * sizeof/_Alignof operands, which are not evaluated (no await happens). */
#include <coro.h>
#include <stdio.h>

struct pair { int a, b; };
static int calls;

CORO static int g(int x) { coro_yield(); calls++; return x * 10 + calls; }
CORO static int f(int x) { coro_yield(); return x + 1; }
CORO static struct pair make_pair(int x) { coro_yield(); struct pair p = { x, x * 2 }; return p; }
CORO static struct pair pick(int c) { return c ? make_pair(f(c)) : make_pair(g(c)); }
CORO static void note(const char *s, int v) { coro_yield(); printf("%s %d\n", s, v); }

CORO static int run(void) {
    int n = 0, i = 0;
    while (f(n) < 4) n++;
    printf("n=%d\n", n);
    do { n--; } while (g(n) % 3 != 0 && n > 0);
    printf("n=%d calls=%d\n", n, calls);
    switch (f(2)) { case 3: printf("three\n"); break; default: printf("other\n"); }
    struct pair p = pick(1), q = pick(0);
    printf("p=%d %d q=%d %d\n", p.a, p.b, q.a, q.b);
    struct pair r = (struct pair){ .b = f(1), .a = g(2) };
    printf("r=%d %d\n", r.a, r.b);
    int arr[4] = { [2] = f(5), [0] = f(6) };
    printf("arr=%d %d %d %d\n", arr[0], arr[1], arr[2], arr[3]);
    p.b += f(g(0));
    arr[f(0)] *= f(2);
    printf("p.b=%d arr1=%d\n", p.b, arr[1]);
    size_t z = sizeof(g(1)) + sizeof make_pair(g(2)) + _Alignof(__typeof__(g(3)));
    printf("z=%zu calls=%d\n", z, calls);
    int before = calls;
    int sum = calls + g(1);
    printf("sum=%d before=%d\n", sum, before);
    int c = (i++, f(i));
    printf("c=%d i=%d\n", c, i);
    note("note", f(g(1)) > 2 ? f(3) : 0);
    for (i = g(0) % 2; i < f(4) && (f(0) || g(100)); i += f(1))
        if (i == 2) continue; else note("for", i);
    printf("calls=%d\n", calls);
    int x = f(0) ? (f(1) ? g(1) : g(2)) : g(3);
    printf("x=%d\n", x);
    if (!f(0) || (g(1) && f(2) > 0)) note("if", 1);
    int *ptr = &arr[0];
    *(ptr + f(0)) = g(7);
    printf("arr1=%d\n", arr[1]);
    return make_pair(f(1)).a - 2;
}

int main(void) { return coro_main(run()); }
