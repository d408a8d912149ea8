/*
 * cmd_normalize.c: `vnie normalize`, the options of the normalisation
 * steps (norm.h) and the shared record loop. The work is in norm.c.
 */
#include <string.h>

#include "cmds.h"
#include "norm.h"
#include "stage.h"

static const char usage[] =
	"usage: vnie normalize [OPTIONS] < records > records\n"
	"\n"
	"Normalise the \"text\" of each record: NFC; one tone-mark placement\n"
	"per Vietnamese syllable (misplaced marks fixed: baỏ -> bảo); Ð/ð read\n"
	"as Đ/đ in Vietnamese words; NBSP and other Unicode spaces to ' ';\n"
	"zero-width characters and soft hyphens removed; CRLF and CR to LF.\n"
	"Where the text changed, the record gets \"raw\" (the text as it came)\n"
	"and \"offsets\" (text offset -> raw offset breakpoints). Records that\n"
	"already carry sentences, entities or relations are rejected.\n"
	"\n"
	"options:\n"
	"  --tone old|new    tone style: old (default, as news writes it):\n"
	"                    hòa, khỏe, thủy; new: hoà, khoẻ, thuỷ\n"
	"  --no-nfc          do not compose to NFC\n"
	"  --no-tone         do not move tone marks\n"
	"  --no-spaces       keep NBSP and other Unicode spaces\n"
	"  --no-zero-width   keep zero-width characters and soft hyphens\n"
	"  --no-newlines     keep CR and CRLF\n"
	"  --no-dstroke      keep Ð/ð (U+00D0/U+00F0) as they are\n"
	"  --max-warnings N  repair warnings per record (default 5); more\n"
	"                    are counted in one line\n"
	STAGE_JOBS_HELP
	STAGE_OPTS_HELP;

enum {
	OPT_TONE = 0x2000, OPT_NO_NFC, OPT_NO_TONE, OPT_NO_SPACES,
	OPT_NO_ZW, OPT_NO_NL, OPT_NO_DSTROKE, OPT_MAX_WARN
};

int cmd_normalize(int argc, char **argv)
{
	static const struct option opts[] = {
		STAGE_JOBS_LONGOPT,
		STAGE_LONGOPTS,
		{ "tone", required_argument, NULL, OPT_TONE },
		{ "no-nfc", no_argument, NULL, OPT_NO_NFC },
		{ "no-tone", no_argument, NULL, OPT_NO_TONE },
		{ "no-spaces", no_argument, NULL, OPT_NO_SPACES },
		{ "no-zero-width", no_argument, NULL, OPT_NO_ZW },
		{ "no-newlines", no_argument, NULL, OPT_NO_NL },
		{ "no-dstroke", no_argument, NULL, OPT_NO_DSTROKE },
		{ "max-warnings", required_argument, NULL, OPT_MAX_WARN },
		{ NULL, 0, NULL, 0 }
	};
	struct norm_opts o;
	struct stage st;
	size_t mw;
	int c, r;

	norm_opts_init(&o);
	stage_init(&st, "normalize", norm_stage, &o);
	/* records with sentences, entities or relations are refused whole,
	 * so there is nothing for doc_check() to check */
	st.check_input = 0;
	st.quick = norm_quick;
	while ((c = getopt_long(argc, argv, "hj:", opts, NULL)) != -1) {
		if ((r = stage_opt(&st, c, optarg)) != 0) {
			if (r < 0)
				return VNIE_EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return fflush(stdout) ? stage_write_error() : 0;
		case OPT_TONE:
			if (norm_parse_style(optarg, &o.style) < 0)
				return stage_usage_error("normalize", "--tone "
					"takes old or new, not '%s'", optarg);
			break;
		case OPT_NO_NFC: o.nfc = 0; break;
		case OPT_NO_TONE: o.tone = 0; break;
		case OPT_NO_SPACES: o.spaces = 0; break;
		case OPT_NO_ZW: o.zero_width = 0; break;
		case OPT_NO_NL: o.newlines = 0; break;
		case OPT_NO_DSTROKE: o.dstroke = 0; break;
		case OPT_MAX_WARN:
			if (stage_parse_size(optarg, &mw) < 0 || mw > 1000000)
				return stage_usage_error("normalize", "bad "
					"--max-warnings '%s'", optarg);
			o.max_warnings = (int)mw;
			break;
		default:
			fprintf(stderr, "try 'vnie normalize --help'\n");
			return VNIE_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return stage_usage_error("normalize", "unexpected argument "
					 "'%s'", argv[optind]);
	return stage_run(&st, stdin);
}
