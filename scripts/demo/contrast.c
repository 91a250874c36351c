/* contrast.c — the program `make demo` runs in both modes to contrast the two
 * coroutine models on one source: switch cost (yield ping-pong), memory per
 * parked coroutine (RSS delta over N coroutines parked on a channel) and
 * loopback echo throughput (round trips per second).
 * Usage: contrast [N_PARKED]   — prints one "key value unit" line per figure. */
#include <coro.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

CORO static void yielder(long rounds, coro_wg *done) {
    for (long i = 0; i < rounds; i++) coro_yield();
    coro_wg_done(done);
}

CORO static void parked(coro_chan *gate, coro_wg *started) {
    int v;
    coro_wg_done(started);
    coro_chan_recv(gate, &v);
}

CORO static void echo_conn(int fd) {
    char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write(fd, buf, (size_t)n) != n) break;
    close(fd);
}

CORO static void echo_server(int lfd, int conns) {
    for (int i = 0; i < conns; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) break;
        coro_go(echo_conn(fd));
    }
    close(lfd);
}

CORO static void echo_client(struct sockaddr_in addr, double until, long *trips, coro_wg *done) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
        char msg[64], back[64];
        memset(msg, 'x', sizeof msg);
        while (now_s() < until) {
            if (write(fd, msg, sizeof msg) != (ssize_t)sizeof msg) break;
            size_t got = 0;
            while (got < sizeof back) {
                ssize_t n = read(fd, back + got, sizeof back - got);
                if (n <= 0) break;
                got += (size_t)n;
            }
            if (got != sizeof back) break;
            __atomic_fetch_add(trips, 1, __ATOMIC_RELAXED);
        }
    }
    if (fd >= 0) close(fd);
    coro_wg_done(done);
}

CORO static int run(long n_parked) {
    /* 1. switch cost: two coroutines yield to each other (run with one worker) */
    long rounds = 1000000;
    coro_wg yielded;
    coro_wg_init(&yielded);
    coro_wg_add(&yielded, 2);
    double t0 = now_s();
    coro_go(yielder(rounds, &yielded));
    coro_go(yielder(rounds, &yielded));
    coro_wg_wait(&yielded);
    printf("yield_switch %.1f ns\n", (now_s() - t0) * 1e9 / (2.0 * rounds));

    /* 2. memory per parked coroutine */
    coro_chan *gate = coro_chan_new(sizeof(int), 0);
    coro_wg started;
    coro_wg_init(&started);
    coro_wg_add(&started, n_parked);
    long before = rss_kb();
    for (long i = 0; i < n_parked; i++)
        coro_go(parked(gate, &started));
    coro_wg_wait(&started);
    long after = rss_kb();
    printf("memory_per_parked_coroutine %.0f bytes\n", (after - before) * 1024.0 / n_parked);
    coro_chan_close(gate);

    /* 3. loopback echo throughput: 50 connections, 64-byte round trips, 1 s */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 128) < 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
        return 1;
    enum { CONNS = 50 };
    long trips = 0;
    coro_wg done;
    coro_wg_init(&done);
    coro_wg_add(&done, CONNS);
    coro_go(echo_server(lfd, CONNS));
    double until = now_s() + 1.0;
    for (int i = 0; i < CONNS; i++)
        coro_go(echo_client(addr, until, &trips, &done));
    coro_wg_wait(&done);
    printf("echo_round_trips_per_s %ld trips/s\n", trips);
    return 0;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    return coro_main(run(n));
}
