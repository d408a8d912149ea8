#!/bin/sh
# Runs every test of vnie and ends with the line "N passed, N failed".
#
# Unit tests: each binary in $UNITDIR prints "ok - NAME" or
# "not ok - NAME: why" per case.
# Golden tests: each folder tests/golden/NAME holds
#   cmd   a shell command, run in that folder with $VNIE set (required)
#   in    its standard input (optional; /dev/null otherwise)
#   out   expected standard output (optional: not compared when absent)
#   err   expected standard error (optional: not compared when absent)
#   rc    expected exit status (optional: 0 when absent)
# A test fails if the program died by a signal, whatever it expected.

VNIE=${VNIE:-./vnie}
UNITDIR=${UNITDIR:-build/tests}
top=$(cd "$(dirname "$0")/.." && pwd)
case $VNIE in /*) ;; *) VNIE=$top/${VNIE#./} ;; esac
export VNIE
out=$top/tests/out
rm -rf "$out"
mkdir -p "$out"

pass=0
fail=0

for t in "$UNITDIR"/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	"$t" >"$out/$name.log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out/$name.log")
	f=$(grep -c '^not ok ' "$out/$name.log")
	pass=$((pass + p))
	fail=$((fail + f))
	grep '^not ok ' "$out/$name.log" | sed "s/^/$name: /"
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: exited with status $rc"
		tail -5 "$out/$name.log"
		fail=$((fail + 1))
	fi
done

for d in "$top"/tests/golden/*/; do
	[ -f "$d/cmd" ] || continue
	name=$(basename "$d")
	in=/dev/null
	[ -f "$d/in" ] && in=$d/in
	(cd "$d" && sh ./cmd <"$in" >"$out/$name.out" 2>"$out/$name.err")
	rc=$?
	want=0
	[ -f "$d/rc" ] && want=$(cat "$d/rc")
	why=
	if [ $rc -ge 128 ]; then
		why="died by signal $((rc - 128))"
	elif [ "$rc" != "$want" ]; then
		why="exit status $rc, expected $want"
	elif [ -f "$d/out" ] && ! cmp -s "$d/out" "$out/$name.out"; then
		why="stdout differs:
$(diff "$d/out" "$out/$name.out" | head -20)"
	elif [ -f "$d/err" ] && ! cmp -s "$d/err" "$out/$name.err"; then
		why="stderr differs:
$(diff "$d/err" "$out/$name.err" | head -20)"
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "not ok - golden/$name: $why"
	fi
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
