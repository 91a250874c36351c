#!/bin/bash
# bench/swift/run.sh — builds the Swift benchmark programs in both modes and
# runs each once, printing their "RESULT <metric> <value>" lines with the mode
# appended to the metric (yield_ns.stackless, ...).  A quick look by hand;
# `coroc bench` builds the same programs through bench/Makefile and puts them
# in its yield and channel rows.  Usage: bench/swift/run.sh [coroc] [libcoro.a]
# Defaults: .build/release/coroc (else .build/debug/coroc) and Runtime/build/libcoro.a.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
coroc=${1:-}
if [ -z "$coroc" ]; then
    coroc=$root/.build/release/coroc
    [ -x "$coroc" ] || coroc=$root/.build/debug/coroc
fi
lib=${2:-$root/Runtime/build/libcoro.a}
[ -f "$lib" ] || make -s -C "$root/Runtime" lib
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for program in "$root"/bench/swift/*.coroswift; do
    name=$(basename "$program" .coroswift)
    for mode in stackless stackful; do
        "$coroc" translate --mode "$mode" "$program" -o "$out/$name.$mode.swift"
        # stackful: a coroutine may migrate inside a dynamic exclusivity access (docs/swift.md)
        extra=""; [ "$mode" = stackful ] && extra="-enforce-exclusivity=unchecked"
        swiftc -O $extra -swift-version 6 -I "$root/Runtime/include" "$out/$name.$mode.swift" "$lib" -lpthread \
            -o "$out/$name.$mode"
        CORO_THREADS=1 "$out/$name.$mode" | sed -E "s/^RESULT ([^ ]+) /RESULT \1.$mode /"
    done
done
