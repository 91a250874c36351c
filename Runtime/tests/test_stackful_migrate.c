/*
 * test_stackful_migrate.c — what moving between worker threads means for a
 * stackful coroutine's errno and thread-locals (stackful.c, THREAD-LOCALS).
 *
 * Proves, across migrations that really happen (the test keeps going until
 * it has seen some, and fails if it never does with two or more workers):
 *   - errno after a failing call that parked is that call's error
 *     (ETIMEDOUT from a deadline) on the thread the coroutine resumed on,
 *     with this file compiled the way stackful code must be
 *     (CORO_STACKFUL_ERRNO: errno through coro_errno_location);
 *   - a `__thread` variable belongs to the thread, not the coroutine: after a
 *     migration the coroutine sees the new thread's copy;
 *   - coro_in_stackful() stays true and locals (on the coroutine's own stack)
 *     are untouched.
 */
#define CORO_STACKFUL_ERRNO 1
#include <sys/socket.h>
#include <unistd.h>

#include "rt_test.h"

enum { COROS = 16, MAX_ROUNDS = 2000, WANT_MIGRATIONS = 20 };

static __thread int thread_tag;   /* worker id + 1 of the thread, once set there */
static int silent_fds[COROS][2];
static long migrations, rounds_done, errno_ok, tls_ok;
static int nworkers;

/* Not inlined: read the current thread's copy at the call. */
static __attribute__((noinline)) int read_thread_tag(void) { return thread_tag; }
static __attribute__((noinline)) void write_thread_tag(int v) { thread_tag = v; }

static void migrant(void *arg) {
    long id = (long)(intptr_t)arg;
    long local_marker = id * 7919;
    for (int round = 0; round < MAX_ROUNDS; round++) {
        if (__atomic_load_n(&migrations, __ATOMIC_RELAXED) >= WANT_MIGRATIONS) break;
        int before = coro_worker_id();
        write_thread_tag(before + 1);
        CHECK_EQ(coro_set_deadline(1), 0);
        errno = 0;
        char c;
        ssize_t n = coro_read(silent_fds[id][0], &c, 1);   /* parks until the deadline */
        int err = errno;
        coro_set_deadline(-1);
        int after = coro_worker_id();
        CHECK_EQ(n, -1);
        CHECK_EQ(err, ETIMEDOUT);
        if (n == -1 && err == ETIMEDOUT) __atomic_fetch_add(&errno_ok, 1, __ATOMIC_RELAXED);
        int tag = read_thread_tag();
        CHECK(tag == 0 || tag == after + 1);               /* this thread's copy, never the old one's */
        if (tag == 0 || tag == after + 1) __atomic_fetch_add(&tls_ok, 1, __ATOMIC_RELAXED);
        if (after != before) __atomic_fetch_add(&migrations, 1, __ATOMIC_RELAXED);
        CHECK(coro_in_stackful());
        CHECK_EQ(local_marker, id * 7919);
        __atomic_fetch_add(&rounds_done, 1, __ATOMIC_RELAXED);
    }
}

static void entry(void *arg) {
    (void)arg;
    nworkers = coro_num_workers();
    for (long i = 0; i < COROS; i++) {
        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, silent_fds[i]), 0);
        CHECK_EQ(coro_go_stackful(migrant, (void *)(intptr_t)i, "migrant"), 0);
    }
}

static void phase_migrate(void) {
    CHECK_EQ(coro_run_main_stackful(entry, NULL, "entry"), 0);
    for (int i = 0; i < COROS; i++) { close(silent_fds[i][0]); close(silent_fds[i][1]); }
    CHECK(rounds_done > 0);
    CHECK_EQ(errno_ok, rounds_done);
    CHECK_EQ(tls_ok, rounds_done);
    if (nworkers > 1) CHECK(migrations > 0);
    printf("     %ld parked reads on %d workers, %ld resumed on another worker; errno and "
           "thread-locals right in all\n", rounds_done, nworkers, migrations);
}

int main(void) {
    setenv("CORO_THREADS", "2", 0);   /* migrations need two workers even on one core */
    rt_phase("errno and thread-locals across migrations", phase_migrate);
    return rt_finish();
}
