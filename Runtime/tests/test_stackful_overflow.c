/*
 * test_stackful_overflow.c — a stackful coroutine that runs off its stack is
 * reported by name, with its own exit status, not as a bare SIGSEGV.
 *
 * The parent re-runs this program as a child (fork + exec, so the child is a
 * fresh process with the runtime's handlers) in several modes and checks
 * the child's stderr and exit status:
 *
 *   --overflow         unbounded recursion in coroutine "deep_recursion" on the
 *                      main worker: stderr has "coroutine stack overflow in
 *                      deep_recursion", status CORO_EXIT_STACK_OVERFLOW (70)
 *   --overflow-worker  the same on another worker thread (its own sigaltstack)
 *   --overrun          coroutine "overrun_top" writes upward past the top of its
 *                      stack into the guard above it (a buffer overrun, not a
 *                      deep stack): "coroutine stack overrun in overrun_top
 *                      (coroutine #2)"
 *   --clash            coroutine "clash_frame" touches the guard page of the
 *                      stack carved below its own, as a frame bigger than
 *                      its stack would: named, and the other stack's holder
 *                      ("victim", #3) named too
 *   --stray            a blocking-pool thread (no coroutine) writes into the
 *                      guard of coroutine "victim": reported as a stray
 *                      pointer from outside any coroutine, naming victim
 *                   These three once all said "an unknown coroutine" (issue
 *                   12); none may now.  Skipped under sanitizers/Valgrind,
 *                   which report the bad access themselves first.
 *   --null             a NULL store in a coroutine: not an overflow, so the
 *                      default action (death by SIGSEGV; under ASan, ASan's
 *                      report) and no overflow message
 *
 * CORO_TEST_RUNNER (e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu") is put in
 * front of the child's command line, for cross-compiled runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coro.h"
#include "stack.h"
#include "stackful_test.h"

/* Not a tail call and not foldable: each level keeps a live array.  The
 * limit is never reached; it keeps the compiler from calling this an
 * infinite recursion. */
static volatile long recursion_limit = 1L << 40;
static __attribute__((noinline)) long recurse(long n) {
    volatile char pad[512];
    pad[n % 512] = (char)n;
    if (n > recursion_limit) return 0;
    return recurse(n + 1) + pad[(n * 7) % 512];
}

static void deep_recursion(void *arg) {
    int want_other_worker = arg != NULL;
    if (want_other_worker) {
        /* Yield until a thief has moved us off worker 0 (or give up: exit 3). */
        for (int i = 0; i < 100000 && coro_worker_id() == 0; i++) coro_yield();
        if (coro_worker_id() == 0) _exit(3);
    }
    printf("%ld\n", recurse(0));
}

/* Spawning wakes the idle worker, which steals half of worker 0's queue:
 * one of the recursing coroutines soon runs on worker 1. */
static void spawn_many(void *arg) {
    (void)arg;
    for (int i = 0; i < 16; i++) coro_go_stackful(deep_recursion, (void *)1, "deep_recursion");
    for (;;) coro_yield();
}

static void null_store(void *arg) {
    (void)arg;
    volatile int *p = NULL;
    *p = 1;
}

/* Write upward from a local until the guard above the stack stops us. */
static void overrun_top(void *arg) {
    (void)arg;
    char local[16];
    for (char *p = local;; p++) *(volatile char *)p = 0;
}

/* The guard of the stack whose top is `hi` (one page below its lowest byte). */
static char *guard_of(void *hi) { return (char *)hi - coro_stack_bytes() - 1; }

/* Parks (sleeps) while the others fault; its stack is the target. */
static void *victim_hi;
static void victim(void *arg) {
    (void)arg;
    char here = 0;
    coro_stack_place pl;
    CHECK(coro_stack_locate(&here, &pl) && !pl.in_guard, "victim not on a pooled stack");
    victim_hi = pl.hi;
    coro_sleep_ms(60000);
}

/* Touch the guard of the stack carved just below ours, as a frame larger
 * than the whole stack would (stack clash), once victim holds that stack. */
static void clash_frame(void *arg) {
    (void)arg;
    char here = 0;
    coro_stack_place pl;
    CHECK(coro_stack_locate(&here, &pl) && !pl.in_guard, "clash_frame not on a pooled stack");
    CHECK(coro_go_stackful(victim, NULL, "victim") == 0, "spawn victim");
    while (!victim_hi) coro_yield();
    /* victim's stack lies below ours (the cache hands out the highest first);
     * were it just above, its guard would be "past our top" instead. */
    CHECK((char *)victim_hi < (char *)pl.hi, "victim's stack is above clash_frame's");
    *(volatile char *)guard_of(victim_hi) = 1;
}

static void poke_guard(void *arg) { *(volatile char *)arg = 1; }

static void stray_pointer(void *arg) {
    (void)arg;
    CHECK(coro_go_stackful(victim, NULL, "victim") == 0, "spawn victim");
    while (!victim_hi) coro_yield();
    coro_blocking(poke_guard, guard_of(victim_hi));
}

/* The first spawned coroutine, so that the main coroutine's stack (carved
 * above it: the cache hands out the highest first) guards its top. */
static void first(void *arg) {
    const char *mode = arg;
    if (strcmp(mode, "--overrun") == 0) CHECK(coro_go_stackful(overrun_top, NULL, "overrun_top") == 0, "spawn");
    if (strcmp(mode, "--clash") == 0) CHECK(coro_go_stackful(clash_frame, NULL, "clash_frame") == 0, "spawn");
    if (strcmp(mode, "--stray") == 0) CHECK(coro_go_stackful(stray_pointer, NULL, "stray_pointer") == 0, "spawn");
    coro_sleep_ms(60000);
}

static int child(const char *mode) {
    if (strcmp(mode, "--overrun") == 0 || strcmp(mode, "--clash") == 0 || strcmp(mode, "--stray") == 0)
        return coro_run_main_stackful(first, (void *)mode, "first");
    if (strcmp(mode, "--null") == 0) return coro_run_main_stackful(null_store, NULL, "null_store");
    if (strcmp(mode, "--overflow-worker") == 0) return coro_run_main_stackful(spawn_many, NULL, "spawner");
    return coro_run_main_stackful(deep_recursion, NULL, "deep_recursion");
}

/* Run `self mode` with CORO_THREADS=threads; capture stderr; return status. */
static int run_child(const char *self, const char *mode, const char *threads, char *err, size_t errcap) {
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        setenv("CORO_THREADS", threads, 1);
        stackful_exec_self(self, mode, NULL);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < errcap && (r = read(fds[0], err + n, errcap - 1 - n)) > 0) n += (size_t)r;
    err[n] = 0;
    close(fds[0]);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
    return status;
}

int main(int argc, char **argv) {
    if (argc == 2) return child(argv[1]);
    static char err[1 << 16];
    int sanitizer = getenv("CORO_TEST_SANITIZER") != NULL;

    int st = run_child(argv[0], "--overflow", "1", err, sizeof err);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == CORO_EXIT_STACK_OVERFLOW,
          "overflow child: status 0x%x, stderr:\n%s", st, err);
    CHECK(strstr(err, "coroutine stack overflow in deep_recursion (coroutine #1), stack of ") != NULL,
          "stderr was:\n%s", err);
    printf("overflow on the main worker: exit %d, \"%.*s\"\n", WEXITSTATUS(st),
           (int)strcspn(err, "\n"), err);

    st = run_child(argv[0], "--overflow-worker", "2", err, sizeof err);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
        printf("overflow on another worker: SKIPPED (the coroutine was never stolen)\n");
    } else {
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == CORO_EXIT_STACK_OVERFLOW,
              "overflow-worker child: status 0x%x, stderr:\n%s", st, err);
        CHECK(strstr(err, "coroutine stack overflow in deep_recursion") != NULL, "stderr was:\n%s", err);
        printf("overflow on another worker thread: exit %d, same message\n", WEXITSTATUS(st));
    }

    /* The paths that used to say "an unknown coroutine". */
    static const struct { const char *mode, *want; } named[] = {
        {"--overrun", "coroutine stack overrun in overrun_top (coroutine #2): a write past the top of its stack"},
        {"--clash", "coroutine stack overflow in clash_frame (coroutine #2): the access hit the guard page of "
                    "another stack, that of victim (coroutine #3)"},
        {"--stray", "fault in the guard page of the stack of victim (coroutine #3) from outside any coroutine"},
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (sanitizer) {
            printf("%s: SKIPPED under a sanitizer/Valgrind (they report the access first)\n", named[i].mode);
            continue;
        }
        st = run_child(argv[0], named[i].mode, "1", err, sizeof err);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == CORO_EXIT_STACK_OVERFLOW, "%s child: status 0x%x, stderr:\n%s",
              named[i].mode, st, err);
        CHECK(strstr(err, named[i].want) != NULL, "%s: stderr was:\n%s", named[i].mode, err);
        CHECK(strstr(err, "unknown") == NULL, "%s: stderr was:\n%s", named[i].mode, err);
        printf("%s: \"%.*s\"\n", named[i].mode, (int)strcspn(err, "\n"), err);
    }

    st = run_child(argv[0], "--null", "1", err, sizeof err);
    CHECK(strstr(err, "coroutine stack overflow") == NULL, "NULL store reported as overflow:\n%s", err);
    if (sanitizer) {
        CHECK(!(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == CORO_EXIT_STACK_OVERFLOW)),
              "NULL store child: status 0x%x", st);
    } else {
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "NULL store child: status 0x%x, stderr:\n%s", st, err);
    }
    printf("NULL store in a coroutine: not an overflow, default crash (status 0x%x)\n", st);
    printf("test_stackful_overflow: ok\n");
    return 0;
}
