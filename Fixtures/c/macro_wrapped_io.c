/* macro_wrapped_io: suspend points written in the arguments of macros whose
 * bodies shape the statement around them or print them: `MUST(e)` (a
 * do/while(0) that stringizes e), an assert-like `?:` macro, token pasting
 * and GNU named variadic parameters.  Before, stackless output did not
 * compile ("expected ';' before '}'": the statement pieces came from the
 * macro body) and stackful printed "coro_write(...)" for #e.  Now the macro
 * call is spelled out first (with # and ## done as the preprocessor does), so
 * both modes print what the original prints. */
#include <coro.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MUST(e) do { if ((e) < 0) { printf("failed: %s\n", #e); return -1; } } while (0)
#define SHOW(e) printf("%s -> %d\n", #e, (int)(e))
#define CHECK(e) ((e) ? (void)0 : report(#e, __LINE__))
#define CALL_WITH(prefix, x) prefix##_step(x)
#define LOGF(fmt, args...) printf("log: " fmt "\n", args)
#define TRY(...) do { if ((__VA_ARGS__) < 0) puts("try failed: " #__VA_ARGS__); } while (0)

static void report(const char *what, int line) { printf("check failed: %s (line %d)\n", what, line > 0); }

CORO static int slow_step(int x) {
    coro_yield();
    return x * 3;
}

CORO static int run(int fd) {
    char buf[8];
    MUST(write(fd, "ab", 2));
    SHOW(write(fd, "cde", 3));
    CHECK(write(fd, "", 0) == 1);
    CHECK(CALL_WITH(slow, 2) == 6);
    LOGF("%d and %d", CALL_WITH(slow, 1), (int)write(fd, "f", 1));
    TRY(write(-1, "x", 1));
    for (int i = 0; i < 2; i++) MUST(write(fd, "g", 1));
    MUST(write(-1, "never", 5));
    (void)buf;
    return 0;
}

CORO static int root(void) {
    int p[2];
    if (pipe(p) != 0) return 1;
    int r = run(p[1]);
    close(p[1]);
    char got[32] = {0};
    ssize_t n = read(p[0], got, sizeof got - 1);
    close(p[0]);
    printf("run %d, pipe %zd \"%s\"\n", r, n, got);
    return 0;
}

int main(void) { return coro_main(root()); }
