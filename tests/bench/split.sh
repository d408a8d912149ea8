#!/bin/sh
# Speed of `vnie split` beside the library ceiling, on ~50 MB of records
# made by repeating the texts of tests/split/. Prints MB/s: 10^6 bytes per
# second of CPU time (user + system), best of 2 runs; CPU time rather than
# wall time because the machine is shared and a wall clock also measures
# whatever else runs.
#   split        vnie split < records > /dev/null, MB of input per second
#   split-lines  vnie split --lines: the same record loop without ICU
#                (JSON parse + write: the floor of any stage)
#   icu-utf8     ICU's sentence iterator alone over the texts, UTF-8 UText
#                (the alternative not taken)
#   icu-utf16    the same after u_strFromUTF8, conversion included (what
#                split does)
#   sent_split   the split module alone over the texts (no JSON)
# Usage: sh tests/bench/split.sh [VNIE]   (from the top of the tree, after
# make; the ceiling program is built here against build/libvnie.a)
set -eu
VNIE=${1:-./vnie}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/bench/out
mkdir -p "$out"
SIZE=${SPLIT_BENCH_BYTES:-50000000}

recs=$out/split-records.jsonl
if [ ! -f "$recs" ] || [ "$(wc -c <"$recs")" -lt "$SIZE" ]; then
	"$VNIE" read "$top"/tests/split/*.txt >"$out/split-seed.jsonl"
	seed=$(wc -c <"$out/split-seed.jsonl")
	awk -v n=$((SIZE / seed + 1)) '{ a[NR] = $0 } END {
		for (i = 0; i < n; i++) for (j = 1; j <= NR; j++) print a[j] }' \
		"$out/split-seed.jsonl" >"$recs"
fi
bytes=$(wc -c <"$recs")

cc -std=c11 -D_GNU_SOURCE -O2 -I"$top/pipeline" \
	$(pkg-config --cflags icu-uc icu-i18n jansson libutf8proc) \
	-o "$out/split_ceiling" "$top/tests/bench/split_ceiling.c" \
	"$top/build/libvnie.a" \
	$(pkg-config --libs icu-uc icu-i18n libpcre2-8 jansson libutf8proc) \
	-lpthread -lm

# CPU time of a command over the records, best of 2, as MB/s
rate() {
	best=
	for run in 1 2; do
		/usr/bin/time -f '%U %S' -o "$out/split-time" "$@" \
			<"$recs" >/dev/null
		best=$(awk -v b="$best" '{ d = $1 + $2
			if (b != "" && b < d) d = b; print d }' "$out/split-time")
	done
	echo "$best" | awk -v b="$bytes" '{ printf "%.1f\n", b / $1 / 1e6 }'
}

echo "records: $bytes bytes"
echo "split $(rate "$VNIE" split)"
echo "split-lines $(rate "$VNIE" split --lines)"
"$out/split_ceiling" "$recs" "$top/rules/abbreviations.txt"
