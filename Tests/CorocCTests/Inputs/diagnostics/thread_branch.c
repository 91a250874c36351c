/* Proves: liveness follows branches and gotos.  A pthread_self() value that
 * crosses a suspend point on one branch only is a warning (me), and so is one
 * read again through a backward goto (looped); one overwritten on every path
 * after the suspend point is not (other). */
#include <coro.h>
#include <pthread.h>
#include <stdio.h>

CORO static int co(int c) {
    pthread_t /*1️⃣*/me = pthread_self();
    if (c) {
        coro_yield();
    } else {
        me = 0;
    }
    printf("%d\n", me != 0);
    pthread_t other = pthread_self();
    coro_yield();
    if (c) other = 0; else other = 1;
    printf("%d\n", other != 0);
    int n = 0;
    pthread_t /*2️⃣*/looped = pthread_self();
again:
    if (n++ < 2) {
        printf("%d\n", looped != 0);
        coro_yield();
        goto again;
    }
    return 0;
}
