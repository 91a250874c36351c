#!/usr/bin/env bash
# netload.sh — one measurement of a network benchmark: start a server, wait
# until it accepts on 127.0.0.1:PORT, put load on it, print the RESULT line,
# stop the server (by its own pid).  `coroc bench` runs it once per variant
# and run; the server's environment (CORO_THREADS, GOMAXPROCS) is inherited.
#
#   netload.sh http PORT SECONDS CONNS -- SERVER ARGV...   wrk -t1 -c CONNS; RESULT http_rps
#   netload.sh echo PORT SECONDS CONNS -- SERVER ARGV...   echo_load;        RESULT echo_rps
#
# Loopback only, bounded by SECONDS.  The server's stderr goes to a temp file
# that is shown if the measurement fails.
set -euo pipefail

kind=$1 port=$2 seconds=$3 conns=$4
shift 4
[ "$1" = "--" ] && shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log=$(mktemp /tmp/coroc-netload.XXXXXX)
"$@" >/dev/null 2>"$log" &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

# Wait up to 5 s for the listener.
for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then
        echo "netload: server exited early: $*" >&2; cat "$log" >&2; exit 1
    fi
    sleep 0.05
done

case "$kind" in
http)
    out=$(wrk -t1 -c"$conns" -d"${seconds}s" "http://127.0.0.1:$port/")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    errors=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out")
    if [ -z "$rps" ] || [ -n "$errors" ]; then
        echo "netload: wrk reported a problem against $*:" >&2; echo "$out" >&2; cat "$log" >&2; exit 1
    fi
    echo "RESULT http_rps $rps"
    ;;
echo)
    "$here/build/echo_load" "$port" "$conns" "$seconds" || { cat "$log" >&2; exit 1; }
    ;;
*) echo "netload: unknown kind '$kind'" >&2; exit 2 ;;
esac
