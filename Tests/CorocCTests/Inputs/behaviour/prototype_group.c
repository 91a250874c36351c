/* Proves a prototype that declares a coroutine together with other functions
 * (`void show (), twice (), plain ();`, as old code writes them) is kept
 * whole: cutting the coroutine's declarator out left `, twice (), plain ();`
 * (torture 20010605-2).  Compared with the original. */
#include <coro.h>
#include <stdio.h>

void show (), twice (), plain ();

CORO int run(void) {
    show(1);
    twice(2);
    plain(3);
    return 0;
}

CORO void show(int x) { coro_yield(); printf("show %d\n", x); }
CORO void twice(int x) { show(x); show(x); }
void plain(int x) { printf("plain %d\n", x); }

int main(void) { return coro_main(run()); }
