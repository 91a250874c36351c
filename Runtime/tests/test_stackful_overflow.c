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

static int child(const char *mode) {
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
    CHECK(strstr(err, "coroutine stack overflow in deep_recursion") != NULL, "stderr was:\n%s", err);
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
