#!/usr/bin/env bash
# demo-contrast.sh COROC — runs scripts/demo/contrast.c (one annotated source)
# translated stackless and stackful, on one worker, and prints the figures side
# by side.  A quick look, not the benchmark: `make bench` measures properly,
# with peers and repeated interleaved runs.
set -euo pipefail
cd "$(dirname "$0")/.."
COROC=${1:-.build/debug/coroc}
declare -A value
for mode in stackless stackful; do
    out=$(CORO_THREADS=1 "$COROC" run scripts/demo/contrast.c --mode "$mode" --threads 1)
    while read -r key v unit; do
        value[$mode.$key]=$v
        value[unit.$key]=$unit
    done <<<"$out"
done
printf '%-38s %12s %12s\n' "one worker" "stackless" "stackful"
for key in yield_switch memory_per_parked_coroutine echo_round_trips_per_s; do
    printf '%-38s %12s %12s\n' "$key (${value[unit.$key]:-?})" "${value[stackless.$key]:-n/a}" "${value[stackful.$key]:-n/a}"
done
