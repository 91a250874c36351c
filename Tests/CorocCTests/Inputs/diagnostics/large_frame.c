/* Proves: a frame over 64 KiB is a warning at the coroutine's name (and the
 * translation still succeeds). */
#include <coro.h>
#include <string.h>

CORO static int /*1️⃣*/big(void) {
    char buffer[70000];
    memset(buffer, 1, sizeof buffer);
    coro_yield();
    return buffer[69999];
}
