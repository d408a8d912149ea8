/*
 * cmd_normalize.c: `vnie normalize`, not built yet: says so and exits 2.
 */
#include <stdio.h>

#include "cmds.h"
#include "vnie.h"

int cmd_normalize(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vnie normalize: not available in this build\n");
	return VNIE_EXIT_USAGE;
}
