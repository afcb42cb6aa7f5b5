#!/usr/bin/env bash
# check_arm_objects.sh OBJDUMP OBJECT... : the armhf ring code follows pru_mem.h's rules.
# Fails on any exclusive access (LDREX/STREX and their byte, halfword and doubleword forms) and on
# inner-shareable barriers (dmb ish: not the PRU's domain), and if no full-system barrier is found
# at all (the objects would not be the ring code then).
set -euo pipefail
objdump=$1
shift
[ $# -gt 0 ] || { echo "no objects given" >&2; exit 1; }
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
for obj in "$@"; do
  "$objdump" -d --no-show-raw-insn "$obj" | sed "s|^|$(basename "$obj"): |" >> "$listing"
done
status=0
if grep -Ei '\s(ldrex|strex|ldaex|stlex)[bhd]?(\.w)?\s' "$listing"; then
  echo "FAIL: exclusive loads or stores in the ring code (see pru_mem.h, rule 1)" >&2
  status=1
fi
if grep -Ei '\sdmb\s+(ish|ishst|ishld)\b' "$listing"; then
  echo "FAIL: inner-shareable barriers in the ring code (see pru_mem.h, rule 3)" >&2
  status=1
fi
if ! grep -Eqi '\sdmb\s+sy\b' "$listing"; then
  echo "FAIL: no full-system barrier (dmb sy) found in $*" >&2
  status=1
fi
echo "$# objects, $(grep -c . "$listing") lines of disassembly checked"
exit $status
