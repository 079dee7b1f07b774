/* out.c - see out.h */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700      /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "out.h"
#include "../sim/infile.h"

/*
 * The temporary files being written, so that a terminating signal removes
 * them before the process dies: the one process-wide state of the writer,
 * kept because a signal handler can reach nothing else.  A name is complete
 * before the count that makes the handler see it grows.
 */
static char pending[OUT_GROUP_MAX][4200];
static volatile sig_atomic_t npending;
/* a child process group (gnuplot) that writes some of the pending files */
static volatile sig_atomic_t child;
/* a scratch directory and the files of its chart being drawn, the directory last */
static char scratch[5][4200];
static volatile sig_atomic_t nscratch;

static void out_on_signal(int sig)
{
	int i;

	if (child > 0) {        /* it could still create a file after the unlink */
		kill(-(pid_t)child, SIGKILL);
		waitpid((pid_t)child, NULL, 0);
	}
	for (i = 0; i < npending; i++)
		unlink(pending[i]);     /* all async-signal-safe */
	for (i = 0; i + 1 < nscratch; i++)
		unlink(scratch[i]);
	if (nscratch > 0)
		rmdir(scratch[nscratch - 1]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void out_guard_install(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = out_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	/* past the file-size limit, write() fails with EFBIG instead of killing us */
	signal(SIGXFSZ, SIG_IGN);
}

/* Forget the pending temporary files; then, when tmp is given, remember it. */
static void out_pending(const char *tmp)
{
	npending = 0;
	if (tmp) {
		snprintf(pending[0], sizeof pending[0], "%s", tmp);
		npending = 1;
	}
}

/* Remember one more pending temporary file (up to OUT_GROUP_MAX). */
static void out_pending_add(const char *tmp)
{
	size_t len = strlen(tmp);

	if (npending >= OUT_GROUP_MAX || len >= sizeof pending[0])
		return;
	memcpy(pending[npending], tmp, len + 1);
	npending = npending + 1;
}

void out_guard_child(pid_t pid, const char *const *tmps, int n)
{
	int i;

	child = 0;
	out_pending(NULL);
	for (i = 0; i < n; i++)
		out_pending_add(tmps[i]);
	child = pid;
}

void out_guard_clear(void)
{
	child = 0;
	out_pending(NULL);
}

void out_guard_scratch(const char *dir, const char *stem)
{
	static const char *const ext[] = {"dat", "gp", "png", "svg"};
	int i, n = 0;

	nscratch = 0;
	if (!dir || strlen(dir) >= sizeof scratch[0])
		return;
	if (stem && strlen(stem) + 5 < sizeof scratch[0])
		for (i = 0; i < 4; i++)
			snprintf(scratch[n++], sizeof scratch[0], "%s.%s", stem, ext[i]);
	memcpy(scratch[n++], dir, strlen(dir) + 1);
	nscratch = n;           /* the names are complete before the handler sees them */
}

static int out_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* What a path that is neither a regular file nor a directory is. */
static const char *out_kind(mode_t m)
{
	return S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int out_resolve(const char *path, struct out_target *t, struct err *e)
{
	struct stat st;
	const char *opt, *in = NULL;
	char *real;

	memset(t, 0, sizeof *t);
	if (strlen(path) > 4000)
		return err_set(e, EXIT_USAGE, "'-o' path is too long");
	snprintf(t->path, sizeof t->path, "%s", path);
	if (lstat(path, &st) != 0)
		return 0;                       /* a new file */
	if (S_ISLNK(st.st_mode)) {
		/* write through the link (replacing the link would cut it) */
		real = realpath(path, NULL);
		if (!real || strlen(real) > 4000 || stat(real, &st) != 0) {
			free(real);
			return err_set(e, EXIT_USAGE,
				       "'-o %s' is a symbolic link to a file that does not exist: give the file itself",
				       path);
		}
		snprintf(t->path, sizeof t->path, "%s", real);
		free(real);
		t->link = 1;
	}
	opt = infile_input_of(st.st_dev, st.st_ino, &in);
	if (opt)
		return err_set(e, EXIT_USAGE,
			       "'-o %s' would overwrite the '%s' input '%s': write the output to another file",
			       path, opt, in);
	if (S_ISREG(st.st_mode)) {
		t->exists = 1;
		t->mode = st.st_mode & 07777;
	} else if (S_ISDIR(st.st_mode)) {
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(EISDIR));
	} else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		t->direct = 1;                  /* /dev/null, a FIFO: as a shell's '>' */
	} else {
		return err_set(e, EXIT_USAGE, "'-o %s' is %s: give a regular file", path,
			       out_kind(st.st_mode));
	}
	return 0;
}

/* The mode a new file of t gets: an existing file's own, else 0666 less the umask. */
static mode_t out_mode(const struct out_target *t)
{
	mode_t mask;

	if (t->exists)
		return t->mode;
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

/* Open t (direct: an existing FIFO or device) for writing in place. */
static int out_open_direct(const struct out_target *t, const char *path, struct err *e)
{
	int fd = open(t->path, O_WRONLY | O_NOCTTY | O_TRUNC);

	if (fd < 0)
		err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(errno));
	return fd;
}

/* Write data in place to t, a FIFO or a character device. */
static int out_direct(const struct out_target *t, const char *path, const char *data, size_t len,
		      struct err *e)
{
	int fd = out_open_direct(t, path, e), saved;

	if (fd < 0)
		return e->code;
	if (out_all(fd, data, len)) {
		saved = errno;
		close(fd);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(saved));
	}
	if (close(fd))
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(errno));
	return 0;
}

/*
 * Write data to a new temporary file beside t->path (its name into tmp, and
 * among the pending ones), fsynced, with the mode the target keeps or gets,
 * closed.  Returns 0, or EXIT_ENV naming `path`, the temporary removed.
 */
static int out_temp(const struct out_target *t, const char *path, const char *data, size_t len,
		    char *tmp, size_t n, struct err *e)
{
	int fd, saved;

	snprintf(tmp, n, "%.4000s.tmp.XXXXXX", t->path);   /* out_resolve: at most 4000 */
	fd = mkstemp(tmp);
	if (fd < 0)
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(errno));
	out_pending_add(tmp);
	/* mkstemp makes 0600: give the mode fopen would, or the file's own */
	if (out_all(fd, data, len) || fsync(fd) || fchmod(fd, out_mode(t))) {
		saved = errno;
		close(fd);
		unlink(tmp);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(saved));
	}
	if (close(fd)) {
		saved = errno;
		unlink(tmp);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(saved));
	}
	return 0;
}

int out_write_group(const struct out_file *files, int n, struct err *e)
{
	char tmp[OUT_GROUP_MAX][4200];
	struct out_target t[OUT_GROUP_MAX];
	int made, renamed = 0, i, rc = 0;

	if (n < 1 || n > OUT_GROUP_MAX)
		return err_set(e, EXIT_ENV, "cannot write %d files as one group (at most %d)",
			       n, OUT_GROUP_MAX);
	/* every target is judged before any is written: a directory in the way,
	 * an input, a block device fail the group with nothing changed */
	for (i = 0; i < n; i++)
		if ((rc = out_resolve(files[i].path, &t[i], e)) != 0)
			return rc;
	out_pending(NULL);
	for (made = 0; made < n; made++) {
		tmp[made][0] = 0;
		if (t[made].direct)
			continue;               /* written in place, below */
		rc = out_temp(&t[made], files[made].path, files[made].data, files[made].len,
			      tmp[made], sizeof tmp[made], e);
		if (rc)
			break;
	}
	/* cppcheck-suppress knownConditionTrueFalse ; rc is set when the loop above breaks */
	while (!rc && renamed < made) {
		if (t[renamed].direct)
			rc = out_direct(&t[renamed], files[renamed].path, files[renamed].data,
					files[renamed].len, e);
		else if (rename(tmp[renamed], t[renamed].path))
			rc = err_set(e, EXIT_ENV, "cannot write '%s': %s", files[renamed].path,
				     err_sys(errno));
		if (!rc)
			renamed++;
	}
	for (i = renamed; i < made; i++)   /* written, not renamed: remove */
		if (tmp[i][0])
			unlink(tmp[i]);
	out_pending(NULL);
	return rc;
}

int out_write(const char *path, const char *data, size_t len, struct err *e)
{
	struct out_file f;

	if (!path || strcmp(path, "-") == 0) {
		if (out_all(STDOUT_FILENO, data, len))
			return err_set(e, EXIT_ENV, "cannot write to standard output: %s",
				       err_sys(errno));
		return 0;
	}
	f.path = path;
	f.data = data;
	f.len = len;
	return out_write_group(&f, 1, e);
}

int out_place(const char *tmp, const char *path, struct err *e)
{
	struct out_target t;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if ((rc = out_resolve(path, &t, e)) != 0) {
		unlink(tmp);
		return rc;
	}
	if (!t.direct && !t.link) {     /* the temporary is beside it: rename */
		if ((t.exists && chmod(tmp, t.mode)) || rename(tmp, t.path)) {
			rc = err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(errno));
			unlink(tmp);
		}
		return rc;
	}
	/* through a link or into a device: copy, as out_write would write it */
	rc = infile_read(tmp, (size_t)1 << 30, "an image", &data, &len, e); /* images: MBs */
	unlink(tmp);
	if (!rc)
		rc = out_write(path, data, len, e);
	free(data);
	return rc;
}

int out_stream_open(struct out_stream *s, const char *path, struct err *e)
{
	int fd, rc;

	memset(s, 0, sizeof *s);
	if ((rc = out_resolve(path, &s->target, e)) != 0)
		return rc;
	snprintf(s->path, sizeof s->path, "%s", path);
	if (s->target.direct) {
		fd = out_open_direct(&s->target, path, e);
		if (fd < 0)
			return e->code;
	} else {
		snprintf(s->tmp, sizeof s->tmp, "%.4000s.tmp.XXXXXX", s->target.path);
		fd = mkstemp(s->tmp);
		if (fd < 0)
			return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(errno));
		out_pending(s->tmp);
	}
	s->f = fdopen(fd, "w");
	if (!s->f) {
		close(fd);
		if (s->tmp[0])
			unlink(s->tmp);
		out_pending(NULL);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(errno));
	}
	setvbuf(s->f, NULL, _IOFBF, 1 << 20);
	return 0;
}

int out_stream_commit(struct out_stream *s, struct err *e)
{
	int saved;

	if (fflush(s->f) || (!s->target.direct && (fsync(fileno(s->f)) ||
						    fchmod(fileno(s->f), out_mode(&s->target)))) ||
	    fclose(s->f)) {
		saved = errno;
		s->f = NULL;
		if (s->tmp[0])
			unlink(s->tmp);
		out_pending(NULL);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", s->path, err_sys(saved));
	}
	s->f = NULL;
	if (s->tmp[0] && rename(s->tmp, s->target.path)) {
		saved = errno;
		unlink(s->tmp);
		out_pending(NULL);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", s->path, err_sys(saved));
	}
	out_pending(NULL);
	return 0;
}

void out_stream_abort(struct out_stream *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
	if (s->tmp[0])
		unlink(s->tmp);
	out_pending(NULL);
}
