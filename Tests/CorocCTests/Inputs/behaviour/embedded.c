/* Proves embedded child frames: a non-recursive chain leaf <- middle <- top
 * calls with its callees' frames inside its own, in a loop, with results and
 * void callees (compared with the original). */
#include <coro.h>
#include <stdio.h>

CORO static int leaf(int x) { coro_yield(); return x * x; }
CORO static void note(int x) { coro_yield(); printf("note %d\n", x); }
CORO static int middle(int x) {
    int s = 0;
    for (int i = 0; i < x; i++) s += leaf(i);
    note(s);
    return s;
}
CORO static int top(void) {
    int total = 0;
    for (int i = 1; i <= 4; i++) total += middle(i) + leaf(i);
    printf("total %d\n", total);
    return 0;
}

int main(void) {
    coro_main(top());
    return 0;
}
