#!/usr/bin/env bash
# demo.sh — what `make demo` shows a newcomer (after `make build`):
#   1. an annotated C program (the echo server fixture),
#   2. the state machine coroc makes of it, and `coroc explain`'s summary,
#   3. the program running in both modes on 1 and 2 workers,
#   4. a short contrast of the two models: throughput, memory per coroutine,
#      switch cost, measured now on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
COROC=${COROC:-.build/debug/coroc}
bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
work=$(mktemp -d /tmp/coroc-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT

make -s -C Runtime lib >/dev/null

bold "1. Annotated C: Fixtures/c/echo.c (excerpt)"
sed -n '/^CORO static void serve_conn/,/^}/p' Fixtures/c/echo.c

bold "2. coroc translate Fixtures/c/echo.c — the generated state machine (excerpt)"
$COROC translate Fixtures/c/echo.c -o "$work/echo.gen.c"
grep -v '^#line' "$work/echo.gen.c" | sed -n '/^typedef struct serve_conn_frame/,/^}/p' | head -20
echo "    ..."
# the resume function: its dispatch switch, then the body with states S1..S5
grep -v '^#line' "$work/echo.gen.c" | sed -n '/^static coro_status serve_conn_resume(coro_frame \*self) {/,/^}/p' | head -40

bold "   coroc explain Fixtures/c/echo.c --function serve_conn"
$COROC explain Fixtures/c/echo.c --function serve_conn

bold "3. coroc run: echo and HTTP fixtures, stackless and stackful, 1 and 2 workers"
$COROC run Fixtures/c/echo.c Fixtures/c/http.c --mode both --threads 1,2

bold "4. The contrast (measured now; full suite: make bench)"
scripts/demo-contrast.sh "$COROC"
