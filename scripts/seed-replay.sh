#!/bin/bash
# seed-replay.sh COROC SEEDS: the issue-12 echo scenario (Fixtures/c/halfclose.c)
# under CORO_SEED=1..SEEDS, both modes: each seeded run (one worker, seeded
# scheduler and select order) must print exactly halfclose.expected and exit 0.
set -euo pipefail
coroc=${1:?usage: seed-replay.sh COROC SEEDS}
seeds=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s -C "$root/Runtime" lib
expected=$(cat "$root/Fixtures/c/halfclose.expected")
for mode in stackless stackful; do
    "$coroc" translate "$root/Fixtures/c/halfclose.c" --mode "$mode" -o "$tmp/hc.c"
    cc -O1 -I"$root/Runtime/include" "$tmp/hc.c" "$root/Runtime/build/libcoro.a" -lpthread -o "$tmp/hc"
    for s in $(seq 1 "$seeds"); do
        out=$(CORO_SEED=$s timeout 60 "$tmp/hc" 2>&1) || { echo "seed-replay: $mode seed $s failed: $out"; exit 1; }
        [ "$out" = "$expected" ] || { echo "seed-replay: $mode seed $s printed: $out"; exit 1; }
    done
done
echo "seed-replay: halfclose passed $seeds seeds in both modes"
