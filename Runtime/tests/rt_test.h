/*
 * rt_test.h — helpers for the runtime tests (scheduler, poller, timers, I/O,
 * blocking pool, monitor, channels, stackful I/O).  Each test program is a
 * list of phases; a phase passes when no CHECK failed during it.  The
 * program ends with the line "N passed, M failed" and exits 1 if anything
 * failed.  chan_test.h (phases that are coroutines) and net_test.h (loopback
 * sockets) build on this header; stackful_test.h is the separate, stop-at-
 * the-first-failure kit of the stack-level stackful tests.
 *
 * Frames in these tests are written by hand exactly as `coroc translate`
 * emits them (coro.h): a struct with `coro_frame hdr` first, a resume
 * function that dispatches on hdr.state with goto, CORO_OP(...) at every
 * suspend point, called again with the same arguments after a wake-up.
 */
#ifndef RT_TEST_H
#define RT_TEST_H

#include <coro.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int rt_failures;   /* atomic: CHECKs failed so far */
static int rt_passed, rt_failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            __atomic_add_fetch(&rt_failures, 1, __ATOMIC_RELAXED);                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_EQ(a, b)                                                                       \
    do {                                                                                     \
        long long a_ = (long long)(a), b_ = (long long)(b);                                  \
        if (a_ != b_) {                                                                      \
            __atomic_add_fetch(&rt_failures, 1, __ATOMIC_RELAXED);                           \
            fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n", __FILE__,      \
                    __LINE__, #a, #b, a_, b_);                                               \
        }                                                                                    \
    } while (0)

/* Print one test's line and count it in the closing line. */
static inline void rt_report(const char *name, int ok) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", name);
    fflush(stdout);
    if (ok) rt_passed++;
    else rt_failed++;
}

/* Run one phase (a plain function) and count it. */
static inline void rt_phase(const char *name, void (*fn)(void)) {
    int before = __atomic_load_n(&rt_failures, __ATOMIC_RELAXED);
    fn();
    rt_report(name, __atomic_load_n(&rt_failures, __ATOMIC_RELAXED) == before);
}

static inline int rt_finish(void) {
    printf("%d passed, %d failed\n", rt_passed, rt_failed);
    return rt_failed ? 1 : 0;
}

/* CORO_TEST_SCALE (make test-long sets 10), at least 1. */
static inline int rt_scale_factor(void) {
    const char *s = getenv("CORO_TEST_SCALE");
    int k = s ? atoi(s) : 1;
    return k > 0 ? k : 1;
}

/* Size for stress tests: n times rt_scale_factor(); sanitizer builds divide
 * by 10 (they run ~10x slower). */
static inline long rt_scale(long n) {
    n *= rt_scale_factor();
    if (getenv("CORO_TEST_SANITIZER")) n /= 10;
    return n < 1 ? 1 : n;
}

/* CLOCK_MONOTONIC in nanoseconds.  Tests use it only for lower bounds (a
 * sleep lasted at least its duration), never to assert on an upper bound. */
static inline int64_t rt_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A heap frame, zeroed past the header, ready for coro_spawn / coro_await. */
static inline coro_frame *rt_frame(size_t size, coro_resume_fn resume) {
    coro_frame *f = coro_frame_alloc(size);
    if (f == NULL) {
        perror("coro_frame_alloc");
        exit(2);
    }
    memset((char *)f + sizeof *f, 0, size - sizeof *f);
    f->resume = resume;
    f->state = 0;
    f->caller = NULL;
    f->task = NULL;
    return f;
}

/* coro_spawn, or exit(2): a test that cannot start its tasks cannot say anything. */
static inline void rt_spawn(coro_frame *f, const char *name) {
    if (coro_spawn(f, name) != 0) {
        perror("coro_spawn");
        exit(2);
    }
}

/* A frame embedded in another frame or on the C stack (not heap). */
static inline void rt_frame_init(coro_frame *f, size_t size, coro_resume_fn resume) {
    memset(f, 0, size);
    f->resume = resume;
}

/* Run `root` (a stack frame) as the entry task; checks coro_run_main's result. */
static inline void rt_run(coro_frame *root) {
    int r = coro_run_main(root, "main");
    CHECK_EQ(r, 0);
    CHECK_EQ(root->state, CORO_STATE_FINISHED);
}

/* Set an environment variable for one phase; rt_env_restore puts back what
 * the test was started with (the cap4 variant runs with CORO_THREADS=4). */
static char rt_env_saved[64];
static int rt_env_had;
static inline void rt_env_set(const char *name, const char *value) {
    const char *old = getenv(name);
    rt_env_had = old != NULL;
    if (old) snprintf(rt_env_saved, sizeof rt_env_saved, "%s", old);
    setenv(name, value, 1);
}
static inline void rt_env_restore(const char *name) {
    if (rt_env_had) setenv(name, rt_env_saved, 1);
    else unsetenv(name);
}

#define BAD_STATE(f) do { fprintf(stderr, "bad state %d\n", (f)->hdr.state); abort(); } while (0)

/* A coroutine that sleeps `ms`, then closes `fd` with coro_op_close (which
 * must succeed): for "fd closed under a parked task" scenarios, where the
 * sleep lets the victim park first. */
typedef struct {
    coro_frame hdr;
    int fd, ms, r;
} rt_closer_frame;

static coro_status rt_closer_resume(coro_frame *self) {
    rt_closer_frame *f = (rt_closer_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    case 2: goto S2;
    default: BAD_STATE(f);
    }
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_sleep_ms(&f->hdr, &f->r, f->ms));
    f->hdr.state = 2;
S2:
    CORO_OP(coro_op_close(&f->hdr, &f->r, f->fd));
    CHECK_EQ(f->r, 0);
    return CORO_DONE;
}

/* Spawn an rt_closer_frame task named "closer"; coro_spawn's result. */
static inline int rt_spawn_closer(int fd, int ms) {
    rt_closer_frame *f = (rt_closer_frame *)rt_frame(sizeof *f, rt_closer_resume);
    f->fd = fd;
    f->ms = ms;
    return coro_spawn(&f->hdr, "closer");
}

#endif /* RT_TEST_H */
