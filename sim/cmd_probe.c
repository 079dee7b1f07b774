/* cmd_probe.c - 'mlasim probe': placeholder until the probes land (issue: probes) */
#include "cli.h"

const char help_probe[] =
"usage: mlasim probe [KEY...] [-l] [-o FILE --hw BASE]\n"
"\n"
"Run the CUDA calibration probes and write a calibrated hardware card.\n";

int cmd_probe(struct cli *c)
{
	return err_set(&c->err, EXIT_ENV, "no CUDA GPU: 'probe' needs an NVIDIA GPU and its driver");
}
