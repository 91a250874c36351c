/*
 * boost_fiber.cpp — Boost.Context peer (Debian libboost-context-dev):
 *  yield_ns   one fiber switch (main <-> a fiber, resume and suspend back);
 *             there is no scheduler, so this is the switch alone
 *  spawn_ns   create a fiber on a pooled 8 KB stack and run it to its first
 *             suspension, per fiber
 *  mem_bytes  resident memory per suspended fiber, (RSS after - before) / N
 * Usage: boost_fiber [switches] [fibers]
 */
#include <boost/context/fiber.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <vector>
extern "C" {
#include "bench_util.h"
}

namespace ctx = boost::context;

int main(int argc, char **argv) {
    long switches = bench_arg(argc, argv, 1, 20000000);
    long fibers = bench_arg(argc, argv, 2, 100000);

    // Switch: a fiber that suspends back to main every time it is resumed.
    {
        long count = 0;
        ctx::fiber f([&count](ctx::fiber &&main) {
            for (;;) { count++; main = std::move(main).resume(); }
            return std::move(main);
        });
        double start = bench_now_ns();
        for (long i = 0; i < switches; i++) f = std::move(f).resume();
        double elapsed = bench_now_ns() - start;
        bench_result("yield_ns", elapsed / (2.0 * (double)switches));  // two switches per resume
        (void)count;
    }

    // Spawn until parked, on pooled 8 KB stacks, and the memory they hold.
    ctx::pooled_fixedsize_stack pool(8192, 1024);
    std::vector<ctx::fiber> parked;
    parked.reserve((size_t)fibers);
    long rss_before = bench_rss_bytes();
    double start = bench_now_ns();
    for (long i = 0; i < fibers; i++) {
        ctx::fiber f(std::allocator_arg, pool, [](ctx::fiber &&main) {
            main = std::move(main).resume();   // park: back to main
            return std::move(main);
        });
        parked.push_back(std::move(f).resume());
    }
    double elapsed = bench_now_ns() - start;
    long rss_parked = bench_rss_bytes();
    bench_result("spawn_ns", elapsed / (double)fibers);
    bench_result("mem_bytes", (double)(rss_parked - rss_before) / (double)fibers);
    for (auto &f : parked) f = std::move(f).resume();   // let every fiber finish
    return 0;
}
