/*
 * bench_mem.c — memory per parked coroutine: RSS before and after N
 * coroutines have been spawned and parked on a channel receive, divided by
 * N.  A parked stackless coroutine is its task (64 bytes from a slab) plus
 * its frame (here 40 bytes: a 48-byte malloc chunk); channel waiters are the
 * tasks themselves.  Peer: go/mem.go.
 *
 * Prints "RESULT mem_bytes <bytes>".  Usage: bench_mem [N]   (default 1,000,000)
 */
#include <coro.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long n = 1000000;
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

typedef struct {
    coro_frame hdr;
    int r;
} parked_frame;

static coro_status parked_resume(coro_frame *self) {
    parked_frame *f = (parked_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    }
    __atomic_add_fetch(&started, 1, __ATOMIC_RELAXED);
    f->hdr.state = 1;
S1:
    CORO_OP(coro_op_chan_recv(&f->hdr, &f->r, release, NULL));
    return CORO_DONE;
}

typedef struct {
    coro_frame hdr;
    long i;
} root_frame;

static coro_status root_resume(coro_frame *self) {
    root_frame *f = (root_frame *)self;
    switch (f->hdr.state) {
    case 0: break;
    case 1: goto S1;
    }
    rss_before = rss_bytes();
    for (f->i = 0; f->i < n; f->i++) {
        parked_frame *p = (parked_frame *)coro_frame_alloc(sizeof *p);
        p->hdr.resume = parked_resume;
        p->hdr.state = 0;
        if (coro_spawn(&p->hdr, "parked") != 0) {
            perror("coro_spawn");
            exit(1);
        }
    }
    while (__atomic_load_n(&started, __ATOMIC_RELAXED) < n) {
        f->hdr.state = 1;
    S1:
        CORO_OP(coro_op_yield(&f->hdr));
    }
    rss_after = rss_bytes();
    coro_chan_close(release);
    return CORO_DONE;
}

int main(int argc, char **argv) {
    if (argc > 1) n = atol(argv[1]);
    release = coro_chan_new(1, 0);
    root_frame root = {.hdr.resume = root_resume};
    if (coro_run_main(&root.hdr, "main") != 0) {
        perror("coro_run_main");
        return 1;
    }
    coro_chan_free(release);
    printf("RESULT mem_bytes %.1f\n", (double)(rss_after - rss_before) / (double)n);
    return 0;
}
