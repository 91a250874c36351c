/* Proves: calling a coroutine from an ordinary function without coro_go or
 * coro_main is an error at the call, and coro_main inside a coroutine too. */
#include <coro.h>

CORO static int work(int n) {
    coro_yield();
    return n;
}

CORO static int nested(void) {
    return /*2️⃣*/coro_main(work(2));
}

int main(void) {
    int r = /*1️⃣*/work(1);
    return r + coro_main(nested());
}
