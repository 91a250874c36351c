/* Proves that code outside coroutines is kept byte for byte (odd spacing,
 * comments, macros), except coro_go / coro_main, which become coro_spawn of a
 * heap frame and the generated main helper. */
#include <coro.h>
#define TWICE(x)   ((x)  *  2)

static int   helper ( int v )   /* odd spacing stays */
{
    return TWICE(v) ;
}

CORO static void worker(int id) { coro_sleep_ms(id); }

CORO static int entry(int n) {
    for (int i = 0; i < n; i++) coro_go(worker(i));
    return helper(n);
}

int main(void)
{
    coro_go(worker(99));
    return coro_main(entry(3));
}
