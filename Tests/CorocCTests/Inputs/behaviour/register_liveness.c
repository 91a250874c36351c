/* Proves that register locals (scalars kept in C locals of the resume
 * function) keep their values across suspend points when only the live ones
 * are saved: values read in a later loop iteration, in a branch or switch
 * case written earlier in the text, after a do-while, in the "call again"
 * arguments of an I/O call, and parameters read only at the end
 * (compared with the original). */
#include <coro.h>
#include <stdio.h>
#include <unistd.h>

CORO static int run(int n, int fd) {
    int before = n * 2;              /* dead after the first yield */
    printf("before %d\n", before);
    coro_yield();
    int acc = 0, last = -1;
    for (int i = 0; i < n; i++) {
        if (i % 2 == 0) {
            acc += last;             /* last: written after the yield, read next iteration */
        } else {
            coro_yield();
        }
        switch (i % 3) {
        case 0: acc += 100; break;
        case 1: coro_yield(); acc -= 1; break;
        default: acc *= 2; break;
        }
        last = i;
    }
    int k = 3;
    do {
        coro_yield();
        acc += k;
    } while (--k > 0);
    char buf[8] = { 0 };
    int want = (int)sizeof buf - 1;  /* read in the call-again arguments */
    long got = read(fd, buf, (size_t)want);
    printf("acc %d last %d got %ld n %d\n", acc, last, got, n);
    return 0;
}

int main(void) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    if (write(fds[1], "abc", 3) != 3) return 1;
    close(fds[1]);
    coro_main(run(7, fds[0]));
    return 0;
}
