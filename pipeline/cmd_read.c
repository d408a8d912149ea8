/*
 * cmd_read.c: `vnie read`, files, folders or stdin to document records
 * (the reading itself is pipeline/input.c, shared with `vnie run`).
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "input.h"
#include "jsonl.h"
#include "stage.h"

struct out {
	struct buf b;
};

static int write_record(void *arg, struct doc *d)
{
	struct out *o = arg;
	int rc;

	buf_reset(&o->b);
	doc_write(d, &o->b);
	doc_release(d);
	rc = jsonl_write(o->b.p, o->b.n);
	return rc < 0 ? -1 : 0;
}

static void report(void *arg, const char *path, const char *why)
{
	(void)arg;
	fprintf(stderr, "vnie read: cannot read '%s': %s\n", path, why);
}

static const char usage[] =
	"usage: vnie read [--by file|line|para] [--ext EXT] [PATH...]\n"
	"\n"
	"Turn files into document records, one JSON object per line:\n"
	"{\"id\": ..., \"text\": ...}. PATH may be a file, a folder (its\n"
	"*.txt files, recursively, in sorted order, skipping names that start\n"
	"with '.') or '-' for standard input, which is also the default. The\n"
	"id is the file's path under the folder given, without its extension;\n"
	"with --by line or para, '#N' is added (N = line or block number).\n"
	"Bytes that are not UTF-8 are replaced by U+FFFD and noted in\n"
	"\"warnings\"; a byte-order mark is dropped. A file that cannot be\n"
	"read is reported, the others are still read, and the exit status is 1.\n"
	"\n"
	"options:\n"
	"  --by file   one record per file (default)\n"
	"  --by line   one record per non-blank line\n"
	"  --by para   one record per block of lines between blank lines\n"
	"  --ext EXT   in folders, read the files ending in .EXT (default txt;\n"
	"              --ext '' reads every file)\n"
	"  -h, --help  show this help\n";

int cmd_read(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "ext", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct out o = { BUF_INIT };
	struct input in = { INPUT_BY_FILE, write_record, report, &o, "txt", 0 };
	int c, i, rc = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (strcmp(optarg, "file") == 0)
				in.by = INPUT_BY_FILE;
			else if (strcmp(optarg, "line") == 0)
				in.by = INPUT_BY_LINE;
			else if (strcmp(optarg, "para") == 0)
				in.by = INPUT_BY_PARA;
			else
				return stage_usage_error("read", "--by takes "
					"file, line or para, not '%s'", optarg);
			break;
		case 'e':
			in.ext = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return jsonl_finish() < 0 ? VNIE_EXIT_IO : 0;
		default:
			fprintf(stderr, "try 'vnie read --help'\n");
			return VNIE_EXIT_USAGE;
		}
	}
	if (optind == argc)
		rc = input_path(&in, "-");
	for (i = optind; i < argc && rc == 0; i++)
		rc = input_path(&in, argv[i]);
	buf_release(&o.b);
	if (rc != 0 || jsonl_finish() < 0)
		return stage_write_error();
	return in.failed ? VNIE_EXIT_RECORDS : VNIE_EXIT_OK;
}
