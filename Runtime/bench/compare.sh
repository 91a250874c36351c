#!/usr/bin/env bash
# compare.sh — run the runtime microbenchmarks (bench/*.c) and their Go 1.19
# peers (bench/go/*.go) in one invocation, interleaved, and print medians and
# ratios (ours / Go).
#
#   Runtime/bench/compare.sh [RUNS]        RUNS defaults to 5
#
# Interleaving: run 1 of every program, then run 2 of every program, ...; so
# a slow phase of this shared 2-vCPU machine hits both sides alike instead of
# one side's whole series.  Every program prints lines "RESULT <metric>
# <value>"; a metric of ours is paired with the Go metric of the same name.
# Ratios below 1 mean we are faster / smaller.  Targets are those of issue 2.
#
# Go programs run with GOMAXPROCS=1 where they set it themselves (yield,
# chan: the one-worker measurements); spawn and mem run with GOMAXPROCS equal
# to our worker count (CORO_THREADS, default: the number of cores).
set -euo pipefail

runs=${1:-5}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runtime=$(dirname "$here")
out="$runtime/build/bench-compare"
mkdir -p "$out"

if ! command -v go >/dev/null; then
    echo "compare.sh: 'go' not found; install Go 1.19 with: scripts/setup.sh bench" >&2
    exit 2
fi

# ---- build ----
ours=()
for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    ours+=("$runtime/build/bench/$name")
done
make -s -C "$runtime" "${ours[@]#"$runtime/"}" >&2

peers=()
export GOCACHE="$out/go-cache" GOPATH="$out/gopath"
for src in "$here"/go/*.go; do
    name=$(basename "$src" .go)
    go build -o "$out/go_$name" "$src"
    peers+=("$out/go_$name")
done

workers=${CORO_THREADS:-$(nproc)}

# ---- run, interleaved ----
results="$out/results.txt" # lines: side metric value
: > "$results"
for ((run = 1; run <= runs; run++)); do
    echo "run $run/$runs" >&2
    for bin in "${ours[@]}"; do
        "$bin" | awk '$1 == "RESULT" { print "ours", $2, $3 }' >> "$results"
    done
    for bin in "${peers[@]}"; do
        GOMAXPROCS=$workers "$bin" | awk '$1 == "RESULT" { print "go", $2, $3 }' >> "$results"
    done
done

# ---- table ----
# target: the largest acceptable ours/Go ratio for a metric (issue 2)
awk -v runs="$runs" '
function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
BEGIN {
    target["yield_ns"] = 0.10; target["chan_oneway_ns"] = 0.15
    target["spawn_ns"] = 0.10; target["mem_bytes"] = 0.05
    # the four metrics of issue 2 first, in its order; any others after them
    nm = split("yield_ns chan_oneway_ns spawn_ns mem_bytes", order, " ")
    for (i = 1; i <= nm; i++) seen[order[i]] = 1
}
{
    key = $1 SUBSEP $2
    vals[key] = (key in vals) ? vals[key] " " ($3 + 0) : ($3 + 0)
    if (!($2 in seen)) { seen[$2] = 1; order[++nm] = $2 }
}
END {
    printf "%-18s %14s %14s %9s %8s  %s\n", "metric (" runs " runs)", "ours median", "Go median", "ours/Go", "target", "met"
    for (i = 1; i <= nm; i++) {
        m = order[i]
        o = ((("ours" SUBSEP m) in vals)) ? median(vals["ours" SUBSEP m]) : ""
        g = ((("go" SUBSEP m) in vals)) ? median(vals["go" SUBSEP m]) : ""
        ratio = (o != "" && g != "" && g > 0) ? sprintf("%.3f", o / g) : "-"
        tgt = (m in target) ? sprintf("<= %.2f", target[m]) : "-"
        met = (ratio != "-" && (m in target)) ? ((o / g <= target[m]) ? "yes" : "NO") : "-"
        printf "%-18s %14s %14s %9s %8s  %s\n", m, (o == "" ? "-" : sprintf("%.2f", o)), (g == "" ? "-" : sprintf("%.2f", g)), ratio, tgt, met
    }
}' "$results"
