/* gnuplot.c - see gnuplot.h */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gnuplot.h"
#include "out.h"

const char *const gnuplot_palette[8] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
	"#000000", "#F0E442",
};

int gnuplot_stem(const char *out, char *stem, size_t n, struct err *e)
{
	static const char *const ext[] = {".png", ".svg", ".gp", ".dat", NULL};
	struct stat st;
	size_t len;
	int i;

	if (!out || !*out)
		return err_set(e, EXIT_USAGE, "'-o' needs a file name such as kv.png");
	len = strlen(out);
	if (len + 8 >= n)
		return err_set(e, EXIT_USAGE, "'-o' path is too long");
	if (strpbrk(out, "\"\\\n"))
		return err_set(e, EXIT_USAGE, "'-o' must not contain quotes, backslashes or newlines");
	if (stat(out, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return err_set(e, EXIT_USAGE,
			       "'-o %s' is not a regular file: a chart is four files (NAME.png, .svg, .dat, .gp); give a name such as kv.png",
			       out);
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
	int open = 0, any = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f) {
			char esc[16];
			/* a line break would end the command: the byte joins as an
			 * octal escape of a double-quoted constant we write ourselves */
			snprintf(esc, sizeof esc, "%s%s\"\\%03o\"", open ? "'" : "", any ? "." : "", c);
			sbuf_printf(b, "%s", esc);
			open = 0;
		} else {
			if (!open)
				sbuf_add(b, any ? ".'" : "'", any ? 2 : 1);
			sbuf_add(b, s, 1);
			if (c == '\'')
				sbuf_add(b, "'", 1);    /* the only escape: '' */
			open = 1;
		}
		any = 1;
	}
	if (open)
		sbuf_add(b, "'", 1);
	else if (!any)
		sbuf_add(b, "''", 2);
}

void gnuplot_file(struct sbuf *b, const char *base, const char *ext)
{
	char name[4200];

	snprintf(name, sizeof name, "%s%s", base, ext);
	gnuplot_str(b, name);
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
	sbuf_printf(b, "if (!exists(\"png\")) png = ");
	gnuplot_file(b, base, ".png");
	sbuf_printf(b, "\nif (!exists(\"svg\")) svg = ");
	gnuplot_file(b, base, ".svg");
	sbuf_printf(b, "\n");
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

/*
 * The limit on one gnuplot run: $MLASIM_GNUPLOT_TIMEOUT seconds (a number
 * from 0.1 to 86400), else GNUPLOT_TIMEOUT_S.  Returns 0, or EXIT_ENV for a
 * value that is no such number (not silently the default).
 */
static int gnuplot_timeout(double *t, struct err *e)
{
	const char *v = getenv("MLASIM_GNUPLOT_TIMEOUT");
	char *end;

	*t = GNUPLOT_TIMEOUT_S;
	if (!v || !*v)
		return 0;
	*t = strtod(v, &end);
	if (*end != 0 || !(*t >= 0.1 && *t <= 86400))
		return err_set(e, EXIT_ENV,
			       "'MLASIM_GNUPLOT_TIMEOUT' must be seconds from 0.1 to 86400, got '%s'", v);
	return 0;
}

/*
 * Wait for child `pid` at most timeout_s seconds; kill its process group when
 * it takes longer.  Returns 0 when it exited 0, 1 when it failed, 2 when it
 * was killed for the timeout.
 */
static int gnuplot_wait(pid_t pid, double timeout_s)
{
	struct timespec tick = {0, 10 * 1000 * 1000};  /* 10 ms: a chart takes 100s of ms */
	struct timespec t0, now;
	int status;
	pid_t r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
		if (r < 0 && errno != EINTR)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 >= timeout_s) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return 2;
		}
		nanosleep(&tick, NULL);
	}
}

int gnuplot_render(const char *stem, struct err *e)
{
	const char *prog = gnuplot_prog(), *base = gnuplot_base(stem);
	char dir[4200], gp[4200], png[4200], svg[4200], tpng[4300], tsvg[4300];
	char tbase[2][4300];
	const char *tmps[2];
	double timeout;
	struct sbuf vars = {0};
	sigset_t block, saved;
	int rc;
	pid_t pid;

	snprintf(gp, sizeof gp, "%s.gp", stem);
	snprintf(png, sizeof png, "%s.png", stem);
	snprintf(svg, sizeof svg, "%s.svg", stem);
	if (!gnuplot_found(prog))
		return err_set(e, EXIT_ENV,
			       "gnuplot not found ('%s'): install it (Debian: 'make deps' or apt-get install gnuplot-nox); the data and script are in '%s.dat' and '%s'",
			       prog, stem, gp);
	if (gnuplot_timeout(&timeout, e))
		return e->code;
	snprintf(dir, sizeof dir, "%.*s", (int)(base - stem), stem);
	/* the temporary images, named relative to the directory gnuplot runs in,
	 * single-quoted like every string mlasim hands gnuplot */
	snprintf(tbase[0], sizeof tbase[0], "%s.png.tmp.%ld", base, (long)getpid());
	snprintf(tbase[1], sizeof tbase[1], "%s.svg.tmp.%ld", base, (long)getpid());
	sbuf_printf(&vars, "png=");
	gnuplot_str(&vars, tbase[0]);
	sbuf_printf(&vars, "; svg=");
	gnuplot_str(&vars, tbase[1]);
	if (vars.oom)
		return err_set(e, EXIT_ENV, "out of memory running gnuplot");
	snprintf(tpng, sizeof tpng, "%s.tmp.%ld", png, (long)getpid());
	snprintf(tsvg, sizeof tsvg, "%s.tmp.%ld", svg, (long)getpid());
	snprintf(gp, sizeof gp, "%s.gp", base);
	tmps[0] = tpng;
	tmps[1] = tsvg;
	fflush(NULL);
	/* no terminating signal between the fork and the guard knowing the child */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &saved);
	pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &saved, NULL);
		sbuf_free(&vars);
		return err_set(e, EXIT_ENV, "cannot run gnuplot: %s", err_sys(errno));
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &saved, NULL);
		/* a group of its own, so that a timeout or a signal kills whatever
		 * it started too; its complaints go to stderr, its other output and
		 * its input nowhere */
		setpgid(0, 0);
		if (freopen("/dev/null", "w", stdout) == NULL || freopen("/dev/null", "r", stdin) == NULL)
			_exit(127);
		if (*dir && chdir(dir) != 0)
			_exit(127);
		execlp(prog, prog, "-e", vars.data, gp, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);      /* also here: the signal guard may kill the group at once */
	out_guard_child(pid, tmps, 2);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	rc = gnuplot_wait(pid, timeout);
	out_guard_clear();
	sbuf_free(&vars);
	if (rc) {
		unlink(tpng);
		unlink(tsvg);
		if (rc == 2)
			return err_set(e, EXIT_ENV,
				       GNUPLOT_TIMEOUT_MSG " '%s.gp' within %g s: killed it (a stuck gnuplot; MLASIM_GNUPLOT_TIMEOUT sets the limit)",
				       stem, timeout);
		return err_set(e, EXIT_ENV, "gnuplot failed on '%s.gp' (run 'gnuplot %s' in its directory to see why)",
			       stem, gp);
	}
	/* as every -o file: through a link, keeping an existing image's mode */
	rc = out_place(tpng, png, e);
	if (rc) {
		unlink(tsvg);
		return rc;
	}
	return out_place(tsvg, svg, e);
}
