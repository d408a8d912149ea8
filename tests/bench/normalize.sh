#!/bin/sh
# tests/bench/normalize.sh [VNIE] [MB]: the speed of `vnie normalize` on
# about MB megabytes (default 50) of records, beside `uconv -x nfc` on the
# same text as a plain file, in the same run, and the ratio between them.
#
# The records repeat a few paragraphs written for this benchmark in the
# genre's style. Two corpora: "clean" (NFC, traditional tone marks, plain
# spaces: nothing to change) and "mixed" (every third record has NBSPs,
# new-style marks and a decomposed word, so it gets raw and offsets).
# Also timed: normalize with every step off (the quick scan of each line
# and nothing else). Times are CPU seconds, the best of three runs.
# Files go to tests/bench/out/.
set -e
VNIE=${1:-./vnie}
MB=${2:-50}
dir=$(dirname "$0")/out
mkdir -p "$dir"

cat >"$dir/paras.txt" <<'TXT'
Sáng nay, tại thành phố Hòa Bình, Liên đoàn Lao động tỉnh đã tổ chức hội nghị tổng kết công tác năm và triển khai nhiệm vụ của năm tới.
Tham dự hội nghị có đồng chí Phó Chủ tịch Ủy ban nhân dân tỉnh, đại diện các sở, ngành và hơn 200 cán bộ công đoàn cơ sở.
Theo báo cáo, trong năm qua các cấp công đoàn đã phát triển thêm 3.215 đoàn viên, thành lập mới 18 công đoàn cơ sở ở doanh nghiệp ngoài nhà nước.
Phong trào thi đua “Lao động giỏi, lao động sáng tạo” được duy trì sâu rộng, có 152 sáng kiến được công nhận, làm lợi hàng tỷ đồng.
Công tác chăm lo đời sống cho người lao động được quan tâm, nhất là dịp Tết, với hơn 4 nghìn suất quà trao tới đoàn viên có hoàn cảnh khó khăn.
Phát biểu tại hội nghị, đồng chí Chủ tịch Liên đoàn Lao động tỉnh nhấn mạnh việc đổi mới nội dung, phương thức hoạt động, hướng về cơ sở.
Dịp này, Tổng Liên đoàn Lao động Việt Nam đã tặng Bằng khen cho 12 tập thể và 25 cá nhân có thành tích xuất sắc trong phong trào thi đua.
Được biết, thủy điện và khu công nghiệp mới thu hút gần 45 nghìn lao động, đặt ra yêu cầu mới về bảo vệ quyền lợi, sức khỏe người lao động.
TXT

awk -v mb="$MB" -v dir="$dir" '
{ p[NR] = $0 }
END {
	n = NR; total = 0; i = 0
	while (total < mb * 1048576) {
		text = ""
		for (k = 0; k < 12; k++)
			text = text (k ? "\\n" : "") p[(i + k) % n + 1]
		mixed = text
		if (i % 3 == 0) {
			gsub(/Hòa Bình/, "Hoà\xc2\xa0Bình", mixed)
			gsub(/thủy/, "thuỷ", mixed)
			gsub(/khỏe/, "khoẻ", mixed)
			gsub(/Ủy ban/, "Uỷ ban", mixed)
			gsub(/Việt Nam/, "Vie\xcc\x82\xcc\xa3t Nam", mixed)
		}
		printf "{\"id\":\"bench-%d\",\"text\":\"%s\"}\n", i, text > (dir "/clean.jsonl")
		printf "{\"id\":\"bench-%d\",\"text\":\"%s\"}\n", i, mixed > (dir "/mixed.jsonl")
		t = text; gsub(/\\n/, "\n", t); print t > (dir "/clean.txt")
		t = mixed; gsub(/\\n/, "\n", t); print t > (dir "/mixed.txt")
		total += length(text) + 30
		i++
	}
}' "$dir/paras.txt"

# CPU seconds (user + system) taken by a command reading file $1, the
# best of three runs: the machine may be shared, and wall-clock time then
# measures the neighbours. Without /usr/bin/time: wall-clock seconds.
timed() {
	f=$1; shift
	for run in 1 2 3; do
		if [ -x /usr/bin/time ]; then
			{ /usr/bin/time -f "%U %S" "$@" <"$f" >/dev/null; } 2>&1 |
				tail -1 | awk '{ printf "%.3f\n", $1 + $2 }'
		else
			t0=$(date +%s.%N); "$@" <"$f" >/dev/null; t1=$(date +%s.%N)
			echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }'
		fi
	done | sort -n | head -1
}
mbs() { awk -v b="$(wc -c <"$1")" -v s="$2" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

for c in clean mixed; do
	tn=$(timed "$dir/$c.jsonl" "$VNIE" normalize)
	tu=$(timed "$dir/$c.txt" uconv -x nfc)
	t0=$(timed "$dir/$c.jsonl" "$VNIE" normalize --no-nfc --no-tone \
		--no-spaces --no-zero-width --no-newlines --no-dstroke)
	n=$(mbs "$dir/$c.jsonl" "$tn"); u=$(mbs "$dir/$c.txt" "$tu")
	z=$(mbs "$dir/$c.jsonl" "$t0")
	echo "$c: $(wc -c <"$dir/$c.jsonl" | awk '{printf "%.1f", $1/1048576}') MB:" \
	     "normalize $n MB/s, uconv -x nfc $u MB/s," \
	     "ratio $(awk -v a="$n" -v b="$u" 'BEGIN{printf "%.1f", a/b}')x;" \
	     "every step off (quick scan only) $z MB/s"
done
