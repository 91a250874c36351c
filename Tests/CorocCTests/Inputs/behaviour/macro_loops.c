/* Proves that a loop whose body is a macro call keeps compiling in stackful
 * mode: the body is wrapped (`{ coro_stackful_preempt_point(); DEC(n) }`),
 * never edited inside the macro's name (it was `D coro_stackful_preempt_point();EC`).
 * Compared with the original in both modes. */
#include <coro.h>
#include <stdio.h>

#define DEC(x) { (x)--; }

CORO static int count_down(int n) {
    while (n > 5) DEC(n)
    int once = n;
    do DEC(n) while (n > 2);
    coro_yield();
    return once * 100 + n;
}

CORO static int run(void) {
    printf("count_down(9) = %d\n", count_down(9));
    return 0;
}

int main(void) {
    return coro_main(run());
}
