#!/usr/bin/env bash
# setup.sh [GROUP...] — install the Debian packages a fresh machine lacks, idempotently.
#   base   libclang-dev (the C frontend), make, pkg-config
#   test   base + gdb, valgrind, qemu-user, gcc-aarch64-linux-gnu, csmith, cmake, spin, gcc-12-source
#   bench  base + golang-go, wrk, libboost-context-dev, g++ (the Boost.Context peer), linux-perf,
#          csmith + valgrind (straight-line overhead counted in instructions)
# Only packages that are missing are installed; apt-get is retried while another
# process holds the dpkg lock (common right after a machine boots).
set -euo pipefail

want=()
add() { for p in "$@"; do want+=("$p"); done; }
for group in "${@:-base}"; do
    case "$group" in
        base)  add libclang-dev pkg-config make ;;
        test)  add libclang-dev pkg-config make gdb valgrind qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross csmith libcsmith-dev cmake spin gcc-12-source ;;
        bench) add libclang-dev pkg-config make golang-go wrk libboost-context-dev g++ linux-perf csmith libcsmith-dev valgrind ;;
        *) echo "setup.sh: unknown group '$group' (base, test, bench)" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
        echo "setup.sh: missing packages (${missing[*]}); run as root: apt-get install ${missing[*]}" >&2; exit 2
    fi
else SUDO=; fi

echo "setup: installing ${missing[*]}" >&2
apt_retry() {
    local i
    for i in $(seq 1 60); do
        if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "$@"; then return 0; fi
        echo "setup: apt-get busy or failed (try $i), retrying in 5 s" >&2
        sleep 5
    done
    return 1
}
stamp=/var/lib/apt/periodic/coroc-update-stamp
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +360 2>/dev/null)" ]; then
    apt_retry update -qq && { $SUDO mkdir -p "$(dirname "$stamp")"; $SUDO touch "$stamp"; }
fi
apt_retry install -y -qq --no-install-recommends "${missing[@]}"
