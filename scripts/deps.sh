#!/bin/sh
# Installs the Debian packages movierec needs, or prints the exact command when
# not root.  Usage: scripts/deps.sh run|test|coverage
set -eu

run_pkgs="gcc make pkg-config libc6-dev libncurses-dev libreadline-dev libcsv-dev ca-certificates curl unzip"
test_pkgs="$run_pkgs libcmocka-dev tmux clang-format valgrind"
coverage_pkgs="$test_pkgs gcovr"

case "${1:-run}" in
run) want=$run_pkgs ;;
test) want=$test_pkgs ;;
coverage) want=$coverage_pkgs ;;
*) echo "usage: $0 run|test|coverage" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "movierec: missing packages:$missing (install them with your package manager)" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "movierec: missing Debian packages. Run, as root:" >&2
    echo "    apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "movierec: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
