/* generated_names: user names equal to the names the stackless output uses for
 * its own variables.  The resume function's frame pointer (`f`) and its
 * parameter (`self`) must not hide a file-scope function the body calls, also
 * when only a macro body names it; register copies of locals (`i_r`) and
 * temporaries (`t1_`, `c1_`) must not hide globals of those names.  Before,
 * `#define CALLF(x) f(x)` and a call of a function named `self` (GCC torture
 * 980506-2) gave "called object 'f' is not a function". */
#include <coro.h>
#include <stdio.h>

static int f(int x) { return x * 3; }
static int self(int x) { return x + 1; }
int i_r = 100, t1_ = 7, c1_ = 3, S1 = 2;
#define CALLF(x) f(x)
#define CALLSELF self(2)
#define GLOBALS (i_r + t1_ + c1_ + S1)

CORO static int leaf(int x) {
    coro_yield();
    return x;
}

CORO static int mixed(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) {
        coro_yield();
        s += CALLF(i) + CALLSELF + leaf(i) + GLOBALS + i_r;
    }
    return s;
}

CORO static int named_self(int self_count) {
    int total = 0;
    for (int k = 0; k < self_count; k++) total += self(leaf(k));
    return total;
}

CORO static int root(void) {
    printf("mixed=%d named_self=%d\n", mixed(4), named_self(5));
    return 0;
}

int main(void) { return coro_main(root()); }
