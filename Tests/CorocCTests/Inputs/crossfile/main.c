/* Proves cross-file awaits, with remote.c: this file calls a coroutine it
 * only knows from a CORO prototype, so it uses a heap frame. */
#include <stdio.h>
#include "remote.h"

CORO static int run(void) {
    int sum = 0;
    for (int i = 1; i <= 4; i++) sum += remote_add(i, 10) + remote_twice(0);
    printf("sum %d\n", sum);
    return sum;
}

int main(void) {
    return coro_main(run()) == 50 ? 0 : 1;
}
