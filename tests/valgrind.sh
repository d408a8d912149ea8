#!/bin/sh
# A representative subset of the tests under valgrind (memcheck): the
# foundation's unit tests, and read plus every stage over the hostile
# lines of tests/golden/hostile-loop/in and over the sample corpus. Any
# memory error or definite/possible leak fails the run. `make valgrind`
# runs it; CI does not (it takes minutes: valgrind is ~50x slower).
VNIE=${VNIE:-./vnie}
UNITDIR=${UNITDIR:-build/tests}
top=$(cd "$(dirname "$0")/.." && pwd)
export VNIE_DATA=$top
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,possible --suppressions=$top/tests/valgrind.supp"
in=$top/tests/golden/hostile-loop/in
pass=0
fail=0

run() {
	name=$1
	shift
	"$@" >/dev/null 2>"$top/tests/out/valgrind-$name.err"
	rc=$?
	if [ $rc -eq 99 ] || [ $rc -ge 128 ]; then
		fail=$((fail + 1))
		echo "not ok - valgrind $name (status $rc)"
		grep '^==' "$top/tests/out/valgrind-$name.err" | head -30
	else
		pass=$((pass + 1))
		echo "ok - valgrind $name"
	fi
}

mkdir -p "$top/tests/out"
for t in test_utf8 test_doc test_jsonl test_offmap; do
	[ -x "$UNITDIR/$t" ] && run "$t" $vg "$UNITDIR/$t"
done
run read-utf8 sh -c "printf 'ok \300\257 \355\240\200 a\0b \341\273' | $vg $VNIE read"
run read-corpus $vg "$VNIE" read --by para "$top/corpus"
for stage in normalize split gazetteer rules; do
	run "$stage-hostile" sh -c "$vg $VNIE $stage <'$in'"
done
run chain bash -o pipefail -c "$VNIE read $top/corpus | $vg $VNIE normalize |
	$vg $VNIE split | $vg $VNIE gazetteer | $vg $VNIE rules"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
