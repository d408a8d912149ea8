# Read vnie's CoNLL export (TOKEN START END TAG [TAG2]); print one line
# "DOC TYPE START END" per entity found in either tag column. A blank line
# (sentence break) does not end an entity: an I- tag after it continues it.
function close_col(c) {
	if (open[c] != "")
		print doc "\t" open[c] "\t" st[c] "\t" en[c]
	open[c] = ""
}
BEGIN { FS = "\t" }
/^# doc_id = / {
	for (c = 4; c <= 5; c++)
		close_col(c)
	doc = substr($0, 12)
	next
}
NF == 0 { next }
{
	for (c = 4; c <= NF; c++) {
		if ($c ~ /^B-/) {
			close_col(c)
			open[c] = substr($c, 3); st[c] = $2; en[c] = $3
		} else if ($c ~ /^I-/ && open[c] == substr($c, 3)) {
			en[c] = $3
		} else {
			close_col(c)
		}
	}
}
END {
	for (c = 4; c <= 5; c++)
		close_col(c)
}
