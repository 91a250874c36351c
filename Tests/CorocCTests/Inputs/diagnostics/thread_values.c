/* Proves: a pthread_self() value, a pointer to errno and a thread-local's value
 * kept in locals that are used after a suspend point are warnings; a copy of
 * errno's value, or one not used after the suspend point, is not. */
#include <coro.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static _Thread_local int slot;

CORO static int co(void) {
    pthread_t /*1️⃣*/me = pthread_self();
    int */*2️⃣*/err = &errno;
    int saved = errno;
    int /*3️⃣*/mine = slot;
    pthread_t unused_after = pthread_self();
    (void)unused_after;
    coro_yield();
    printf("%d %d %d %d\n", pthread_equal(me, pthread_self()), *err, saved, mine);
    return 0;
}
