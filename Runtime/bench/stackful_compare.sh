#!/usr/bin/env bash
# stackful_compare.sh — the stackful microbenchmarks next to their peers and
# their stackless twins, measured in one invocation, interleaved.
#
#   Runtime/bench/stackful_compare.sh [RUNS]      RUNS defaults to 5
#
# Metrics (issue 4) and what each is compared with:
#   stackful_yield_ns   yield through the scheduler, 2 coroutines, 1 worker
#                       vs Go 1.19 runtime.Gosched (go/yield.go, GOMAXPROCS=1)  target <= 0.25
#   stackful_spawn_ns   spawn until parked, 100,000 coroutines, 1 worker, warm
#                       vs Boost.Context fibers on pooled 8 KiB stacks         target <= 1.0
#   stackful_mem_bytes  RSS per parked coroutine (its stack page, frame, task;
#                       the guard page is never resident), 100,000 coroutines
#                       vs the same Boost.Context fibers                        target <= 1.0
# and the stackless figures of the same programs (bench_yield, bench_spawn and
# bench_mem with N = 100,000 and one worker) for reference.
#
# Interleaving: run 1 of every program, then run 2 of every program, ...; so
# a slow phase of this shared 2-vCPU machine hits every side alike.  Medians.
# Needs g++ and libboost-context-dev, and go for the Gosched peer
# (scripts/setup.sh bench installs them); a missing peer shows as "-".
set -euo pipefail

runs=${1:-5}
n=100000
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runtime=$(dirname "$here")
out="$runtime/build/bench-stackful"
mkdir -p "$out"

# ---- build ----
ours=(bench_stackful_yield bench_stackful_spawn bench_stackful_mem bench_yield bench_spawn bench_mem)
make -s -C "$runtime" "${ours[@]/#/build/bench/}" >&2
have_boost=0
if command -v g++ >/dev/null && [ -d /usr/include/boost/context ]; then
    g++ -std=c++17 -O2 -o "$out/boost_fiber" "$here/boost/boost_fiber.cpp" -lboost_context && have_boost=1
else
    echo "stackful_compare.sh: g++ or libboost-context-dev missing (scripts/setup.sh bench); no Boost peer" >&2
fi
have_go=0
if command -v go >/dev/null; then
    export GOCACHE="$out/go-cache" GOPATH="$out/gopath"
    go build -o "$out/go_yield" "$here/go/yield.go" && have_go=1
else
    echo "stackful_compare.sh: go missing (scripts/setup.sh bench); no Gosched peer" >&2
fi

# ---- run, interleaved ----
results="$out/results.txt"   # lines: metric value
: > "$results"
# collect [SUFFIX]: keep "RESULT metric value" lines as "metric[SUFFIX] value"
collect() { awk -v sfx="${1:-}" '$1 == "RESULT" { print $2 sfx, $3 }' >> "$results"; }
for ((run = 1; run <= runs; run++)); do
    echo "run $run/$runs" >&2
    "$runtime/build/bench/bench_stackful_yield" | collect
    "$runtime/build/bench/bench_stackful_spawn" "$n" | collect
    "$runtime/build/bench/bench_stackful_mem" "$n" | collect
    CORO_THREADS=1 "$runtime/build/bench/bench_yield" | collect
    CORO_THREADS=1 "$runtime/build/bench/bench_spawn" "$n" | collect
    CORO_THREADS=1 "$runtime/build/bench/bench_mem" "$n" | collect
    if [ $have_boost = 1 ]; then "$out/boost_fiber" "$n" | collect; fi
    if [ $have_go = 1 ]; then GOMAXPROCS=1 "$out/go_yield" | collect _go; fi
done

# ---- table ----
awk -v runs="$runs" '
function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ vals[$1] = ($1 in vals) ? vals[$1] " " ($2 + 0) : ($2 + 0) }
function m(k) { return (k in vals) ? median(vals[k]) : "" }
function row(metric, peer, peername, target, twin,    o, p, r, met) {
    o = m(metric); p = m(peer)
    r = (o != "" && p != "" && p > 0) ? sprintf("%.3f", o / p) : "-"
    met = (r == "-") ? "-" : ((o / p <= target) ? "yes" : "NO")
    printf "%-20s %10s  %-16s %10s %8s  <= %-5s %-4s %12s\n", metric, (o == "" ? "-" : sprintf("%.2f", o)),
        peername, (p == "" ? "-" : sprintf("%.2f", p)), r, target, met, (m(twin) == "" ? "-" : sprintf("%.2f", m(twin)))
}
END {
    printf "%-20s %10s  %-16s %10s %8s  %-8s %-4s %12s\n", "metric (" runs " runs)", "stackful", "peer", "peer", "ratio", "target", "met", "stackless"
    row("stackful_yield_ns", "yield_ns_go", "Go Gosched", "0.25", "yield_ns")
    row("stackful_spawn_ns", "boost_spawn_ns", "Boost 8K fiber", "1.0", "spawn_ns")
    row("stackful_mem_bytes", "boost_mem_bytes", "Boost 8K fiber", "1.0", "mem_bytes")
    if ("boost_switch_ns" in vals) printf "(Boost.Context switch alone: %.2f ns)\n", m("boost_switch_ns")
}' "$results"
