/*
 * test_stackful_many.c — 100,000 stackful coroutines parked on one channel.
 *
 * Proves: that many stackful coroutines (three times what vm.max_map_count
 * allows with one PROT_NONE guard mapping per stack; 20,000 where guard
 * markers are unavailable) can exist at once, each
 * on its own guarded stack, all parked in coro_chan_recv; every one of them
 * receives exactly one value when the entry coroutine sends them; and the
 * stacks return to the pool.  Prints the memory and the kernel map entries
 * that the parked coroutines cost (RSS growth / count, including their
 * stacks' touched pages, frames and tasks).
 *
 * CORO_TEST_SCALE multiplies the count.  Under sanitizers (CORO_TEST_SANITIZER)
 * it is 10,000, since ASan keeps large per-stack state; under TSan 2,000,
 * because each coroutine is a TSan fiber and TSan dies past 8,128 threads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coro.h"
#include "stack.h"
#include "stackful_test.h"

static long rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (f) { if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0; fclose(f); }
    return resident * sysconf(_SC_PAGESIZE);
}

static struct {
    long n;
    coro_chan *c;
    coro_wg wg;
    long started;       /* atomic: coroutines that reached their receive */
    long sum;           /* atomic */
    long received;      /* atomic */
    long rss_before, rss_parked, maps_before, maps_parked;
} T;

static void parked(void *arg) {
    (void)arg;
    long v = 0;
    __atomic_fetch_add(&T.started, 1, __ATOMIC_RELAXED);
    int r = coro_chan_recv(T.c, &v);
    if (r == 1) {
        __atomic_fetch_add(&T.sum, v, __ATOMIC_RELAXED);
        __atomic_fetch_add(&T.received, 1, __ATOMIC_RELAXED);
    }
    coro_wg_done(&T.wg);
}

static void entry(void *arg) {
    (void)arg;
    T.rss_before = rss_bytes();
    T.maps_before = map_count();
    coro_wg_add(&T.wg, T.n);
    for (long i = 0; i < T.n; i++)
        CHECK(coro_go_stackful(parked, NULL, "parked") == 0, "spawn %ld: %s", i, strerror(errno));
    /* Every coroutine is parked once it has started: the channel has no
     * sender yet, so each receive parks. */
    while (__atomic_load_n(&T.started, __ATOMIC_RELAXED) < T.n) coro_yield();
    coro_yield();
    T.rss_parked = rss_bytes();
    T.maps_parked = map_count();
    for (long i = 1; i <= T.n; i++) CHECK(coro_chan_send(T.c, &i) == 0, "send %ld", i);
    CHECK(coro_wg_wait(&T.wg) == 0, "wg wait");
}

int main(void) {
    int sanitizer = getenv("CORO_TEST_SANITIZER") != NULL;
#if defined(__SANITIZE_THREAD__)
    long base = 2000;
    (void)sanitizer;
#else
    long base = sanitizer ? 10000 : 100000;
#endif
    T.n = base * stackful_scale();
    /* Without guard markers (kernel < 6.13, qemu-user) each guarded stack
     * costs two map entries, so stay under vm.max_map_count / 2. */
    coro_stack_free(coro_stack_alloc());
    if (strcmp(coro_stack_guard_mode(), "mprotect") == 0 && T.n > 20000) {
        printf("(guards by mprotect here: 20,000 coroutines instead of %ld)\n", T.n);
        T.n = 20000;
    }
    T.c = coro_chan_new(sizeof(long), 0);
    coro_wg_init(&T.wg);
    CHECK(coro_run_main_stackful(entry, NULL, "entry") == 0, "run: %s", strerror(errno));
    CHECK(T.received == T.n, "%ld of %ld coroutines received a value", T.received, T.n);
    CHECK(T.sum == T.n * (T.n + 1) / 2, "sum %ld, expected %ld", T.sum, T.n * (T.n + 1) / 2);
    coro_chan_free(T.c);

    double per = (double)(T.rss_parked - T.rss_before) / (double)T.n;
    long maps = T.maps_parked - T.maps_before;
    printf("%ld stackful coroutines parked on one channel: %.0f bytes RSS each, %ld new map entries "
           "(guards: %s, stack %zu KiB)\n", T.n, per, maps, coro_stack_guard_mode(), coro_stack_bytes() / 1024);
    /* Sanitizers map memory of their own per stack / fiber. */
    if (!sanitizer && strcmp(coro_stack_guard_mode(), "madvise") == 0)
        CHECK(maps < 1000, "%ld map entries for %ld stacks: guards split the regions", maps, T.n);
    printf("test_stackful_many: ok\n");
    return 0;
}
