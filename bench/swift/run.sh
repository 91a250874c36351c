#!/bin/bash
# bench/swift/run.sh — a quick look by hand at the Swift benchmark programs:
# builds them in both modes through bench/Makefile (the same rules `coroc
# bench` uses) and runs each once on one worker, printing their
# "RESULT <metric> <value>" lines with the mode appended (yield_ns.stackless, ...).
# `coroc bench` puts yield and chan in its yield and channel rows; await
# (ns per call of another coroutine) is only reported here.
# Usage: bench/swift/run.sh [coroc]   (default: .build/release/coroc, else .build/debug/coroc)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
coroc=${1:-}
if [ -z "$coroc" ]; then
    coroc=$root/.build/release/coroc
    [ -x "$coroc" ] || coroc=$root/.build/debug/coroc
fi
targets=()
for name in yield chan await yield_typed chan_typed; do
    for mode in stackless stackful; do targets+=("build/swift_$name.$mode"); done
done
make -s -C "$root/bench" COROC="$coroc" "${targets[@]}"
for t in "${targets[@]}"; do
    mode=${t##*.}
    CORO_THREADS=1 "$root/bench/$t" | sed -E "s/^RESULT ([^ ]+) /RESULT \1.$mode /"
done
