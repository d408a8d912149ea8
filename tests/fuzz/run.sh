#!/bin/sh
# Runs each libFuzzer target for SECONDS seconds, one after the other, at
# low priority: run.sh SECONDS build-fuzz/fuzz_NAME...
# Corpora grow in build-fuzz/corpus/NAME, starting from the seeds in
# tests/fuzz/seeds/NAME; crashes are saved as build-fuzz/crash-NAME-*.
# Exits 1 if any target found a crash.
secs=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
rc=0
for bin in "$@"; do
	name=$(basename "$bin")
	corpus=$top/build-fuzz/corpus/$name
	seeds=$top/tests/fuzz/seeds/$name
	mkdir -p "$corpus"
	[ -d "$seeds" ] || seeds=
	echo "fuzz: $name for ${secs}s"
	VNIE_DATA=$top nice -n 10 "$bin" -max_total_time="$secs" -close_fd_mask=3 \
		-max_len=4096 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$top/build-fuzz/crash-$name-" \
		"$corpus" $seeds 2>"$top/build-fuzz/$name.log"
	st=$?
	grep -E '^(#[0-9]+.*DONE|Done [0-9]+ runs)' "$top/build-fuzz/$name.log" | tail -2
	if [ $st -ne 0 ]; then
		echo "fuzz: $name failed (status $st); see build-fuzz/$name.log"
		rc=1
	fi
done
exit $rc
