#!/bin/sh
# tests/bench/gazetteer.sh [VNIE]: speed and memory of the gazetteer stage.
#
# Builds a ~50 MB corpus by repeating tests/bench/gazetteer-text.txt (news
# text written for this benchmark), then measures on one core, in one run:
#   grep     LC_ALL=C grep -F -o -f SURFACES over the text (the baseline:
#            every match, as the matcher finds; -c would stop at the first
#            match of a line, and output to /dev/null lets grep stop early)
#   match    the matcher alone over the same text (gaz_bench, no JSON)
#   stage    vnie gazetteer over the same text as records (incl. JSON I/O),
#            and the same with a gazetteer that never matches (the floor
#            that JSON parsing and serialising set)
#   load     vnie check on a synthetic 100,000-entry gazetteer: time and
#            peak RSS (/usr/bin/time -v), and the load alone (gaz_bench)
# Speeds are MB/s per second of CPU time (user + system), so that a busy
# machine slows the baseline and vnie alike; wall times are shown too.
# GAZ_BENCH_MB changes the size; LIBVNIE names the library gaz_bench links
# with (default: the one next to VNIE).
set -eu
VNIE=${1:-./vnie}
top=$(cd "$(dirname "$0")/../.." && pwd)
case $VNIE in /*) ;; *) VNIE=$(pwd)/$VNIE ;; esac
LIBVNIE=${LIBVNIE:-$(dirname "$VNIE")/build/libvnie.a}
[ -f "$LIBVNIE" ] || LIBVNIE=$(dirname "$VNIE")/libvnie.a
MB=${GAZ_BENCH_MB:-50}
out=$top/tests/bench/out/gazetteer
mkdir -p "$out"
PKGS="icu-uc icu-i18n libpcre2-8 jansson libutf8proc"

# run NAME CMD...: run with stdin/stdout as given, leave "wall cpu" in
# $out/NAME.t (seconds).
run() {
	name=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$out/$name.time" "$@"
	awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$out/$name.time" >"$out/$name.t"
}
wall() { cut -d' ' -f1 "$out/$1.t"; }
cpu() { cut -d' ' -f2 "$out/$1.t"; }
mbs() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f", b / 1e6 / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# The text, one paragraph per line, repeated to MB megabytes.
awk 'BEGIN { RS = "" } { gsub(/\n/, " "); print }' \
	"$top/tests/bench/gazetteer-text.txt" >"$out/para.txt"
one=$(wc -c <"$out/para.txt")
reps=$((MB * 1000000 / one + 1))
awk -v n="$reps" '{ l[NR] = $0 } END { for (i = 0; i < n; i++)
	for (j = 1; j <= NR; j++) print l[j] }' "$out/para.txt" >"$out/text.txt"
"$VNIE" read --by line "$out/text.txt" >"$out/records.jsonl"
tbytes=$(wc -c <"$out/text.txt")
rbytes=$(wc -c <"$out/records.jsonl")

# The surface forms of the default gazetteers, for grep.
cat "$top"/gazetteers/*.tsv | grep -v '^#' | cut -f1 | grep . >"$out/surfaces.txt"

cc -O2 -std=c11 -D_GNU_SOURCE -I"$top/pipeline" $(pkg-config --cflags $PKGS) \
	-o "$out/gaz_bench" "$top/tests/bench/gaz_bench.c" "$LIBVNIE" \
	$(pkg-config --libs $PKGS) -lpthread -lm

echo "gazetteer bench: text $tbytes bytes, records $rbytes bytes," \
	"$(wc -l <"$out/surfaces.txt") surface forms"

run grep sh -c 'LC_ALL=C grep -F -o -f "$1" "$2" >"$3"' sh \
	"$out/surfaces.txt" "$out/text.txt" "$out/grep.out"
grep_mbs=$(mbs "$tbytes" "$(cpu grep)")
echo "grep -F -o -f:   $grep_mbs MB/s (wall $(wall grep) s, cpu $(cpu grep) s; $(wc -l <"$out/grep.out") matches)"
rm -f "$out/grep.out"

m=$(VNIE_DATA=$top "$out/gaz_bench" "$out/text.txt")
match_mbs=$(echo "$m" | sed 's/.*mb_s=//')
echo "match alone:     $match_mbs MB/s, $(ratio "$match_mbs" "$grep_mbs")x grep ($m)"

run stage sh -c '"$1" gazetteer <"$2" >"$3"' sh "$VNIE" \
	"$out/records.jsonl" "$out/stage.jsonl"
stage_mbs=$(mbs "$rbytes" "$(cpu stage)")
nent=$(grep -o '"class":' "$out/stage.jsonl" | wc -l)
echo "stage with JSON: $stage_mbs MB/s of records, $(ratio "$stage_mbs" "$grep_mbs")x grep" \
	"(wall $(wall stage) s, cpu $(cpu stage) s; $nent entities," \
	"$(awk -v n="$nent" -v b="$tbytes" 'BEGIN { printf "%.1f", n * 1000 / b }') per kB," \
	"output $(wc -c <"$out/stage.jsonl") bytes)"
rm -f "$out/stage.jsonl"

# The JSON floor: the same stage with a gazetteer that never matches.
printf 'zzzzzz\tORG\tnone\n' >"$out/none.tsv"
run floor sh -c '"$1" gazetteer -g "$2" <"$3" >/dev/null' sh "$VNIE" \
	"$out/none.tsv" "$out/records.jsonl"
echo "stage, no match: $(mbs "$rbytes" "$(cpu floor)") MB/s of records (jansson parse + serialise alone)"

# A synthetic gazetteer of 100,000 entries of one to four syllables.
awk 'BEGIN {
	srand(42)
	n = split("an bình cao đà giang hà hải hòa hồng khánh lạng lâm long " \
		"minh nam ninh phú quảng sơn tân thái thanh thành trung tuyên " \
		"vĩnh xuân yên đông tây bắc lộc phúc thịnh hưng quang đức tiến", s, " ")
	print "# synthetic gazetteer for the load benchmark"
	for (i = 0; i < 100000; i++) {
		k = 1 + int(rand() * 4); w = ""
		for (j = 0; j < k; j++) w = w (j ? " " : "") s[1 + int(rand() * n)]
		printf "%s %d\tLOC\t%s %d\tcode=%d\n", w, i, w, i, i
	}
}' >"$out/synth.tsv"
/usr/bin/time -v "$VNIE" check -g "$out/synth.tsv" 2>"$out/synth.time" || true
el=$(grep 'Elapsed (wall clock)' "$out/synth.time" | sed 's/.*: //')
us=$(grep 'User time' "$out/synth.time" | sed 's/.*: //')
ss=$(grep 'System time' "$out/synth.time" | sed 's/.*: //')
rss=$(grep 'Maximum resident set size' "$out/synth.time" | sed 's/.*: //')
load=$("$out/gaz_bench" -g "$out/synth.tsv" /dev/null | sed 's/ bytes=.*//')
echo "100k gazetteer:  vnie check wall $el, cpu $(awk -v u="$us" -v s="$ss" 'BEGIN { print u + s }') s," \
	"peak RSS $rss kB; load alone: $load"
