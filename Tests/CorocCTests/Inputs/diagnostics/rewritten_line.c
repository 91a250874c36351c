/* Proves: a finding on a line where coroc spelled out a macro call before
 * re-parsing (MUST hides a suspend point) is reported at the user's column
 * and with the user's source line, not the rewritten text's (the expansion
 * is longer than the call, so the column moved). */
#include <coro.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define MUST(e) do { if ((e) < 0) return -1; } while (0)

CORO static int co(void) {
    MUST(write(1, "x\n", 2)); pthread_t /*1️⃣*/me = pthread_self();
    coro_yield();
    printf("%d\n", pthread_equal(me, pthread_self()));
    return 0;
}

int main(void) { return coro_main(co()); }
