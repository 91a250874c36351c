/* Proves that loops written by macros keep compiling in both modes: a
 * `do { ... } while (0)` a macro call expands to stays the macro call (the
 * preemption check once went into the macro's name, stackful
 * `C coro_stackful_preempt_point();HECK(...)`, stackless
 * `do { ...; CHECK(x) } while (CHECK(x))`), and a loop whose body is a macro
 * call is wrapped (`{ coro_stackful_preempt_point(); DEC(n) }`), never edited
 * inside the macro's name. Compared with the original. */
#include <coro.h>
#include <stdio.h>
#include <stdlib.h>

#define DEC(x) { (x)--; }
#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define TWICE(s) do { s; s; } while (0)

CORO static int count_down(int n) {
    int steps = 0;
    CHECK(n >= 0);
    while (n > 5) DEC(n)
    int once = n;
    do DEC(n) while (n > 2);
    for (int i = 0; i < 3; i++) TWICE(steps++);
    coro_yield();
    CHECK(steps == 6);
    return once * 100 + n * 10 + steps;
}

CORO static int run(void) {
    printf("count_down(9) = %d\n", count_down(9));
    return 0;
}

int main(void) {
    return coro_main(run());
}
