/* infile.c - see infile.h */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "infile.h"

static struct {
	dev_t dev;
	ino_t ino;
	const char *opt;
	char path[512];
} noted[INFILE_MAX_NOTED];
static int nnoted;

/* What a file that is not regular is, for the message. */
static const char *infile_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

FILE *infile_open(const char *path, struct err *e)
{
	struct stat st;
	FILE *f;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		err_set(e, EXIT_INPUT, "cannot open '%s': %s", path, err_sys(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		err_set(e, EXIT_INPUT, "cannot read '%s': %s", path, err_sys(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, EXIT_INPUT, "'%s' is %s: expected a regular file", path,
			infile_kind(st.st_mode));
		close(fd);
		return NULL;
	}
	/* regular files never block; clear it so reads behave as usual */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "rb");
	if (!f) {
		err_set(e, EXIT_ENV, "cannot read '%s': %s", path, err_sys(errno));
		close(fd);
	}
	return f;
}

int infile_read(const char *path, size_t max, const char *what, char **text, size_t *len,
		struct err *e)
{
	FILE *f = infile_open(path, e);
	size_t n = 0, cap = max < 4096 ? max + 1 : 4096, got;
	char *buf, *bigger;

	if (!f)
		return e->code;
	buf = malloc(cap + 1);
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n > max) {
			free(buf);
			fclose(f);
			if (max >= 1u << 20)
				return err_set(e, EXIT_INPUT, "'%s' is larger than %zu MiB: not %s", path,
					       max >> 20, what);
			return err_set(e, EXIT_INPUT, "'%s' is larger than %zu bytes: not %s", path, max,
				       what);
		}
		if (n < cap)
			continue;
		/* at most max + 1 bytes: one past the limit tells a file over it */
		cap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
		bigger = realloc(buf, cap + 1);
		if (!bigger)
			free(buf);
		buf = bigger;
	}
	if (!buf) {
		fclose(f);
		return err_set(e, EXIT_ENV, "out of memory reading '%s'", path);
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return err_set(e, EXIT_INPUT, "cannot read '%s': %s", path, err_sys(errno));
	}
	fclose(f);
	buf[n] = 0;
	*text = buf;
	*len = n;
	return 0;
}

void infile_note(const char *path, const char *opt)
{
	struct stat st;
	int i;

	if (stat(path, &st) != 0)
		return;
	for (i = 0; i < nnoted; i++)
		if (noted[i].dev == st.st_dev && noted[i].ino == st.st_ino)
			return;
	if (nnoted == INFILE_MAX_NOTED)
		return;
	noted[nnoted].dev = st.st_dev;
	noted[nnoted].ino = st.st_ino;
	noted[nnoted].opt = opt;
	snprintf(noted[nnoted].path, sizeof noted[nnoted].path, "%s", path);
	nnoted++;
}

const char *infile_input_of(dev_t dev, ino_t ino, const char **path)
{
	int i;

	for (i = 0; i < nnoted; i++)
		if (noted[i].dev == dev && noted[i].ino == ino) {
			if (path)
				*path = noted[i].path;
			return noted[i].opt;
		}
	return NULL;
}
