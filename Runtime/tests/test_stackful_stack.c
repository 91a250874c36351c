/*
 * test_stackful_stack.c — the stack pool of stackful mode (src/stack.c).
 *
 * Proves: stacks are distinct, page-aligned, fully writable and have a guard
 * page just below them that really faults (checked in a child process) and
 * that coro_stack_find_guard recognises; freed stacks are reused without
 * carving new ones, also after the thread that cached them exits; the pool
 * goes past vm.max_map_count / 2 stacks when guard markers are available,
 * and in the mprotect fallback fails cleanly with ENOMEM at the map limit
 * (never hands out an unguarded stack).  Prints the limits it reached.
 * CORO_TEST_RUNNER (e.g. "qemu-aarch64 -L /usr/aarch64-linux-gnu") is put in
 * front of the child processes' command lines, for cross-compiled runs.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stack.h"
#include "stackful_test.h"

static int cmp_ptr(const void *a, const void *b) {
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

static long max_map_count(void) {
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    long n = -1;
    if (f) { if (fscanf(f, "%ld", &n) != 1) n = -1; fclose(f); }
    return n;
}

static void test_layout_and_reuse(void) {
    enum { N = 1000 };
    size_t bytes = coro_stack_bytes();
    long page = sysconf(_SC_PAGESIZE);
    CHECK(bytes % (size_t)page == 0, "stack size %zu not a page multiple", bytes);
    void **hi = malloc(N * sizeof *hi);
    for (int i = 0; i < N; i++) {
        hi[i] = coro_stack_alloc();
        CHECK(hi[i] != NULL, "alloc %d: %s", i, strerror(errno));
        CHECK((uintptr_t)hi[i] % (uintptr_t)page == 0, "top %p not page aligned", hi[i]);
        char *lo = (char *)hi[i] - bytes;
        lo[0] = 1;                          /* lowest and highest usable bytes are writable */
        ((char *)hi[i])[-1] = 2;
        CHECK(coro_stack_find_guard(lo - 1) == hi[i], "guard below stack %d not recognised", i);
        CHECK(coro_stack_find_guard(lo - page) == hi[i], "bottom of guard of stack %d not recognised", i);
        CHECK(coro_stack_find_guard(lo) == NULL, "stack %d's lowest byte taken for a guard", i);
        CHECK(coro_stack_find_guard((char *)hi[i] - 1) == NULL, "stack %d's top taken for a guard", i);
    }
    CHECK(coro_stack_find_guard(&bytes) == NULL, "a C stack address taken for a guard");
    qsort(hi, N, sizeof *hi, cmp_ptr);
    for (int i = 1; i < N; i++)
        CHECK((size_t)((char *)hi[i] - (char *)hi[i - 1]) >= bytes + (size_t)page,
              "stacks %p and %p overlap or share a guard", hi[i - 1], hi[i]);

    coro_stack_stats before, after;
    coro_stack_get_stats(&before);
    for (int i = 0; i < N; i++) coro_stack_free(hi[i]);
    for (int round = 0; round < 10; round++) {
        for (int i = 0; i < N; i++) hi[i] = coro_stack_alloc();
        for (int i = 0; i < N; i++) coro_stack_free(hi[i]);
    }
    coro_stack_get_stats(&after);
    CHECK(after.carved == before.carved, "steady state carved %zu new stacks", after.carved - before.carved);
    free(hi);
    printf("layout: %d stacks of %zu KiB, guard %ld bytes (%s), %zu region(s); 10 rounds reused them all\n",
           N, bytes / 1024, page, coro_stack_guard_mode(), after.regions);
}

static void *thread_alloc_free(void *arg) {
    (void)arg;
    void *s[100];
    for (int i = 0; i < 100; i++) s[i] = coro_stack_alloc();
    for (int i = 0; i < 100; i++) coro_stack_free(s[i]);
    return NULL;                            /* exit flushes the thread's cache */
}

static void test_thread_exit_flush(void) {
    pthread_t t;
    coro_stack_stats before, after;
    pthread_create(&t, NULL, thread_alloc_free, NULL);
    pthread_join(t, NULL);
    coro_stack_get_stats(&before);
    CHECK(before.free_global >= 64, "only %zu stacks on the global list after a thread exit", before.free_global);
    void *s[200];
    for (int i = 0; i < 200; i++) s[i] = coro_stack_alloc();
    coro_stack_get_stats(&after);
    CHECK(after.carved == before.carved, "stacks of an exited thread were not reused (%zu carved)",
          after.carved - before.carved);
    for (int i = 0; i < 200; i++) coro_stack_free(s[i]);
    printf("thread exit: cached stacks returned to the pool and reused\n");
}

/* The guard page must fault for real, not only be known to the pool. */
static void test_guard_faults(void) {
    void *hi = coro_stack_alloc();
    char *lo = (char *)hi - coro_stack_bytes();
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL);
        *(volatile char *)(lo - 1) = 1;     /* must not return */
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
          "write below the stack did not fault (status 0x%x)", status);
    coro_stack_free(hi);
    printf("guard: a write just below a stack faults with SIGSEGV\n");
}

/* Child (a fresh exec, so the pool initializes with the child's environment):
 * allocate up to `want` stacks, stop at the first failure, and print
 * "<count> <errno> <map entries>". */
static int many_stacks_child(long want) {
    long n = 0;
    int err = 0;
    for (; n < want; n++) {
        if (!coro_stack_alloc()) { err = errno; break; }
    }
    printf("%ld %d %ld\n", n, err, map_count());
    return 0;
}

static void run_many(const char *self, const char *guard_env, long want, long out[3]) {
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (guard_env) setenv("CORO_STACK_GUARD", guard_env, 1);
        char want_s[32];
        snprintf(want_s, sizeof want_s, "%ld", want);
        stackful_exec_self(self, "--many", want_s);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    int got = fscanf(f, "%ld %ld %ld", &out[0], &out[1], &out[2]);
    fclose(f);
    int status;
    waitpid(pid, &status, 0);
    CHECK(got == 3 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "child %s --many %ld failed (status 0x%x)", self, want, status);
}

static const char *self_path;

static void test_map_count_limits(void) {
    long limit = max_map_count();
    long r[3];
    if (strcmp(coro_stack_guard_mode(), "madvise") == 0) {
        /* The pool has not fallen back so far: guard markers work here. */
        long want = limit > 0 ? limit * 2 : 150000;
        run_many(self_path, NULL, want, r);
        CHECK(r[0] == want, "stopped at %ld stacks (errno %ld) with guard markers", r[0], r[1]);
        printf("map count: %ld guarded stacks in %ld map entries (vm.max_map_count %ld)\n", r[0], r[2], limit);
    } else {
        printf("map count: guard markers unavailable (kernel < 6.13, or an emulator); skipping the past-the-limit check\n");
    }
    if (getenv("CORO_TEST_SANITIZER")) {
        /* A sanitizer's own allocator dies once the map count is exhausted:
         * check the cost per stack instead of running into the limit. */
        run_many(self_path, "mprotect", 2000, r);
        CHECK(r[0] == 2000 && r[2] >= 2 * 2000, "mprotect fallback: %ld stacks in %ld map entries", r[0], r[2]);
        printf("map count: mprotect guards cost 2 map entries per stack (%ld for %ld); limit run skipped "
               "under sanitizers\n", r[2], r[0]);
        return;
    }
    run_many(self_path, "mprotect", limit > 0 ? limit : 100000, r);
    CHECK(r[1] == ENOMEM, "mprotect fallback stopped with errno %ld, expected ENOMEM", r[1]);
    CHECK(limit <= 0 || r[0] > limit / 2 - 2000, "mprotect fallback reached only %ld stacks", r[0]);
    printf("map count: mprotect guards stop at %ld stacks with ENOMEM (%ld map entries, limit %ld)\n",
           r[0], r[2], limit);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--many") == 0) return many_stacks_child(atol(argv[2]));
    self_path = argv[0];
    test_layout_and_reuse();
    test_thread_exit_flush();
    test_guard_faults();
    test_map_count_limits();
    printf("test_stackful_stack: ok\n");
    return 0;
}
