/*
 * bench_stackful_mem.c — memory per parked stackful coroutine: RSS before and
 * after N stackful coroutines have been spawned and parked on a channel
 * receive, divided by N.  That is each coroutine's touched stack pages (the
 * top page holds every frame of a parked coroutine), its root frame (a
 * malloc'd coro_stackful) and its task (64 bytes from a slab).  The guard
 * page below each stack is a page-table marker (MADV_GUARD_INSTALL) or a
 * PROT_NONE page: address space, never resident memory.  Peer:
 * bench/boost/boost_fiber.cpp (8 KiB pooled Boost.Context fibers);
 * stackless twin: bench_mem.c.
 *
 * Prints "RESULT stackful_mem_bytes <bytes>".
 * Usage: bench_stackful_mem [N]   (default 100,000)
 */
#include <coro.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long n = 100000;
static long started;   /* atomic */
static coro_chan *release;
static long rss_before, rss_after;

static long rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (f == NULL || fscanf(f, "%ld %ld", &size, &resident) != 2) {
        perror("/proc/self/statm");
        exit(1);
    }
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static void parked(void *arg) {
    (void)arg;
    __atomic_add_fetch(&started, 1, __ATOMIC_RELAXED);
    coro_chan_recv(release, NULL);
}

static void root(void *arg) {
    (void)arg;
    rss_before = rss_bytes();
    for (long i = 0; i < n; i++) {
        if (coro_go_stackful(parked, NULL, "parked") != 0) {
            perror("coro_go_stackful");
            exit(1);
        }
    }
    while (__atomic_load_n(&started, __ATOMIC_RELAXED) < n) coro_yield();
    rss_after = rss_bytes();
    coro_chan_close(release);
}

int main(int argc, char **argv) {
    if (argc > 1) n = atol(argv[1]);
    setenv("CORO_THREADS", "1", 1);
    release = coro_chan_new(1, 0);
    if (coro_run_main_stackful(root, NULL, "main") != 0) {
        perror("coro_run_main_stackful");
        return 1;
    }
    printf("RESULT stackful_mem_bytes %.1f\n", (double)(rss_after - rss_before) / (double)n);
    return 0;
}
