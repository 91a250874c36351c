/* Proves: statements that an #include inside a coroutine body brings in are
 * an error in stackless mode (their text is in another file, and the lowering
 * rewrites the main file's: GCC torture 20040629-1, which includes itself in
 * main, gave output that did not compile). */
#include <coro.h>

CORO static int /*1️⃣*/counted(void) {
    int total = 0;
#include "include_in_body.inc"
    return total;
}

int main(void) { return coro_main(counted()); }
