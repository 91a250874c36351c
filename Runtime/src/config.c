/*
 * config.c — the scheduler's environment: CORO_THREADS, CORO_SEED and
 * CORO_TIMESLICE_US (Runtime/README.md, "Environment").
 *
 * coro_sched_configure reads them into coro_sched_ (sched.h) when
 * coro_run_main starts, and coro_num_workers asks the same question before
 * a run.  A value that is not an integer in its range is ignored with one
 * line on stderr and the default is used: the environment is outside input,
 * so it never stops the program.
 *
 *   CORO_SEED=N         seeded mode (sched.c, SEEDED MODE): one worker, seed N
 *                       (0..LONG_MAX); wins over CORO_THREADS
 *   CORO_THREADS=N      workers, 1..1024 (default: online CPUs)
 *   CORO_TIMESLICE_US   time slice in us, 10..10000000 (default 2000)
 *
 * INVARIANT: coro_sched_'s configuration (nworkers, seeded, seed,
 * timeslice_ns) is written only here: by coro_run_main after it has won
 * coro_sched_.running and before it starts any worker or the monitor
 * (pthread_create orders the writes for them, so they read without
 * synchronization), or by coro_num_workers while no run is active.
 *
 * Other components read their own variables where they start: CORO_TRACE
 * (trace.c), CORO_STACK_KB and CORO_STACK_GUARD (stack.c), and select.c's
 * CORO_SEED for its random source.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "sched.h"

static long env_long(const char *name, long dflt, long min, long max) {
    const char *s = getenv(name);
    if (s == NULL || *s == 0) return dflt;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end != 0 || v < min || v > max) {
        fprintf(stderr, "coro: ignoring %s=%s (expected an integer in %ld..%ld)\n", name, s, min, max);
        return dflt;
    }
    return v;
}

void coro_sched_configure(void) {
    const char *seed = getenv("CORO_SEED");
    coro_sched_.seeded = seed != NULL && *seed != 0;
    if (coro_sched_.seeded) {
        coro_sched_.seed = (uint64_t)env_long("CORO_SEED", 1, 0, LONG_MAX);
        coro_sched_.nworkers = 1;
    } else {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        if (ncpu < 1) ncpu = 1;
        coro_sched_.nworkers = (int)env_long("CORO_THREADS", ncpu, 1, 1024);
    }
    coro_sched_.timeslice_ns = env_long("CORO_TIMESLICE_US", 2000, 10, 10000000) * 1000;
}

int coro_num_workers(void) {
    if (__atomic_load_n(&coro_sched_.running, __ATOMIC_ACQUIRE)) return coro_sched_.nworkers;
    coro_sched_configure();
    return coro_sched_.nworkers;
}
