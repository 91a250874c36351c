#!/usr/bin/env bash
# csmith.sh COROC original|stackless|stackful — straight-line overhead on
# csmith programs (issue 7): seeds 1-6 (the C frontend's differential-test
# seeds), every function made CORO and main run by coro_main (the same
# rewrite as Tests/CorocCTests/CsmithTests.swift), nothing ever suspends.
# csmith programs run for microseconds, too short to time, so this counts
# instructions with valgrind --tool=callgrind (deterministic; this VM has no
# hardware counters) and subtracts the same count for an empty program built
# the same way (runtime start and stop, or plain process start).  Every
# variant must print the original's checksum, or the script fails.
# Prints "RESULT csmith_kinstr <thousands of instructions, all seeds>".
set -euo pipefail
coroc=$1 variant=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/build/csmith"
runtime="$here/../Runtime"
mkdir -p "$out"
cflags=(-O2 -w -D_GNU_SOURCE -I "$runtime/include" -I /usr/include/csmith)

coroutinize() {
    awk 'BEGIN { print "#include <coro.h>" }
         /^static / && / func_/ && /\(/ { print "CORO " $0; next }
         $0 == "int main (void)" { print "CORO static int csmith_main(void)"; next }
         { print }
         END { print "int main(void) { return coro_main(csmith_main()); }" }' "$1"
}

# build NAME SOURCE: the variant's executable of an annotated source
build() {
    local name=$1 src=$2 exe="$out/$1.$variant"
    if [ ! -x "$exe" ] || [ "$src" -nt "$exe" ] || [ "$coroc" -nt "$exe" ]; then
        if [ "$variant" = original ]; then
            cc "${cflags[@]}" -o "$exe" "$src"
        else
            "$coroc" translate "$src" --mode "$variant" -I /usr/include/csmith -o "$out/$name.$variant.c" 2>/dev/null
            cc "${cflags[@]}" -o "$exe" "$out/$name.$variant.c" "$runtime/build/libcoro.a" -lpthread
        fi
    fi
    echo "$exe"
}

instructions() {
    CORO_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" 2>&1 >/dev/null |
        awk '/Collected :/ { print $4 }'
}

# The empty program has a loop: a coroutine without one that never suspends
# is a plain call (a leaf), and its coro_main a plain call too, so the runtime
# would never start.  A seed whose translation starts no runtime either (no
# coro_run_main in the stackless output) is measured against the plain empty
# program instead: what it saves by not starting one is real.
printf '#include <coro.h>\n#include <stdio.h>\nCORO static int csmith_main(void) { for (volatile int i = 0; i < 1; i++) printf("checksum = 0\\n"); return 0; }\nint main(void) { return coro_main(csmith_main()); }\n' > "$out/empty.c"
base=$(instructions "$(build empty "$out/empty.c")")
cc "${cflags[@]}" -o "$out/empty.plain" "$out/empty.c"
plain_base=$(instructions "$out/empty.plain")
total=0
for seed in 1 2 3 4 5 6; do
    if [ ! -f "$out/seed$seed.c" ]; then
        (cd "$out" && csmith --seed "$seed" --no-argc --output "seed$seed.c.tmp")   # it drops platform.info in its cwd
        mv -f "$out/seed$seed.c.tmp" "$out/seed$seed.c"
    fi
    [ -f "$out/seed$seed.coro.c" ] || coroutinize "$out/seed$seed.c" > "$out/seed$seed.coro.c"
    exe=$(build "seed$seed" "$out/seed$seed.coro.c")
    want=$(timeout 10 cc -O2 -w -I /usr/include/csmith -o "$out/seed$seed.plain" "$out/seed$seed.c" && timeout 10 "$out/seed$seed.plain")
    got=$(CORO_THREADS=1 timeout 60 "$exe")
    [ "$got" = "$want" ] || { echo "csmith.sh: seed $seed $variant printed '$got', the original '$want'" >&2; exit 1; }
    n=$(instructions "$exe")
    if [ "$variant" = stackless ] && ! grep -q 'coro_run_main(' "$out/seed$seed.$variant.c"; then
        total=$((total + n - plain_base))
    else
        total=$((total + n - base))
    fi
done
echo "RESULT csmith_kinstr $(awk -v t="$total" 'BEGIN { printf "%.1f", t / 1000 }')"
