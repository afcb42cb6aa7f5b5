#!/usr/bin/env bash
# check_arm_objects.sh OBJDUMP OBJECT... : the armhf ring code follows pru_mem.h's rules.
# Fails on any exclusive access (LDREX/STREX and their byte, halfword and doubleword forms) and on
# inner-shareable barriers (dmb ish: not the PRU's domain) in any object, if a ring reader or
# writer (*_ring.c.o) has no full-system barrier, and if the carve-out copies (pru_mem*.c.o) call
# memcpy, memmove or memset (glibc's may issue unaligned accesses, which fault on uncached
# memory).
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
rings=0
for obj in "$@"; do
  name=$(basename "$obj")
  case "$name" in
    *_ring.c.o)
      rings=$((rings + 1))
      if ! grep -Eqi "^$name: .*\sdmb\s+sy\b" "$listing"; then
        echo "FAIL: $name reads or writes a ring without a full-system barrier (dmb sy)" >&2
        status=1
      fi ;;
    pru_mem*.c.o)
      calls=$("$objdump" -dr "$obj")
      if grep -E 'R_ARM_(THM_)?(CALL|JUMP24)\s+(memcpy|memmove|memset)\b' <<< "$calls"; then
        echo "FAIL: $name calls the C library's memory functions (see pru_mem.h, rule 4)" >&2
        status=1
      fi ;;
  esac
done
if [ "$rings" -eq 0 ]; then
  echo "FAIL: no ring objects (*_ring.c.o) among $*" >&2
  status=1
fi
echo "$# objects, $(grep -c . "$listing") lines of disassembly checked"
exit $status
