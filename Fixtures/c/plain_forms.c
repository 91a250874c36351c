/* plain_forms: coroutines that never suspend but are needed as plain C
 * functions (stackless mode; stackful keeps every function as written):
 * used as values (a qsort comparator, a handler table, a returned pointer,
 * `(f)(x)`), called from plain functions, or written with what a frame
 * cannot hold (variadic, alloca, a VLA, setjmp/longjmp within the function).
 * Each keeps a plain C form: the definition as written, beside its state
 * machine when coroutines also await it.  Before, each was an error
 * ("coroutine 'cmp' used as a value", "variadic coroutine 'sum'") — 90
 * programs of GCC's torture suite. */
#include <alloca.h>
#include <coro.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*handler)(int);

CORO static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

CORO static int square(int x) { return x * x; }
CORO static int triple(int x) { int s = 0; for (int i = 0; i < 3; i++) s += x; return s; }
CORO static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static handler table[] = { square, triple, fib };

CORO static handler pick(int i) { return table[i % 3]; }

CORO static long sum(int n, ...) {
    va_list ap;
    va_start(ap, n);
    long s = 0;
    for (int i = 0; i < n; i++) s += va_arg(ap, int) + square(i);
    va_end(ap);
    return s;
}

CORO static int scratch(int n) {
    char *p = alloca((size_t)n + 1);
    memset(p, 'a', (size_t)n);
    p[n] = 0;
    int s = 0;
    for (int i = 0; i < n; i++) s += p[i] - 'a' + 1;
    return s;
}

CORO static int vla_total(int n) {
    int v[n];
    for (int i = 0; i < n; i++) v[i] = triple(i);
    int s = 0;
    for (int i = 0; i < n; i++) s += v[i];
    return s;
}

static jmp_buf env;
CORO static int jumps(int n) {
    volatile int count = 0;
    if (setjmp(env) < n) { count++; longjmp(env, count); }
    return count;
}

CORO static int counter(void) { static int calls; return ++calls; }

static int plain_caller(int x) { return square(x) + counter(); }

CORO static int worker(int id, coro_chan *out) {
    int acc = 0;
    for (int r = 0; r < 3; r++) {
        coro_yield();
        acc += pick(id + r)(id + 2) + (fib)(id + 5) + square(id);   /* square: awaited */
    }
    coro_chan_send(out, &acc);
    return acc;
}

CORO static int root(void) {
    int v[] = { 5, -2, 9, 0, 3 };
    qsort(v, 5, sizeof v[0], cmp_int);
    printf("sorted %d %d %d %d %d\n", v[0], v[1], v[2], v[3], v[4]);
    coro_chan *out = coro_chan_new(sizeof(int), 4);
    for (int id = 0; id < 4; id++) coro_go(worker(id, out));
    int total = 0;
    for (int id = 0; id < 4; id++) { int a; coro_chan_recv(out, &a); total += a; }
    printf("workers %d\n", total);
    printf("sum %ld scratch %d vla %d jumps %d\n", sum(3, 10, 20, 30), scratch(7), vla_total(5), jumps(4));
    int p1 = plain_caller(3), p2 = plain_caller(4);
    printf("plain %d %d counter %d square %d\n", p1, p2, counter(), square(12));
    return 0;
}

int main(void) { return coro_main(root()); }
