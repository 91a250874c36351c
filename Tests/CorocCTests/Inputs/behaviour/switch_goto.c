/* Proves that user switch (suspend points in cases, fallthrough, default),
 * forward and backward goto, labels, break and continue keep working around
 * suspend points (compared with the original). */
#include <coro.h>
#include <stdio.h>

CORO static int val(int x) { coro_yield(); return x; }

CORO static int run(void) {
    int total = 0;
    for (int i = 0; i < 6; i++) {
        switch (val(i)) {
        case 0:
            total += val(1);
            break;
        case 1:
        case 2:
            total += 10;
            /* fallthrough */
        case 3:
            total += val(100);
            if (i == 3) continue;
            break;
        default:
            total += 1000;
        }
        printf("i=%d total=%d\n", i, total);
    }
    int n = 0;
again:
    n += val(1);
    if (n < 4) goto again;
    if (n == 4) goto done;
    printf("not reached\n");
done:
    printf("n=%d\n", n);
    int m = 0;
    while (1) {
        if (++m > 3) break;
        if (m == 2) continue;
        printf("m=%d %d\n", m, val(m));
    }
    return 0;
}

int main(void) {
    coro_main(run());
    return 0;
}
