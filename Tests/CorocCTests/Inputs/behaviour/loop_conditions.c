/* Proves that suspend points in loop conditions, for-init, for-increment and
 * do-while conditions keep C's sequencing, and that `continue` still runs the
 * increment / condition (compared with the untranslated program). */
#include <coro.h>
#include <stdio.h>

CORO static int next(int *counter) {
    coro_yield();
    return (*counter)++;
}

CORO static int run(void) {
    int c = 0;
    while (next(&c) < 3) printf("while c=%d\n", c);
    for (int i = next(&c); i < next(&c) + 2; i += next(&c)) {
        if (i == 5) continue;
        printf("for i=%d c=%d\n", i, c);
    }
    int k = 0;
    do {
        k++;
        if (k == 2) continue;
        printf("do k=%d\n", k);
    } while (next(&c) < 20);
    int sum = 0;
    for (int j = 0; j < 5; j++) {
        if (j == 1) continue;
        sum += next(&c);
    }
    printf("sum=%d c=%d k=%d\n", sum, c, k);
    return 0;
}

int main(void) {
    coro_main(run());
    return 0;
}
