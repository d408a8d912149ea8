# The HTML page's structure, checked with grep (the rendering itself is
# checked in headless Chromium by `make check-html`).
$VNIE export -f html >page.html 2>err.txt
echo "exit $?"
cat err.txt
n() { printf '%s: ' "$1"; grep -o "$2" page.html | wc -l; }
n 'documents' '<section class="doc" id="d[0-9]*">'
n 'error sections' '<section class="doc error"'
n 'entity elements' '<span class="e t-[A-Z]*" id="d[0-9]*-T[0-9]*"'
n 'ORG entities' '<span class="e t-ORG" id='
n 'nested LOC in ORG' 'LĐLĐ tỉnh <span class="e t-LOC"'
n 'relation items' '<li id="d[0-9]*-R[0-9]*">'
n 'links to arguments' '<a class="arg t-[A-Z]*" href="#d[0-9]*-T[0-9]*">'
n 'legend entries' '<div class="legend">.*</div>'
n 'escaped id' '<h2>d3/a&lt;b&gt; '
n 'escaped error input' '<pre>{&lt;oops&gt;</pre>'
n 'unescaped record text' 'a<b>\|<oops>'
n 'scripts, links or external URLs' '<script\|<link\|src=\|url(\|https\?:'
rm -f page.html err.txt
