/* Suspend points inside GNU statement expressions `({ ...; e; })`: glibc's
   assert(write(...) == n) (it expands to one), a value computed after a local
   declared inside, one in an operand, one holding a loop that yields, and a
   void one in a comma expression.  Each runs its statements in order where it
   stands (this was an error: hoisted, the await ran before the local it names
   was declared, torture 20001203-2). */
#include <assert.h>
#include <stdio.h>
#include <unistd.h>
#include <coro.h>

CORO static int grow(int *p, int n) { coro_yield(); return *p + n; }

CORO static int run(void) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    assert(write(fds[1], "hi", 2) == 2);
    char buf[3] = {0};
    assert(read(fds[0], buf, 2) == 2);
    printf("read %s\n", buf);
    int x = 5;
    int r = ({ int twice = x * 2; grow(&twice, 1); });
    int s = 10 + ({ int k = grow(&x, 2); k * 2; });
    int sum = ({ int acc = 0; for (int i = 0; i < 4; i++) { coro_yield(); acc += grow(&i, 1); } acc; });
    int t = (({ x = grow(&x, 1); }), x * 3);
    printf("r %d s %d sum %d t %d x %d\n", r, s, sum, t, x);
    close(fds[0]);
    close(fds[1]);
    return 0;
}

int main(void) { return coro_main(run()); }
