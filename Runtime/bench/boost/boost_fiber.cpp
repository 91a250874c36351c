// boost_fiber.cpp — the Boost.Context peer of the stackful benchmarks
// (bench/bench_stackful_*.c): Debian libboost-context-dev, boost::context::fiber
// on pooled 8 KiB stacks (pooled_fixedsize_stack: no guard page), one thread.
//
// A "parked" fiber is one that ran until its first suspension and switched
// back to main, which keeps its continuation: the same state as a stackful
// coroutine parked on a channel, minus the scheduler, run queue and channel
// (Boost.Context has none).
//
// Prints, like the C benchmarks:
//   RESULT boost_spawn_ns <ns>     spawn until parked, N fibers, best warm round
//   INFO   boost_spawn_cold_ns <ns> first round (fresh pool memory)
//   RESULT boost_mem_bytes <bytes> RSS growth per parked fiber (N fibers)
//   RESULT boost_switch_ns <ns>    one switch of a main <-> fiber ping-pong
// Usage: boost_fiber [N]   (default 100,000)
#include <boost/context/fiber.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <unistd.h>
#include <vector>

namespace ctx = boost::context;

static double now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

static long rss_bytes() {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2) {
        perror("/proc/self/statm");
        exit(1);
    }
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static long started, finished;

// Counts itself, parks (switches back to main), and ends when resumed.
static ctx::fiber parked_body(ctx::fiber &&main_fiber) {
    started++;
    main_fiber = std::move(main_fiber).resume();
    finished++;
    return std::move(main_fiber);
}

enum { ROUNDS = 5, STACK_BYTES = 8 * 1024 };

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    ctx::pooled_fixedsize_stack pool(STACK_BYTES);
    std::vector<ctx::fiber> parked;
    parked.reserve(size_t(n));

    // Spawn until parked, ROUNDS rounds on the same pool.
    double per_round[ROUNDS];
    long rss_before = 0, rss_parked = 0;
    for (int round = 0; round < ROUNDS; round++) {
        started = finished = 0;
        if (round == 0) rss_before = rss_bytes();
        double t0 = now_ns();
        for (long i = 0; i < n; i++) {
            ctx::fiber f(std::allocator_arg, pool, parked_body);
            parked.push_back(std::move(f).resume());
        }
        per_round[round] = (now_ns() - t0) / double(n);
        if (round == 0) rss_parked = rss_bytes();
        if (started != n) { fprintf(stderr, "only %ld of %ld fibers ran\n", started, n); return 1; }
        for (auto &f : parked) f = std::move(f).resume();   // each finishes; stack back to the pool
        parked.clear();
        if (finished != n) { fprintf(stderr, "only %ld of %ld fibers finished\n", finished, n); return 1; }
    }
    double best = per_round[1];
    for (int i = 2; i < ROUNDS; i++)
        if (per_round[i] < best) best = per_round[i];

    // Ping-pong: one fiber switching back to main each time.
    const long switches = 10000000;
    long count = 0;
    ctx::fiber pinger(std::allocator_arg, pool, [&count](ctx::fiber &&m) {
        for (;;) {
            count++;
            m = std::move(m).resume();
        }
        return std::move(m);
    });
    double t0 = now_ns();
    for (long i = 0; i < switches; i++) pinger = std::move(pinger).resume();
    double switch_ns = (now_ns() - t0) / (2.0 * double(switches));

    printf("INFO boost_spawn_cold_ns %.2f (first round)\n", per_round[0]);
    printf("RESULT boost_spawn_ns %.2f\n", best);
    printf("RESULT boost_mem_bytes %.1f\n", double(rss_parked - rss_before) / double(n));
    printf("RESULT boost_switch_ns %.2f\n", switch_ns);
    return 0;
}
