#!/bin/sh
# run_fuzzer.sh FUZZER CORPUS SECONDS: fuzz for SECONDS on a copy of CORPUS; fail on any crash,
# leak, timeout or sanitizer report (libFuzzer exits non-zero and leaves crash-* files).
set -eu
fuzzer=$1 corpus=$2 seconds=$3
work=$(mktemp -d /tmp/sheep-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/new"
cd "$work"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	"$work/new" "$corpus"
