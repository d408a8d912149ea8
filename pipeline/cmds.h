/*
 * cmds.h: the subcommands, one file each (pipeline/cmd_NAME.c), each with
 * one public symbol int cmd_NAME(int argc, char **argv) returning the
 * process's exit code. argv[0] is "vnie NAME".
 */
#ifndef VNIE_CMDS_H
#define VNIE_CMDS_H

int cmd_read(int argc, char **argv);
int cmd_normalize(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_gazetteer(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_run(int argc, char **argv);

#endif
