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
	if (strpbrk(out, "\"\\\n"))
		return err_set(e, EXIT_USAGE, "'-o' must not contain quotes, backslashes or newlines");
	if (out[len - 1] == '/')
		return err_set(e, EXIT_USAGE, "'-o %s' names a directory: give a file name such as %skv.png",
			       out, out);
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

const char *gnuplot_base(const char *stem)
{
	const char *s = strrchr(stem, '/');

	return s ? s + 1 : stem;
}

void gnuplot_str(struct sbuf *b, const char *s)
{
	sbuf_add(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sbuf_add(b, "\\", 1);
		if (*s == '\n')
			sbuf_add(b, "\\n", 2);
		else
			sbuf_add(b, s, 1);
	}
	sbuf_add(b, "\"", 1);
}

void gnuplot_dat_str(struct sbuf *b, const char *s)
{
	sbuf_add(b, "\"", 1);
	for (; *s; s++)
		sbuf_add(b, *s == '"' ? "'" : *s == '\n' ? " " : s, 1);
	sbuf_add(b, "\"", 1);
}

void gnuplot_begin(struct sbuf *b, const char *kind, const char *stem)
{
	const char *base = gnuplot_base(stem);

	sbuf_printf(b, "# mlasim chart %s: regenerate with 'gnuplot %s.gp' in the directory of %s.dat\n",
		    kind, base, base);
	sbuf_printf(b, "if (!exists(\"png\")) png = \"%s.png\"\n", base);
	sbuf_printf(b, "if (!exists(\"svg\")) svg = \"%s.svg\"\n", base);
	sbuf_printf(b, "set encoding utf8\nset termoption noenhanced\n");
	sbuf_printf(b, "set grid xtics ytics lc rgb \"%s\" lw 1 dt 1\n", GNUPLOT_GRID);
	sbuf_printf(b, "set border 3 lc rgb \"#444444\"\nset tics nomirror\n");
	sbuf_printf(b, "set key noenhanced box lc rgb \"#BBBBBB\" opaque samplen 2.5 spacing 1.15\n");
	sbuf_printf(b, "set style line 99 lc rgb \"%s\" lw 2 dt 2\n", GNUPLOT_REF);
}

void gnuplot_plots_begin(struct sbuf *b, int w, int h)
{
	sbuf_printf(b, "do for [mlasim_term = 1:2] {\n");
	sbuf_printf(b, "if (mlasim_term == 1) {\n"
		    "  set terminal pngcairo size %d,%d font \"sans,12\" noenhanced background \"#ffffff\"\n"
		    "  set output png\n} else {\n"
		    "  set terminal svg size %d,%d dynamic font \"sans,12\" noenhanced background \"#ffffff\"\n"
		    "  set output svg\n}\n", w, h, w, h);
}

void gnuplot_plots_end(struct sbuf *b)
{
	sbuf_printf(b, "unset output\n}\n");
}

/* The program to run: $MLASIM_GNUPLOT or gnuplot. */
static const char *gnuplot_prog(void)
{
	const char *prog = getenv("MLASIM_GNUPLOT");

	return prog && *prog ? prog : "gnuplot";
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

int gnuplot_available(void)
{
	return gnuplot_found(gnuplot_prog());
}

int gnuplot_render(const char *stem, struct err *e)
{
	const char *prog = gnuplot_prog(), *base = gnuplot_base(stem);
	char dir[4200], gp[4200], png[4200], svg[4200], tpng[4300], tsvg[4300], vars[8800];
	int status;
	pid_t pid;

	snprintf(gp, sizeof gp, "%s.gp", stem);
	snprintf(png, sizeof png, "%s.png", stem);
	snprintf(svg, sizeof svg, "%s.svg", stem);
	if (!gnuplot_found(prog))
		return err_set(e, EXIT_ENV,
			       "gnuplot not found ('%s'): install it (Debian: 'make deps' or apt-get install gnuplot-nox); the data and script are in '%s.dat' and '%s'",
			       prog, stem, gp);
	if (strpbrk(stem, "\"\\"))
		return err_set(e, EXIT_USAGE, "'-o' must not contain quotes or backslashes");
	snprintf(dir, sizeof dir, "%.*s", (int)(base - stem), stem);
	/* the temporary images, named relative to the directory gnuplot runs in */
	snprintf(vars, sizeof vars, "png=\"%s.png.tmp.%ld\"; svg=\"%s.svg.tmp.%ld\"", base,
		 (long)getpid(), base, (long)getpid());
	snprintf(tpng, sizeof tpng, "%s.tmp.%ld", png, (long)getpid());
	snprintf(tsvg, sizeof tsvg, "%s.tmp.%ld", svg, (long)getpid());
	snprintf(gp, sizeof gp, "%s.gp", base);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return err_set(e, EXIT_ENV, "cannot run gnuplot: %s", err_sys(errno));
	if (pid == 0) {
		/* gnuplot's own complaints go to stderr; its other output nowhere */
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		if (*dir && chdir(dir) != 0)
			_exit(127);
		execlp(prog, prog, "-e", vars, gp, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		unlink(tpng);
		unlink(tsvg);
		return err_set(e, EXIT_ENV, "gnuplot failed on '%s.gp' (run 'gnuplot %s' in its directory to see why)",
			       stem, gp);
	}
	if (rename(tpng, png) || rename(tsvg, svg)) {
		int saved = errno;
		unlink(tpng);
		unlink(tsvg);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", png, err_sys(saved));
	}
	return 0;
}
