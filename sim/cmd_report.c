/* cmd_report.c - 'mlasim report': placeholder until the report lands (issue: charts) */
#include "cli.h"

const char help_report[] =
"usage: mlasim report --model M --hw H [plan options] -o report.html\n"
"\n"
"Write a self-contained HTML report of a plan with its charts.\n";

int cmd_report(struct cli *c)
{
	return err_set(&c->err, EXIT_USAGE, "'report' is not implemented yet");
}
