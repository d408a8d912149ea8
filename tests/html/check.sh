#!/bin/sh
# make check-html: render an exported HTML page in headless Chromium and
# check the DOM Chromium built from it: every entity of the input is an
# element with its anchor, nested entities nest, relations link to their
# arguments, the error records have their sections. Fails (never skips)
# when Chromium is missing: install Debian's chromium package.
# Usage: sh tests/html/check.sh VNIE [SCREENSHOT.png]
set -u
VNIE=$1
shot=${2:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
in=$top/tests/golden/export-html-structure/in
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "not ok - html: chromium not found (apt-get install chromium)"
	exit 1
fi
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
"$VNIE" export -f html <"$in" >"$t/page.html" 2>/dev/null
[ $? -eq 1 ] || { echo "not ok - html: export should exit 1 (error records)"; exit 1; }
run() {
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --user-data-dir="$t/profile" \
		"$@" "file://$t/page.html" 2>"$t/chromium.log"
}
run --dump-dom >"$t/dom.html"
fail=0
expect() { # name, pattern, count
	got=$(grep -o "$2" "$t/dom.html" | wc -l)
	if [ "$got" -eq "$3" ]; then
		echo "ok - html: $1"
	else
		echo "not ok - html: $1: $got, expected $3"
		fail=1
	fi
}
expect "entity elements" '<span class="e t-[A-Z]*" id="d[0-9]*-T[0-9]*"' 13
expect "nested LOC inside its ORG" 'LĐLĐ tỉnh <span class="e t-LOC" id="d1-T4"' 1
expect "relation items" '<li id="d[0-9]*-R[0-9]*">' 5
expect "argument links" '<a class="arg t-[A-Z]*" href="#d[0-9]*-T[0-9]*">' 12
expect "document sections" '<section class="doc" id="d[0-9]*">' 3
expect "error sections" '<section class="doc error"' 2
expect "legend" '<div class="legend">' 1
expect "record text stays text" '<oops>' 0
if [ -n "$shot" ]; then
	run --screenshot="$shot" --window-size=1200,1600 >/dev/null &&
		echo "# screenshot in $shot"
fi
[ $fail -eq 0 ] && echo "html: all passed"
exit $fail
