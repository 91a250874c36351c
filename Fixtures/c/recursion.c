/* recursion: a coroutine that calls itself 100,000 deep (heap frames, since
 * the call graph has a cycle) and suspends every 1000 levels; the runtime
 * resumes the innermost frame directly, so the C stack never grows.
 * args: none.  Stackful mode runs it on a 32 MiB lazily committed stack. */
// env: CORO_STACK_KB=32768
#include <coro.h>
#include <stdio.h>

CORO static long depth(long n) {
    if (n == 0) return 0;
    if (n % 1000 == 0) coro_yield();
    return 1 + depth(n - 1);
}

CORO static long sum_to(long n) {
    return n == 0 ? 0 : n + sum_to(n - 1);
}

CORO static int run(void) {
    printf("depth %ld\n", depth(100000));
    printf("sum %ld\n", sum_to(10000));
    return 0;
}

int main(void) {
    return coro_main(run());
}
