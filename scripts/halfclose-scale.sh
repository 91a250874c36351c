#!/bin/bash
# halfclose-scale.sh COROC: the issue-12 shape (Fixtures/c/halfclose.c) at 30,
# 50, 500 and 5,000 clients, stackless and stackful, on 1 and 4 workers; every
# round must report all echoes intact.  5,000 clients hold 10,000 sockets in one
# process: the soft RLIMIT_NOFILE is raised to the hard limit, and the run is
# skipped with a message if that is below 10,100.  Part of `make test-fixtures`
# (~7 s).
set -euo pipefail
coroc=${1:?usage: halfclose-scale.sh COROC}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10100 ]; then
    echo "halfclose-scale: SKIPPED (RLIMIT_NOFILE hard limit $(ulimit -Hn) < 10100)"
    exit 0
fi
make -s -C "$root/Runtime" lib
want=$'30 clients: 30 echoes intact\n50 clients: 50 echoes intact\n500 clients: 500 echoes intact\n5000 clients: 5000 echoes intact'
for mode in stackless stackful; do
    "$coroc" translate "$root/Fixtures/c/halfclose.c" --mode "$mode" -o "$tmp/hc.c"
    cc -O1 -I"$root/Runtime/include" "$tmp/hc.c" "$root/Runtime/build/libcoro.a" -lpthread -o "$tmp/hc"
    for threads in 1 4; do
        out=$(CORO_THREADS=$threads timeout 300 "$tmp/hc" 30 50 500 5000 2>&1) ||
            { echo "halfclose-scale: $mode, $threads workers failed: $out"; exit 1; }
        [ "$out" = "$want" ] || { echo "halfclose-scale: $mode, $threads workers printed: $out"; exit 1; }
        echo "halfclose-scale: $mode, $threads workers: 30, 50, 500, 5000 clients intact"
    done
done
