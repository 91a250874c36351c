// A plain function that a macro defines and that calls (or takes the address
// of) a coroutine that suspends is checked like one written out: its call
// would name a function the translation removes ("undefined reference to
// `rnd'").  (A coroutine that never suspends would keep a plain form.)
#include <coro.h>

CORO int rnd(void) { static int s = 1; coro_yield(); s = s * 7 + 3; return s % 100; }

#define DEF(N) int get##N(void) { return rnd() + N; }
#define PTR(N) int (*ptr##N(void))(void) { return rnd; }

/*1️⃣*/DEF(1)
/*2️⃣*/PTR(2)

CORO int run(void) { return 0; }
