/* Proves recursion through heap frames (the call graph has a cycle: fib calls
 * itself, even/odd call each other), with suspend points inside (compared
 * with the original). */
#include <coro.h>
#include <stdio.h>

CORO static long fib(int n) {
    if (n < 2) { coro_yield(); return n; }
    return fib(n - 1) + fib(n - 2);
}

CORO static int is_odd(int n);
CORO static int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }
CORO static int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }

CORO static int run(void) {
    printf("fib(20)=%ld\n", fib(20));
    printf("even(7)=%d odd(7)=%d\n", is_even(7), is_odd(7));
    return 0;
}

int main(void) {
    coro_main(run());
    return 0;
}
