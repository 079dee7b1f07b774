/*
 * writefail.c - an LD_PRELOAD shim for tests/properties.sh: it interrupts
 * mlasim in the middle of writing an output file, at a chosen point, so the
 * test can check what is left on disk.
 *
 * On the first write() of more than 1 byte to a regular file (not stdin,
 * stdout or stderr), it writes half the bytes and then, by MLASIM_WRITEFAIL:
 *   kill    raises SIGKILL (a crash, the OOM killer: nothing can clean up)
 *   term    raises SIGTERM (Ctrl-C, a timeout, a scheduler stopping the job)
 *   enospc  fails the write with ENOSPC (a full disk)
 * and creates the file MLASIM_WRITEFAIL_MARK, so the test knows it fired (a
 * sanitizer build intercepts write() itself and is not interrupted).
 * Build: cc -shared -fPIC -o writefail.so writefail.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);
	static int fired;
	const char *mode = getenv("MLASIM_WRITEFAIL");
	const char *mark = getenv("MLASIM_WRITEFAIL_MARK");
	struct stat st;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (fired || !mode || fd <= 2 || n < 2 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return real(fd, buf, n);
	fired = 1;
	if (mark) {
		int m = open(mark, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (m >= 0)
			close(m);
	}
	if (real(fd, buf, n / 2) < 0)
		return -1;
	if (strcmp(mode, "kill") == 0)
		raise(SIGKILL);
	if (strcmp(mode, "term") == 0) {
		raise(SIGTERM);
		return (ssize_t)(n / 2);   /* if mlasim survives, a short write */
	}
	errno = ENOSPC;
	return -1;
}
