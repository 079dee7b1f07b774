/* out.c - see out.h */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "out.h"

/*
 * The temporary file being written, so that a terminating signal removes it
 * before the process dies: the one process-wide state of the writer, kept
 * because a signal handler can reach nothing else.
 */
static char pending[4200];
static volatile sig_atomic_t have_pending;

static void out_on_signal(int sig)
{
	if (have_pending)
		unlink(pending);        /* async-signal-safe */
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

static void out_pending(const char *tmp)
{
	have_pending = 0;
	if (tmp) {
		snprintf(pending, sizeof pending, "%s", tmp);
		have_pending = 1;
	}
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

int out_write(const char *path, const char *data, size_t len, struct err *e)
{
	char tmp[4200];
	int fd, saved;

	if (!path || strcmp(path, "-") == 0) {
		if (out_all(STDOUT_FILENO, data, len))
			return err_set(e, EXIT_ENV, "cannot write to standard output: %s",
				       err_sys(errno));
		return 0;
	}
	if (strlen(path) > 4000)
		return err_set(e, EXIT_USAGE, "'-o' path is too long");
	snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(errno));
	out_pending(tmp);
	if (out_all(fd, data, len) || fsync(fd)) {
		saved = errno;
		close(fd);
		unlink(tmp);
		out_pending(NULL);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(saved));
	}
	{
		mode_t mask = umask(0);   /* mkstemp makes 0600; honour the umask like fopen */
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (close(fd) || rename(tmp, path)) {
		saved = errno;
		unlink(tmp);
		out_pending(NULL);
		return err_set(e, EXIT_ENV, "cannot write '%s': %s", path, err_sys(saved));
	}
	out_pending(NULL);
	return 0;
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
