/* Proves that const locals, array / struct / string initializers and scalar
 * brace initializers run at the declaration's point on every pass, and that
 * static locals stay static (one object across activations) (compared with
 * the original). */
#include <coro.h>
#include <stdio.h>

struct pair { int a; const char *name; };

CORO static int visit(int round) {
    static int calls = 0;
    const int limit = 3 + round;
    int squares[] = { round, round * round, 7 };
    struct pair p = { .a = round, .name = "pair" };
    char word[8] = "hey";
    int braced = { 42 };
    coro_yield();
    calls++;
    word[0] = (char)('a' + round);
    printf("round %d: calls=%d limit=%d squares=%d,%d,%d p=%d/%s word=%s braced=%d size=%zu\n", round, calls,
           limit, squares[0], squares[1], squares[2], p.a, p.name, word, braced, sizeof squares);
    return limit;
}

CORO static int run(void) {
    int sum = 0;
    for (int r = 0; r < 3; r++) {
        int fresh[3] = { 0 };
        fresh[r] = visit(r);
        coro_yield();
        sum += fresh[0] + fresh[1] + fresh[2];
    }
    printf("sum %d\n", sum);
    return 0;
}

int main(void) {
    coro_main(run());
    return 0;
}
