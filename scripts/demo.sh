#!/usr/bin/env bash
# make demo: starts the simulator, records a 10 s harvest with the default compression into
# demo-output/, prints where the file is and a summary, and stops the simulator again.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
sheep="$here/$build/shepherd-sheep"
sim="$here/$build/shepherd-pru-sim"
root=$(mktemp -d /dev/shm/shepherd-demo.XXXXXX 2>/dev/null || mktemp -d)
out="$here/demo-output"
mkdir -p "$out"

sim_log="$root.log"
"$sim" --root "$root/sim" > "$sim_log" 2>&1 &
sim_pid=$!
cleanup() {
  kill -TERM "$sim_pid" 2>/dev/null || true
  wait "$sim_pid" 2>/dev/null || true
  rm -rf "$root" "$sim_log"
}
trap cleanup EXIT
for _ in $(seq 100); do
  grep -q '^ready' "$sim_log" 2>/dev/null && break
  sleep 0.05
done
grep -q '^ready' "$sim_log" || { cat "$sim_log"; echo "demo: simulator did not start" >&2; exit 1; }

task="$root/demo-task.yaml"
cat > "$task" <<YAML
datatype: HarvestTask
parameters:
  output_path: $out
  duration: 10
YAML

echo "demo: simulator at $root/sim, recording 10 s into $out ..."
# the simulator's variables: its sysfs, memory, EEPROM, GPIO tree and module command
. "$root/sim/env"
"$sheep" --sysfs-root "$root/sim/sysfs" --mem-device "$root/sim/mem" --eeprom "$root/sim/eeprom" \
  run --start-delay 2 "$task"
