#!/bin/sh
# check_units.sh UNIT_DIR FROM TO: systemd-analyze verify on the units in UNIT_DIR (the ones
# CMake configured, or a package's), with their programs' directory FROM (the install BINDIR
# they name) replaced by TO, where the programs are (a build directory, a root the package was
# installed into). Exit 77 (CTest: skipped) without systemd-analyze.
set -eu
units=$1
from=$2
to=$3
command -v systemd-analyze > /dev/null || { echo "systemd-analyze not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count=0
for unit in "$units"/shepherd*.service; do
  sed -e "s|$from/|$to/|g" "$unit" > "$tmp/$(basename "$unit")"
  count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "no shepherd*.service in $units"; exit 1; }
cd "$tmp"
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./*.service 2>&1 || true)
out=$(printf '%s\n' "$out" | grep -v -e '^$' || true)
if [ -n "$out" ]; then
  printf '%s\n' "$out"
  exit 1
fi
echo "$count units verified"
