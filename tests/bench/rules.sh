#!/bin/sh
# The rules stage's speed with the default rules, beside its own floor:
# the same records through `vnie rules` with an empty rule file (parse,
# serialise and the record loop, no rule), and with the prefilter off.
#
# Input: the gazetteer stage's output over the documents of corpus/,
# repeated with distinct ids to BENCH_MB megabytes of records (default 50).
# Figures are user CPU seconds (one core; the median of BENCH_RUNS runs,
# default 3) and MB/s over the records file and over the document text.
#
# Then one record of BENCH_BIG_MB megabytes of text (default 5; 0 skips
# it): the documents of corpus/ joined into one, as a long document that
# must not cost more per byte than short ones (one run, not a median).
#
#   sh tests/bench/rules.sh [VNIE]
set -eu
VNIE=${1:-./vnie}
case $VNIE in /*) ;; *) VNIE=$(pwd)/${VNIE#./} ;; esac
MB=${BENCH_MB:-50}
RUNS=${BENCH_RUNS:-3}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/bench/out
mkdir -p "$out"
cd "$out"

if [ ! -s rules-in.jsonl ] || [ "$(cat rules-in.mb 2>/dev/null)" != "$MB" ]; then
	"$VNIE" read "$top"/corpus/*.txt | "$VNIE" normalize | "$VNIE" split |
		"$VNIE" gazetteer > rules-one.jsonl
	per=$(wc -c < rules-one.jsonl)
	copies=$(( (MB * 1000000 + per - 1) / per ))
	k=0
	while [ $k -lt "$copies" ]; do
		sed "s/^{\"id\":\"\([^\"]*\)\"/{\"id\":\"\1-$k\"/" rules-one.jsonl
		k=$((k + 1))
	done > rules-in.jsonl
	echo "$MB" > rules-in.mb
	rm -f rules-one.jsonl
fi
recbytes=$(wc -c < rules-in.jsonl)
textbytes=$(jq -j '.text' < rules-in.jsonl 2>/dev/null | wc -c || echo 0)
: > rules-empty.rules

# measure NAME ARGS...: median user seconds of vnie rules ARGS over
# $IN (rules-in.jsonl unless set).
measure() {
	name=$1; shift
	i=0
	: > rules-times.txt
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f "%U" -o rules-t.txt "$VNIE" rules "$@" \
			< "${IN:-rules-in.jsonl}" > /dev/null 2> rules-err.txt || {
			echo "bench: '$name' failed:" >&2
			tail -3 rules-err.txt >&2
			exit 1
		}
		cat rules-t.txt >> rules-times.txt
		i=$((i + 1))
	done
	sort -n rules-times.txt | awk -v n="$RUNS" -v name="$name" \
		-v rb="$recbytes" -v tb="$textbytes" '
		{ t[NR] = $1 }
		END { med = t[int((n + 1) / 2)]; if (med <= 0) med = 0.01
		      printf "%-34s %7.2f s %8.1f MB/s records %7.1f MB/s text\n",
			     name, med, rb / med / 1e6, tb / med / 1e6 }'
}

printf 'records: %d bytes (%d of text), %d runs each\n' "$recbytes" \
	"$textbytes" "$RUNS"
measure "rules, empty rule file (floor)" -r rules-empty.rules
measure "rules, default rules" 
measure "rules, default rules, no prefilter" --no-prefilter

BIG=${BENCH_BIG_MB:-5}
if [ "$BIG" -gt 0 ]; then
	if [ ! -s rules-big.jsonl ] || [ "$(cat rules-big.mb 2>/dev/null)" != "$BIG" ]; then
		: > rules-big.txt
		while [ "$(wc -c < rules-big.txt)" -lt $((BIG * 1000000)) ]; do
			cat "$top"/corpus/*.txt >> rules-big.txt
		done
		head -c $((BIG * 1000000)) rules-big.txt > rules-big-cut.txt
		# cut at a line's end: no half character
		sed '$d' rules-big-cut.txt > rules-big.txt
		"$VNIE" read rules-big.txt | "$VNIE" normalize | "$VNIE" split |
			"$VNIE" gazetteer > rules-big.jsonl
		echo "$BIG" > rules-big.mb
		rm -f rules-big.txt rules-big-cut.txt
	fi
	recbytes=$(wc -c < rules-big.jsonl)
	textbytes=$(jq -j '.text' < rules-big.jsonl 2>/dev/null | wc -c || echo 0)
	printf 'one record: %d bytes (%d of text)\n' "$recbytes" "$textbytes"
	RUNS=1 IN=rules-big.jsonl measure "rules, one ${BIG} MB document"
fi
