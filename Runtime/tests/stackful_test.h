/*
 * stackful_test.h — helpers for the stackful-mode tests that stop at the
 * first failure (test_stackful_basic.c, _many.c, _overflow.c, _stack.c).
 *
 * Their CHECK takes a printf message and exits 1 on the first failed check:
 * these tests probe stacks, guard pages and signals, where going on after a
 * broken invariant would only crash less clearly.  They print what they
 * proved and end with "<test>: ok".  (test_stackful_io.c and _migrate.c use
 * rt_test.h's counting CHECK instead.)
 */
#ifndef STACKFUL_TEST_H
#define STACKFUL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);      \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
            exit(1);                                                             \
        }                                                                        \
    } while (0)

/* CORO_TEST_SCALE (make test-long sets 10), at least 1. */
static inline int stackful_scale(void) {
    const char *s = getenv("CORO_TEST_SCALE");
    int k = s ? atoi(s) : 1;
    return k > 0 ? k : 1;
}

/* The number of kernel map entries of this process (lines of /proc/self/maps),
 * or -1 if it cannot be read. */
static inline long map_count(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return -1;
    long n = 0;
    int c;
    while ((c = fgetc(f)) != EOF) n += c == '\n';
    fclose(f);
    return n;
}

/* In a forked child: exec this program again as `self arg1 arg2` (arg2 may
 * be NULL), through $CORO_TEST_RUNNER when set: cross runs
 * (tests/arm64/arm64.mk) name an emulator to exec through.  Returns only if
 * the exec failed, by _exit(127). */
static inline void stackful_exec_self(const char *self, const char *arg1, const char *arg2) {
    const char *runner = getenv("CORO_TEST_RUNNER");
    if (runner && *runner) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "exec %s '%s' '%s' %s%s%s", runner, self, arg1, arg2 ? "'" : "",
                 arg2 ? arg2 : "", arg2 ? "'" : "");
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    } else {
        execl(self, self, arg1, arg2, (char *)NULL);
    }
    _exit(127);
}

#endif /* STACKFUL_TEST_H */
