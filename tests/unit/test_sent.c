/*
 * test_sent.c: unit cases for the sentence splitter (sent.h), one group per
 * rule of docs/split.md, plus the invariants every result must meet
 * (sentences in order, no overlap, no space at either end, every
 * non-space character covered), the record stage, the abbreviation file's
 * errors and two threads sharing one splitter. The texts are written for
 * these tests.
 */
#include <pthread.h>
#include <stdlib.h>

#include "sent.h"
#include "t.h"

/* A small abbreviation list, so these cases do not depend on the shipped
 * one (which one case loads as well). */
static const char test_abbrevs[] =
	"# test list\n"
	"TP.\nTp.\nTS.\nThS.\nPGS.\nGS.\nĐ/c.\nQ.\nP.\n"
	"v.v.  final  # vân vân\n";

static struct sent *make(int lines, size_t max_length)
{
	struct sent_opts o;
	struct vnie_error err;
	struct sent *s;

	sent_opts_init(&o);
	o.lines = lines;
	o.max_length = max_length;
	o.abbrev_data = test_abbrevs;
	o.abbrev_len = sizeof(test_abbrevs) - 1;
	s = sent_new(&o, &err);
	if (s == NULL) {
		printf("not ok - sent_new: %s\n", err.msg);
		exit(1);
	}
	return s;
}

static int is_sp(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/*
 * Split text and return the sentences joined by " | " (a static buffer);
 * checks the invariants on the way. ASCII white space only in these texts.
 */
static const char *split_n(const struct sent *st, const char *text,
			   size_t n, size_t *ncut)
{
	static char out[8192];
	struct vnie_error err;
	size_t *p, np, cut, o = 0, prev = 0;
	int ok = 1;

	out[0] = '\0';
	if (sent_split(st, text, n, &p, &np, &cut, &err) < 0) {
		snprintf(out, sizeof(out), "error: %s", err.msg);
		return out;
	}
	for (size_t i = 0; i < np; i++) {
		size_t a = p[2 * i], b = p[2 * i + 1];

		if (a >= b || a < prev || is_sp(text[a]) || is_sp(text[b - 1]))
			ok = 0;
		for (size_t j = prev; j < a; j++)
			if (!is_sp(text[j]))
				ok = 0; /* a character left out */
		prev = b;
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%.*s",
				      i ? " | " : "", (int)(b - a), text + a);
		if (o >= sizeof(out))
			o = sizeof(out) - 1;
	}
	for (size_t j = prev; j < n; j++)
		if (!is_sp(text[j]))
			ok = 0;
	if (!ok)
		snprintf(out, sizeof(out), "broken invariants");
	free(p);
	if (ncut != NULL)
		*ncut = cut;
	return out;
}

static size_t last_cut; /* cuts made by the last split() */

static const char *split(const struct sent *st, const char *text)
{
	return split_n(st, text, strlen(text), &last_cut);
}

#define SPLIT(name, st, text, want)                                       \
	do {                                                              \
		const char *got_ = split((st), (text));                   \
		CHECK_STR(name, got_, strlen(got_), want);                \
	} while (0)

static void test_abbreviations(const struct sent *st)
{
	SPLIT("abbrev TP. before a name", st,
	      "Đoàn đến TP. Vinh hôm qua. Ông nói.",
	      "Đoàn đến TP. Vinh hôm qua. | Ông nói.");
	SPLIT("abbrev Tp. and TS.", st,
	      "Tại Tp. Vinh, TS. Nguyễn Văn An phát biểu.",
	      "Tại Tp. Vinh, TS. Nguyễn Văn An phát biểu.");
	SPLIT("abbrev ThS. PGS. GS.", st,
	      "Có ThS. Lê Hà, PGS. Trần Bình và GS. Phan Hùng.",
	      "Có ThS. Lê Hà, PGS. Trần Bình và GS. Phan Hùng.");
	SPLIT("abbrev joined PGS.TS.", st,
	      "Báo cáo của PGS.TS. Nguyễn Hoa được thông qua.",
	      "Báo cáo của PGS.TS. Nguyễn Hoa được thông qua.");
	SPLIT("abbrev Đ/c.", st, "Đ/c. Hoàng Minh chủ trì.",
	      "Đ/c. Hoàng Minh chủ trì.");
	SPLIT("abbrev Q. and P.", st,
	      "Trụ sở ở P. Bến Nghé, Q. Một. Sau đó dời đi.",
	      "Trụ sở ở P. Bến Nghé, Q. Một. | Sau đó dời đi.");
	SPLIT("abbrev after bracket", st,
	      "Hội nghị (TP. Vinh) kết thúc.",
	      "Hội nghị (TP. Vinh) kết thúc.");
	SPLIT("TP.HCM. ends a sentence", st,
	      "Đoàn về TP.HCM. Sau đó nghỉ.",
	      "Đoàn về TP.HCM. | Sau đó nghỉ.");
	SPLIT("TP.HCM. before a newline", st,
	      "Đoàn về TP.HCM.\nSau đó nghỉ.",
	      "Đoàn về TP.HCM. | Sau đó nghỉ.");
	SPLIT("TP.HCM. inside", st, "Tại TP.HCM có 3 đoàn.",
	      "Tại TP.HCM có 3 đoàn.");
	SPLIT("v.v. before a capital", st,
	      "Mua sách, vở v.v. Các em rất vui.",
	      "Mua sách, vở v.v. | Các em rất vui.");
	SPLIT("v.v. before lower case", st,
	      "Mua sách, vở v.v. và phát cho các em.",
	      "Mua sách, vở v.v. và phát cho các em.");
	SPLIT("v.v. at the end", st, "Mua sách, vở v.v.",
	      "Mua sách, vở v.v.");
	SPLIT("v.v. before a newline", st, "Mua sách, vở v.v.\nCác em vui.",
	      "Mua sách, vở v.v. | Các em vui.");
	SPLIT("v.v. before a digit", st, "Gồm A, B v.v. 3 loại.",
	      "Gồm A, B v.v. 3 loại.");
}

static void test_numbers(const struct sent *st)
{
	SPLIT("number 6.943", st, "Có 6.943 đoàn viên tham gia. Tốt.",
	      "Có 6.943 đoàn viên tham gia. | Tốt.");
	SPLIT("number 87.064.006", st,
	      "Quỹ có 87.064.006 đồng. Đã chi hết.",
	      "Quỹ có 87.064.006 đồng. | Đã chi hết.");
	SPLIT("date 06.11.2022", st, "Ngày 06.11.2022 hội nghị mở.",
	      "Ngày 06.11.2022 hội nghị mở.");
	SPLIT("decimal 25.5", st, "Tăng 25.5 lần so với năm trước.",
	      "Tăng 25.5 lần so với năm trước.");
	SPLIT("number 2.528 sáng kiến", st,
	      "Có 2.528 sáng kiến được công nhận.",
	      "Có 2.528 sáng kiến được công nhận.");
	SPLIT("decimal comma 1,5 triệu", st,
	      "Mỗi suất quà trị giá 1,5 triệu đồng.",
	      "Mỗi suất quà trị giá 1,5 triệu đồng.");
	SPLIT("number ends a sentence", st,
	      "Kế hoạch đến năm 2025. Các đơn vị thực hiện.",
	      "Kế hoạch đến năm 2025. | Các đơn vị thực hiện.");
	SPLIT("list number", st, "1. Tổ chức hội thao. 2. Tặng quà.",
	      "1. Tổ chức hội thao. | 2. Tặng quà.");
	SPLIT("roman list number", st, "II. KẾT QUẢ ĐẠT ĐƯỢC",
	      "II. KẾT QUẢ ĐẠT ĐƯỢC");
}

static void test_punctuation(const struct sent *st)
{
	SPLIT("?! together", st, "Vì sao vậy?! Không ai biết.",
	      "Vì sao vậy?! | Không ai biết.");
	SPLIT("three dots", st, "Chờ mãi... Rồi đoàn cũng đến.",
	      "Chờ mãi... | Rồi đoàn cũng đến.");
	SPLIT("three dots, lower case", st, "Chờ mãi... rồi đến.",
	      "Chờ mãi... rồi đến.");
	SPLIT("ellipsis before a capital", st,
	      "Thông tin hai chiều… Hơn một năm qua.",
	      "Thông tin hai chiều… | Hơn một năm qua.");
	SPLIT("ellipsis, lower case", st, "Sách, vở… và bút.",
	      "Sách, vở… và bút.");
	SPLIT("ellipsis before a quote", st,
	      "Còn nhiều việc… “Phải làm ngay”, ông nói.",
	      "Còn nhiều việc… | “Phải làm ngay”, ông nói.");
	SPLIT("closing quote stays", st,
	      "Ông nói: “Làm tốt lắm.” Mọi người vỗ tay.",
	      "Ông nói: “Làm tốt lắm.” | Mọi người vỗ tay.");
	SPLIT("closing bracket stays", st,
	      "(Xem thêm ở trang sau.) Tiếp theo là gì?",
	      "(Xem thêm ở trang sau.) | Tiếp theo là gì?");
	SPLIT("straight quotes", st,
	      "Ông nói. \"Tốt lắm.\" Sau đó về.",
	      "Ông nói. | \"Tốt lắm.\" | Sau đó về.");
	SPLIT("quote, comma", st, "“Vì sao?”, anh hỏi.",
	      "“Vì sao?”, anh hỏi.");
	SPLIT("question, lower case", st, "Vì sao? anh hỏi lại.",
	      "Vì sao? anh hỏi lại.");
	SPLIT("end-of-article mark", st, "Giai đoạn 2018 - 2023./.\nTin: AN",
	      "Giai đoạn 2018 - 2023./. | Tin: AN");
	SPLIT("exclamation", st, "Tuyệt vời! Cả đoàn reo lên.",
	      "Tuyệt vời! | Cả đoàn reo lên.");
}

static void test_lines(const struct sent *st)
{
	SPLIT("headline without final mark", st,
	      "Công đoàn tỉnh tổng kết năm\n\nNgày 4/11, hội nghị mở.",
	      "Công đoàn tỉnh tổng kết năm | Ngày 4/11, hội nghị mở.");
	SPLIT("headline, single newline", st,
	      "Công đoàn tỉnh tổng kết năm\nNgày 4/11, hội nghị mở.",
	      "Công đoàn tỉnh tổng kết năm | Ngày 4/11, hội nghị mở.");
	SPLIT("caption and credit", st,
	      "Lãnh đạo tặng quà cho đoàn viên\nẢnh: CTV\nBài viết tiếp.",
	      "Lãnh đạo tặng quà cho đoàn viên | Ảnh: CTV | Bài viết tiếp.");
	SPLIT("byline", st, "Hội nghị kết thúc.\n\nNGỌC LAN/baoexample.vn",
	      "Hội nghị kết thúc. | NGỌC LAN/baoexample.vn");
	SPLIT("menu items", st, "Tin tức\nSự kiện\n  • Từ khóa",
	      "Tin tức | Sự kiện | • Từ khóa");
	SPLIT("blank line after comma", st, "Gồm các đơn vị,\n\nCác tổ.",
	      "Gồm các đơn vị, | Các tổ.");
	SPLIT("blank line before lower case", st, "Tiêu đề\n  \nđoạn sau.",
	      "Tiêu đề | đoạn sau.");
	SPLIT("newline after comma", st,
	      "Đoàn gồm lãnh đạo tỉnh,\nCông đoàn ngành.",
	      "Đoàn gồm lãnh đạo tỉnh,\nCông đoàn ngành.");
	SPLIT("newline before lower case", st,
	      "Đoàn công tác gồm\ncác đồng chí lãnh đạo.",
	      "Đoàn công tác gồm\ncác đồng chí lãnh đạo.");
	SPLIT("CRLF lines", st, "Tiêu đề\r\n\r\nNội dung.\r\n",
	      "Tiêu đề | Nội dung.");
	SPLIT("TP. at the end of a line", st, "Ông về TP.\nVinh là quê.",
	      "Ông về TP. | Vinh là quê.");
	SPLIT("spaces only", st, " \n\t \n", "");
	SPLIT("empty", st, "", "");
}

static void test_dates(const struct sent *st)
{
	SPLIT("dateline", st, "Chủ nhật, 06.11.2022 | 09:20:19",
	      "Chủ nhật, 06.11.2022 | 09:20:19");
	SPLIT("dateline, view counter", st,
	      "Thứ hai, 07.11.2022 | 14:05:00\n512 lượt xem\n\nNội dung.",
	      "Thứ hai, 07.11.2022 | 14:05:00 | 512 lượt xem | Nội dung.");
	SPLIT("time with dots", st, "Lúc 9.30 sáng, hội nghị mở.",
	      "Lúc 9.30 sáng, hội nghị mở.");
	SPLIT("date with slashes", st, "Ngày 2/7/2021, hai bên ký. Tốt.",
	      "Ngày 2/7/2021, hai bên ký. | Tốt.");
}

/* A run of newlines gives ICU a boundary at each; the walk over them must
 * stay linear (this took minutes when it was not). */
static void test_newline_run(const struct sent *st)
{
	size_t n = 1000000, np, cut;
	static const char tail[] = "Một.\n\nHai"; /* 6 + 2 + 3 bytes */
	char *t = malloc(n + sizeof(tail) - 1);
	size_t *p;
	struct vnie_error err;

	memset(t, '\n', n);
	memcpy(t + n, tail, sizeof(tail) - 1);
	CHECK("newline run splits", sent_split(st, t, n + sizeof(tail) - 1,
					       &p, &np, &cut, &err) == 0);
	CHECK("newline run sentences", np == 2 && p[0] == n &&
	      p[1] == n + 6 && p[2] == n + 8 && p[3] == n + 11);
	free(p);
	free(t);
}

static void test_lines_option(void)
{
	struct sent *st = make(1, 0);

	SPLIT("--lines", st, "  Một. Hai.\n\n Ba, \nbốn\r\n",
	      "Một. Hai. | Ba, | bốn");
	SPLIT("--lines no newline", st, "Một câu", "Một câu");
	sent_free(st);
}

static void test_max_length(void)
{
	struct sent *st = make(0, 10);
	size_t cut = 0;
	const char *got;
	char big[3000];

	got = split(st, "một hai ba bốn năm sáu bảy tám");
	cut = last_cut;
	CHECK_STR("max-length cuts at spaces", got, strlen(got),
		  "một hai ba | bốn năm | sáu bảy | tám");
	CHECK("max-length counts cuts", cut == 3);
	got = split(st, "aaaaaaaaaaaaaaaaaaaaaaaaa");
	CHECK_STR("max-length without spaces", got, strlen(got),
		  "aaaaaaaaaa | aaaaaaaaaa | aaaaa");
	got = split(st, "đđđđđđđđđđđ");
	CHECK_STR("max-length counts code points", got, strlen(got),
		  "đđđđđđđđđđ | đ");
	got = split(st, "một hai ba");
	CHECK("max-length exactly at the limit", last_cut == 0);
	sent_free(st);

	st = make(0, SENT_MAX_LENGTH_DEFAULT);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = i % 5 == 4 ? ' ' : 'x';
	big[sizeof(big) - 1] = 'x';
	got = split_n(st, big, sizeof(big), &cut);
	CHECK("max-length default cuts once", cut == 1);
	CHECK("max-length default piece", strchr(got, '|') - got == 2000);
	sent_free(st);
}

static void test_stage(const struct sent *st)
{
	struct doc d;
	struct buf out = BUF_INIT;
	struct vnie_error err;
	static const char line[] =
		"{\"id\":\"a\",\"text\":\"Đến TP. Vinh.\\u0000 Hết.\\n\\nẢnh: CTV\","
		"\"sentences\":[[0,1]]}";

	CHECK("stage parse", doc_parse(&d, line, sizeof(line) - 1, 1, &err) ==
	      DOC_RECORD);
	CHECK("stage runs", sent_stage((void *)st, &d, &err) == 0);
	doc_write(&d, &out);
	CHECK_STR("stage output", out.p, out.n,
		  "{\"id\":\"a\",\"text\":\"Đến TP. Vinh.\\u0000 Hết.\\n\\nẢnh: "
		  "CTV\",\"sentences\":[[0,13],[13,19],[21,29]]}\n");
	buf_release(&out);
	doc_release(&d);
}

static void test_stage_warning(void)
{
	struct sent *st = make(0, 5);
	struct doc d;
	struct buf out = BUF_INIT;

	doc_new(&d, "w", "một hai ba", strlen("một hai ba"));
	CHECK("warning stage", sent_stage(st, &d, NULL) == 0);
	doc_write(&d, &out);
	CHECK_STR("warning output", out.p, out.n,
		  "{\"id\":\"w\",\"text\":\"một hai ba\",\"sentences\":[[0,3],"
		  "[4,7],[8,10]],\"warnings\":[\"split: 2 cuts made in "
		  "sentences longer than --max-length 5\"]}\n");
	buf_release(&out);
	doc_release(&d);
	sent_free(st);
}

static void bad_file(const char *name, const char *data, const char *want)
{
	struct sent_opts o;
	struct vnie_error err;
	struct sent *st;

	sent_opts_init(&o);
	o.abbrev_data = data;
	o.abbrev_len = strlen(data);
	st = sent_new(&o, &err);
	CHECK(name, st == NULL);
	if (st == NULL)
		CHECK_STR(name, err.msg, strlen(err.msg), want);
	sent_free(st);
}

static void test_abbrev_file(void)
{
	struct sent_opts o;
	struct vnie_error err;
	struct sent *st;

	bad_file("abbrev without period", "TP.\n  TS\n",
		 "<abbreviations>:2:3: abbreviation 'TS' does not end in '.'");
	bad_file("abbrev unknown flag", "Đ/c. last\n",
		 "<abbreviations>:1:6: unknown flag 'last' (the only flag is "
		 "'final')");
	bad_file("abbrev extra field", "v.v. final x\n",
		 "<abbreviations>:1:12: unexpected 'x' after the flag");
	sent_opts_init(&o);
	o.abbrev_path = "rules/abbreviations.txt";
	st = sent_new(&o, &err);
	CHECK("shipped abbreviation file loads", st != NULL);
	if (st != NULL) {
		SPLIT("shipped file: TT. and ThS.", st,
		      "Tại TT. Đồng Đăng, ThS. Hà nói. Xong v.v. Hết.",
		      "Tại TT. Đồng Đăng, ThS. Hà nói. | Xong v.v. | Hết.");
		sent_free(st);
	}
	o.abbrev_path = "/nonexistent/abbreviations.txt";
	st = sent_new(&o, &err);
	CHECK("missing abbreviation file", st == NULL &&
	      strstr(err.msg, "cannot open '/nonexistent/") != NULL);
}

/* Two threads share one splitter; each must get the single-thread answer. */
static const char thread_text[] =
	"Đến TP. Vinh. Có 6.943 người.\n\nẢnh: CTV";

struct job {
	const struct sent *st;
	size_t want[6]; /* the answer on the main thread */
	int ok;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	struct vnie_error err;

	j->ok = 1;
	for (int i = 0; i < 2000; i++) {
		size_t *p, np, cut;

		if (sent_split(j->st, thread_text, sizeof(thread_text) - 1,
			       &p, &np, &cut, &err) < 0 || np != 3 ||
		    memcmp(p, j->want, sizeof(j->want)) != 0)
			j->ok = 0;
		free(p);
	}
	sent_thread_release();
	return NULL;
}

static void test_threads(const struct sent *st)
{
	pthread_t t[2];
	struct job j[2];
	struct vnie_error err;
	size_t *p, np, cut;

	if (sent_split(st, thread_text, sizeof(thread_text) - 1, &p, &np, &cut,
		       &err) < 0 || np != 3) {
		CHECK("threads: reference split", 0);
		free(p);
		return;
	}
	for (int i = 0; i < 2; i++) {
		j[i].st = st;
		memcpy(j[i].want, p, sizeof(j[i].want));
		j[i].ok = 0;
	}
	free(p);

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, &j[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK("threads share a splitter", j[0].ok && j[1].ok);
}

int main(void)
{
	struct sent *st = make(0, 0);

	test_abbreviations(st);
	test_numbers(st);
	test_punctuation(st);
	test_lines(st);
	test_dates(st);
	test_newline_run(st);
	test_lines_option();
	test_max_length();
	test_stage(st);
	test_stage_warning();
	test_abbrev_file();
	test_threads(st);
	sent_free(st);
	sent_thread_release();
	T_DONE();
}
