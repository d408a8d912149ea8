/*
 * cmd_run.c: `vnie run`, not built yet: says so and exits 2.
 */
#include <stdio.h>

#include "cmds.h"
#include "vnie.h"

int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vnie run: not available in this build\n");
	return VNIE_EXIT_USAGE;
}
