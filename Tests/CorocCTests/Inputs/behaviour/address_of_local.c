/* Proves that &local stays valid across suspension (locals live in the frame),
 * including a pointer handed to another coroutine and a compound literal
 * (compared with the original). */
#include <coro.h>
#include <stdio.h>

struct point { int x, y; };

CORO static void bump(int *p, int by) {
    coro_yield();
    *p += by;
}

CORO static int run(void) {
    int counter = 0;
    int *alias = &counter;
    bump(&counter, 5);
    coro_yield();
    *alias += 1;
    struct point *pt = &(struct point){ 3, 4 };
    coro_yield();
    pt->x += counter;
    bump(&pt->y, 10);
    int arr[4] = { 1, 2, 3, 4 };
    int *q = &arr[2];
    bump(q, 30);
    printf("counter=%d pt=(%d,%d) arr=%d,%d,%d,%d\n", counter, pt->x, pt->y, arr[0], arr[1], arr[2], arr[3]);
    return 0;
}

int main(void) {
    coro_main(run());
    return 0;
}
