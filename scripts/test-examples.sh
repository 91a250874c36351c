#!/usr/bin/env bash
# test-examples.sh — build and run each project under Examples/ the way a user
# would: from an installed coroc (make install into a temp prefix), each in a
# scratch copy of its folder.  Prints one line per example and
# "N passed, N failed" at the end; exits 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d /tmp/coroc-examples-XXXXXX)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

if ! make -s install PREFIX="$prefix" >"$work/install.log" 2>&1; then
    cat "$work/install.log"; echo "make install failed"; echo "0 passed, 1 failed"; exit 1
fi
export PATH="$prefix/bin:$PATH"
expected="words: 9000"
passed=0 failed=0

check() {   # name, log, actual output
    if [ "$3" = "$expected" ]; then
        echo "pass  $1"; passed=$((passed + 1))
    else
        echo "FAIL  $1: expected '$expected', got '$3'"; sed 's/^/    /' "$2" | tail -30
        failed=$((failed + 1))
    fi
}

# Make with coroc.mk
cp -r Examples/make-app "$work/make-app"
out=$( { make -s -C "$work/make-app" CORO_PREFIX="$prefix" >"$work/make.log" 2>&1 && "$work/make-app/wordfreq"; } 2>>"$work/make.log")
check "make-app (coroc.mk)" "$work/make.log" "$out"

# An unmodified Makefile with CC="coroc cc"; its -MD output must name main.c
cp -r Examples/cc-app "$work/cc-app"
out=$( { make -s -C "$work/cc-app" CC="coroc cc" >"$work/cc.log" 2>&1 && "$work/cc-app/wordfreq"; } 2>>"$work/cc.log")
if [ -f "$work/cc-app/main.d" ] && ! grep -q 'coroc-cc-' "$work/cc-app/main.d" && grep -q 'main\.c' "$work/cc-app/main.d"; then
    check "cc-app (CC=\"coroc cc\", -MD names main.c)" "$work/cc.log" "$out"
else
    { echo "main.d:"; cat "$work/cc-app/main.d" 2>/dev/null; } >>"$work/cc.log"
    check "cc-app (CC=\"coroc cc\", -MD names main.c)" "$work/cc.log" "bad dependency file"
fi

# CMake with the installed CoroRuntime package and coroc_translate()
if command -v cmake >/dev/null; then
    cp -r Examples/cmake-app "$work/cmake-app"
    out=$( { cmake -S "$work/cmake-app" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" >"$work/cmake.log" 2>&1 &&
             cmake --build "$work/cmake-build" >>"$work/cmake.log" 2>&1 && "$work/cmake-build/wordfreq"; } 2>>"$work/cmake.log")
    check "cmake-app (CorocTranslate.cmake)" "$work/cmake.log" "$out"
else
    echo "FAIL  cmake-app: cmake is not installed (scripts/setup.sh test installs it)"; failed=$((failed + 1))
fi

# SwiftPM build-tool plugin, depending on this package by path
if [ -f Examples/swiftpm-app/Package.swift ]; then
    cp -r Examples/swiftpm-app "$work/swiftpm-app"
    sed -i "s|path: \"../..\"|path: \"$root\"|" "$work/swiftpm-app/Package.swift"
    out=$( { swift build --package-path "$work/swiftpm-app" >"$work/spm.log" 2>&1 &&
             "$work/swiftpm-app/.build/debug/wordfreq"; } 2>>"$work/spm.log")
    check "swiftpm-app (CorocPlugin)" "$work/spm.log" "$out"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
