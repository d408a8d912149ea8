#!/bin/sh
# run-stage.sh [-e] [-c] N COMMAND [ARG...]: for the golden tests. Runs
# COMMAND (standard input passed on), checks its output with `invariants N`
# (N lines, valid UTF-8 JSON, error records well formed, documents
# consistent), then prints the output (-e: only its error records; -c:
# each line cut to 200 bytes), and exits with COMMAND's status; 99 if the
# invariants fail.
only_errors=0
cut=0
while :; do
	case $1 in
	-e) only_errors=1; shift ;;
	-c) cut=1; shift ;;
	*) break ;;
	esac
done
n=$1
shift
t=$(mktemp "${TMPDIR:-/tmp}/vnie-test.XXXXXX") || exit 99
"$@" >"$t"
rc=$?
if ! "$TOOLS/invariants" "$n" <"$t" >/dev/null; then
	rm -f "$t"
	exit 99
fi
if [ $only_errors = 1 ]; then
	grep '^{"error"' "$t"
else
	cat "$t"
fi | if [ $cut = 1 ]; then cut -b 1-200; else cat; fi
rm -f "$t"
exit $rc
