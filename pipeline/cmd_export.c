/*
 * cmd_export.c: `vnie export`, not built yet: says so and exits 2.
 */
#include <stdio.h>

#include "cmds.h"
#include "vnie.h"

int cmd_export(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vnie export: not available in this build\n");
	return VNIE_EXIT_USAGE;
}
