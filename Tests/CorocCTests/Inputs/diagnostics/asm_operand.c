/* Proves: a coroutine called in an asm operand is an error at the call (the
 * operand is read in place, so the suspend point cannot be hoisted out; the
 * output called a function that no longer exists, torture 990130-1). */
#include <coro.h>

static int dummy;

CORO static int *slot(void) { coro_yield(); return &dummy; }

CORO static void bump(void) {
    asm("" : "+r"(*/*1️⃣*/slot()));
}
