#!/bin/sh
# check_units.sh SHEEP_BIN UNIT_DIR: systemd-analyze verify on the deploy units, with their
# ExecStart pointed at the built binary. Exit 77 (CTest: skipped) without systemd-analyze.
set -eu
sheep=$1
units=$2
command -v systemd-analyze > /dev/null || { echo "systemd-analyze not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the launcher and the watchdog are built next to the sheep
bindir=$(dirname "$sheep")
for unit in "$units"/*.service; do
  sed -e "s|/usr/local/bin/shepherd-sheep|$sheep|g" \
      -e "s|/usr/local/bin/shepherd-launcher|$bindir/shepherd-launcher|g" \
      -e "s|/usr/local/bin/shepherd-watchdog|$bindir/shepherd-watchdog|g" \
      "$unit" > "$tmp/$(basename "$unit")"
done
# the drop-in, on a minimal unit of the name it extends
printf '[Service]\nExecStart=%s --version\n' "$sheep" > "$tmp/shepherd.service"
mkdir "$tmp/shepherd.service.d"
sed "s|/usr/local/bin/shepherd-sheep|$sheep|g" "$units/shepherd.service.d/repair.conf" \
  > "$tmp/shepherd.service.d/repair.conf"
cd "$tmp"
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./*.service 2>&1 || true)
out=$(printf '%s\n' "$out" | grep -v -e '^$' || true)
if [ -n "$out" ]; then
  printf '%s\n' "$out"
  exit 1
fi
echo "units verified"
