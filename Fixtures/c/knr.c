/* knr: K&R-style coroutine definitions (GCC's torture suite has 62): the
 * parameters get their declared types, promoted arguments are converted back
 * as C does for a K&R callee (char, short, float), an undeclared parameter is
 * int, array parameters are pointers, and the coroutine is awaited, embedded
 * and recursive (heap frame) like any other. */
#include <coro.h>
#include <stdio.h>

CORO static int scale(c, s, x, n)
    char c;
    short s;
    float x;
{
    coro_yield();
    return c + s + (int)(x * 4) + n;
}

CORO static int sum(v, n)
    int v[];
    int n;
{
    if (n == 0) return 0;
    coro_yield();
    return v[n - 1] + sum(v, n - 1);
}

CORO static void report(tag, value)
    const char *tag;
    double value;
{
    coro_yield();
    printf("%s %.2f\n", tag, value);
}

CORO static int run()
{
    int v[4] = { 1, 2, 3, 4 };
    int a = scale(300, 70000, 1.25f, 7);
    int b = sum(v, 4);
    report("awaited", a + b / 4.0);
    printf("a=%d b=%d\n", a, b);
    return 0;
}

int main(void) { return coro_main(run()); }
