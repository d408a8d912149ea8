#!/bin/sh
# Read a folder of vnie's brat export; print "DOC TYPE START END" per
# entity, and fail if the text of a T line is not the .txt's text at its
# offsets (code points, read through UTF-32).
dir=$1
status=0
for ann in "$dir"/*.ann; do
	doc=$(basename "$ann" .ann)
	txt="$dir/$doc.txt"
	iconv -f UTF-8 -t UTF-32LE "$txt" > "$dir/.u32" || exit 1
	grep '^T' "$ann" | while IFS='	' read -r id tso text; do
		type=${tso%% *}
		offs=${tso#* }
		start=${offs%% *}
		end=${offs##* }
		got=$(dd if="$dir/.u32" bs=4 skip="$start" count=$((end - start)) 2>/dev/null |
			iconv -f UTF-32LE -t UTF-8 | tr '\n' ' ')
		if [ "$got" != "$text" ]; then
			echo "$doc $id: .ann says '$text', .txt has '$got'" >&2
			exit 1
		fi
		printf '%s\t%s\t%s\t%s\n' "$doc" "$type" "$start" "$end"
	done || status=1
done
rm -f "$dir/.u32"
exit $status
