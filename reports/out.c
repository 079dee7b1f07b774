/* out.c - see out.h */
#define _POSIX_C_SOURCE 200809L
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

static void out_on_signal(int sig)
{
	int i;

	if (child > 0) {        /* it could still create a file after the unlink */
		kill(-(pid_t)child, SIGKILL);
		waitpid((pid_t)child, NULL, 0);
	}
	for (i = 0; i < npending; i++)
		unlink(pending[i]);     /* all async-signal-safe */
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

/*
 * Write data to a new temporary file beside `path` (its name into tmp, and
 * among the pending ones), fsynced, with the umask's mode, closed.  Returns 0,
 * or EXIT_ENV naming `path`, the temporary removed.
 */
static int out_temp(const char *path, const char *data, size_t len, char *tmp, size_t n,
		    struct err *e)
{
	mode_t mask;
	int fd, saved;

	snprintf(tmp, n, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(errno));
	out_pending_add(tmp);
	if (out_all(fd, data, len) || fsync(fd)) {
		saved = errno;
		close(fd);
		unlink(tmp);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(saved));
	}
	mask = umask(0);       /* mkstemp makes 0600; honour the umask like fopen */
	umask(mask);
	fchmod(fd, 0666 & ~mask);
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
	struct stat st;
	int made, renamed = 0, i, rc = 0;

	if (n < 1 || n > OUT_GROUP_MAX)
		return err_set(e, EXIT_ENV, "cannot write %d files as one group (at most %d)",
			       n, OUT_GROUP_MAX);
	for (i = 0; i < n; i++)
		if (strlen(files[i].path) > 4000)
			return err_set(e, EXIT_USAGE, "'-o' path is too long");
	out_pending(NULL);
	for (made = 0; made < n; made++) {
		rc = out_temp(files[made].path, files[made].data, files[made].len, tmp[made],
			      sizeof tmp[made], e);
		if (rc)
			break;
	}
	/* a directory in the way (rename does not follow a link) would fail its
	 * rename after the others were renamed: refuse before renaming any */
	for (i = 0; i < n && !rc; i++)
		if (lstat(files[i].path, &st) == 0 && S_ISDIR(st.st_mode))
			rc = err_set(e, EXIT_ENV, "cannot write '%s': %s", files[i].path,
				     err_sys(EISDIR));
	while (!rc && renamed < made) {
		if (rename(tmp[renamed], files[renamed].path))
			rc = err_set(e, EXIT_ENV, "cannot write '%s': %s", files[renamed].path,
				     err_sys(errno));
		else
			renamed++;
	}
	for (i = renamed; i < made; i++)   /* written, not renamed: remove */
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

int out_stream_open(struct out_stream *s, const char *path, struct err *e)
{
	int fd;

	memset(s, 0, sizeof *s);
	if (strlen(path) > 4000)
		return err_set(e, EXIT_USAGE, "'-o' path is too long");
	snprintf(s->path, sizeof s->path, "%s", path);
	snprintf(s->tmp, sizeof s->tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(s->tmp);
	if (fd < 0)
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(errno));
	out_pending(s->tmp);
	s->f = fdopen(fd, "w");
	if (!s->f) {
		close(fd);
		unlink(s->tmp);
		out_pending(NULL);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(errno));
	}
	setvbuf(s->f, NULL, _IOFBF, 1 << 20);
	return 0;
}

int out_stream_commit(struct out_stream *s, struct err *e)
{
	mode_t mask = umask(0);
	int saved;

	umask(mask);
	if (fflush(s->f) || fsync(fileno(s->f)) || fchmod(fileno(s->f), 0666 & ~mask) ||
	    fclose(s->f)) {
		saved = errno;
		s->f = NULL;
		unlink(s->tmp);
		out_pending(NULL);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", s->path, err_sys(saved));
	}
	s->f = NULL;
	if (rename(s->tmp, s->path)) {
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
