#!/bin/sh
# make bench: speed and peak memory of every stage, of `vnie run -j1/-j2`
# and of the piped chain, beside baselines run on the same text in the same
# command (cat, grep -F -f with the gazetteer surface list, uconv -x nfc).
#
# The bench corpus (~50 MB of text, BENCH_MB to change) is made from the
# documents in corpus/, repeated with distinct ids. MB/s counts the bytes of
# document text, the same for every command; each figure is the median of
# BENCH_RUNS runs (default 3). Results: a table on stdout and
# tests/bench/out/bench.json.
set -eu
VNIE=${1:-./vnie}
case $VNIE in /*) ;; *) VNIE=$(pwd)/${VNIE#./} ;; esac
MB=${BENCH_MB:-50}
RUNS=${BENCH_RUNS:-3}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/bench/out
mkdir -p "$out"
cd "$out"

# The corpus: records (bench.jsonl) and the same text as one file (bench.txt).
if [ ! -s bench.jsonl ] || [ "$(cat bench.mb 2>/dev/null)" != "$MB" ]; then
	"$VNIE" read "$top"/corpus/*.txt > one.jsonl
	want=$((MB * 1000000))
	cat "$top"/corpus/*.txt > one.txt
	per=$(wc -c < one.txt)
	copies=$(( (want + per - 1) / per ))
	k=0
	while [ $k -lt "$copies" ]; do
		sed "s/^{\"id\":\"\([^\"]*\)\"/{\"id\":\"\1-$k\"/" one.jsonl
		k=$((k + 1))
	done > bench.jsonl
	k=0
	while [ $k -lt "$copies" ]; do cat one.txt; k=$((k + 1)); done > bench.txt
	echo "$MB" > bench.mb
	rm -f one.jsonl one.txt stage-*.jsonl
fi
textbytes=$(wc -c < bench.txt)

# Inputs of each stage, made once.
[ -s stage-norm.jsonl ] || "$VNIE" normalize < bench.jsonl > stage-norm.jsonl
[ -s stage-split.jsonl ] || "$VNIE" split < stage-norm.jsonl > stage-split.jsonl
[ -s stage-gaz.jsonl ] || "$VNIE" gazetteer < stage-split.jsonl > stage-gaz.jsonl
# The surface forms of the default gazetteers, for grep -F -f.
grep -hv '^#' "$top"/gazetteers/*.tsv | cut -f1 | grep -v '^$' | sort -u > surfaces.txt

# measure NAME INPUT CMD: median wall time and peak RSS of CMD < INPUT.
measure() {
	name=$1; input=$2; shift 2
	i=0
	: > times.txt
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f "%e %M" -o t.txt sh -c "$*" < "$input" > /dev/null 2> err.txt || {
			echo "bench: '$name' failed:" >&2; tail -3 err.txt >&2; exit 1; }
		cat t.txt >> times.txt
		i=$((i + 1))
	done
	sort -n times.txt | awk -v n="$RUNS" -v name="$name" -v bytes="$textbytes" '
		{ t[NR] = $1; m[NR] = $2 }
		END { med = t[int((n + 1) / 2)]; if (med <= 0) med = 0.001
		      mx = 0; for (i = 1; i <= n; i++) if (m[i] > mx) mx = m[i]
		      printf "%s %.3f %.1f %.1f\n", name, med, bytes / 1e6 / med, mx / 1024 }' >> results.txt
}

: > results.txt
measure cat bench.jsonl "cat"
measure grep-F bench.txt "LC_ALL=C grep -F -o -f surfaces.txt | wc -l"
measure uconv-nfc bench.txt "uconv -x nfc"
# each stage on one core (-j1), then rules on two
measure normalize bench.jsonl "'$VNIE' normalize -j1"
measure split stage-norm.jsonl "'$VNIE' split -j1"
measure gazetteer stage-split.jsonl "'$VNIE' gazetteer -j1"
measure rules stage-gaz.jsonl "'$VNIE' rules -j1"
measure rules-j2 stage-gaz.jsonl "'$VNIE' rules -j2"
measure run-j1 bench.jsonl "'$VNIE' run -j1 --records"
measure run-j2 bench.jsonl "'$VNIE' run -j2 --records"
# the chain as a user types it (each stage on as many threads as cores),
# and with every stage on one thread
measure piped-chain bench.jsonl "'$VNIE' normalize | '$VNIE' split | '$VNIE' gazetteer | '$VNIE' rules"
measure piped-chain-j1 bench.jsonl "'$VNIE' normalize -j1 | '$VNIE' split -j1 | '$VNIE' gazetteer -j1 | '$VNIE' rules -j1"

awk -v mb="$(echo "$textbytes" | awk '{printf "%.1f", $1/1e6}')" '
	{ name[NR] = $1; t[NR] = $2; s[NR] = $3; m[NR] = $4; idx[$1] = NR }
	END {
		printf "vnie bench: %s MB of document text; median of runs; RSS = peak resident memory\n\n", mb
		printf "%-14s %9s %9s %9s  %s\n", "command", "seconds", "MB/s", "RSS MB", "ratio"
		base["normalize"] = "uconv-nfc"; base["gazetteer"] = "grep-F"
		base["run-j1"] = "grep-F"; base["run-j2"] = "grep-F"
		for (i = 1; i <= NR; i++) {
			r = ""
			b = base[name[i]]
			if (b != "") r = sprintf("%.2fx the speed of %s", s[i] / s[idx[b]], b)
			if (name[i] == "run-j2") r = r sprintf("; %.2fx run-j1", s[i] / s[idx["run-j1"]])
			if (name[i] == "rules-j2") r = sprintf("%.2fx rules (-j1)", s[i] / s[idx["rules"]])
			if (name[i] == "piped-chain") r = sprintf("%.2fx piped-chain-j1", s[i] / s[idx["piped-chain-j1"]])
			if (name[i] == "run-j2" || name[i] == "run-j1") r = r sprintf("; time %.1fx grep-F", t[i] / t[idx["grep-F"]])
			printf "%-14s %9.2f %9.1f %9.1f  %s\n", name[i], t[i], s[i], m[i], r
		}
	}' results.txt
awk -v bytes="$textbytes" 'BEGIN { printf "{\"text_bytes\": %d, \"results\": [", bytes }
	{ printf "%s{\"command\": \"%s\", \"seconds\": %s, \"mb_per_s\": %s, \"peak_rss_mb\": %s}", (NR > 1 ? ", " : ""), $1, $2, $3, $4 }
	END { print "]}" }' results.txt > bench.json
echo
echo "results: tests/bench/out/bench.json"
