/*
 * main.c: the vnie command. It only dispatches to the subcommand named by
 * its first argument; each lives in pipeline/cmd_NAME.c.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "jsonl.h"
#include "vnie.h"

struct cmd {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
};

static const struct cmd cmds[] = {
	{ "read", cmd_read, "files, folders or stdin to document records" },
	{ "normalize", cmd_normalize, "NFC, tone marks, spaces; keeps offsets into the original" },
	{ "split", cmd_split, "sentence boundaries" },
	{ "gazetteer", cmd_gazetteer, "names and acronyms from gazetteer lists" },
	{ "rules", cmd_rules, "entities and relations from rule files" },
	{ "run", cmd_run, "read, normalize, split, gazetteer and rules in one process" },
	{ "export", cmd_export, "entities, relations, TSV, CoNLL, brat, HTML" },
	{ "eval", cmd_eval, "precision, recall and F1 against gold records" },
	{ "check", cmd_check, "validate rule files and gazetteers" },
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp,
		"usage: vnie <command> [options] [args]\n"
		"       vnie --version\n"
		"\n"
		"Information extraction for Vietnamese text. Each command reads and\n"
		"writes JSON lines, one document record per line.\n"
		"\n"
		"commands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(fp, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(fp,
		"\n"
		"'vnie <command> --help' describes a command.\n"
		"\n"
		"exit status:\n"
		"  0  every record processed\n"
		"  1  some records rejected (error records written in their place)\n"
		"  2  usage error, or an invalid rule or gazetteer file\n"
		"  3  read or write error\n"
		"\n"
		"environment:\n"
		"  VNIE_DATA  directory holding the default rules/ and gazetteers/\n");
}

int main(int argc, char **argv)
{
	static char name[64];
	size_t i;

	jsonl_setup();
	if (argc < 2) {
		usage(stderr);
		return VNIE_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return jsonl_finish() < 0 ? VNIE_EXIT_IO : VNIE_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("vnie %s\n", VNIE_VERSION);
		return jsonl_finish() < 0 ? VNIE_EXIT_IO : VNIE_EXIT_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name) == 0) {
			snprintf(name, sizeof(name), "vnie %s", cmds[i].name);
			vnie_progname = name;
			argv[1] = name;
			return cmds[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "vnie: '%s' is not a vnie command; see 'vnie --help'\n",
		argv[1]);
	return VNIE_EXIT_USAGE;
}
