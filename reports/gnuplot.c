/* gnuplot.c - see gnuplot.h */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gnuplot.h"

const char *const gnuplot_palette[8] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
	"#000000", "#F0E442",
};

int gnuplot_stem(const char *out, char *stem, size_t n, struct err *e)
{
	static const char *const ext[] = {".png", ".svg", ".gp", ".dat", NULL};
	size_t len;
	int i;

	if (!out || !*out)
		return err_set(e, EXIT_USAGE, "'-o' needs a file name such as kv.png");
	len = strlen(out);
	if (len + 8 >= n)
		return err_set(e, EXIT_USAGE, "'-o' path is too long");
	memcpy(stem, out, len + 1);
	for (i = 0; ext[i]; i++) {
		size_t el = strlen(ext[i]);
		if (len > el && strcmp(stem + len - el, ext[i]) == 0) {
			stem[len - el] = 0;
			break;
		}
	}
	return 0;
}

/* Is `prog` an executable file, or found on PATH? */
static int gnuplot_found(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	while (path && *path) {
		size_t l = strcspn(path, ":");
		snprintf(buf, sizeof buf, "%.*s/%s", (int)l, path, prog);
		if (access(buf, X_OK) == 0)
			return 1;
		path += l;
		if (*path)
			path++;
	}
	return 0;
}

int gnuplot_render(const char *stem, struct err *e)
{
	const char *prog = getenv("MLASIM_GNUPLOT");
	char gp[4200], png[4200], svg[4200], tpng[4300], tsvg[4300], vars[8800];
	int status;
	pid_t pid;

	if (!prog || !*prog)
		prog = "gnuplot";
	snprintf(gp, sizeof gp, "%s.gp", stem);
	snprintf(png, sizeof png, "%s.png", stem);
	snprintf(svg, sizeof svg, "%s.svg", stem);
	if (!gnuplot_found(prog))
		return err_set(e, EXIT_ENV,
			       "gnuplot not found: install it (Debian: 'make deps' or apt-get install gnuplot-nox); the data and script are in '%s.dat' and '%s'",
			       stem, gp);
	snprintf(tpng, sizeof tpng, "%s.tmp.%ld", png, (long)getpid());
	snprintf(tsvg, sizeof tsvg, "%s.tmp.%ld", svg, (long)getpid());
	if (strchr(tpng, '"') || strchr(tpng, '\\'))
		return err_set(e, EXIT_USAGE, "'-o' must not contain quotes or backslashes");
	snprintf(vars, sizeof vars, "png=\"%s\"; svg=\"%s\"", tpng, tsvg);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return err_set(e, EXIT_ENV, "cannot run gnuplot: %s", err_sys(errno));
	if (pid == 0) {
		execlp(prog, prog, "-e", vars, gp, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		unlink(tpng);
		unlink(tsvg);
		return err_set(e, EXIT_ENV, "gnuplot failed on '%s' (run 'gnuplot %s' to see why)", gp, gp);
	}
	if (rename(tpng, png) || rename(tsvg, svg)) {
		int saved = errno;
		unlink(tpng);
		unlink(tsvg);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", png, err_sys(saved));
	}
	return 0;
}
