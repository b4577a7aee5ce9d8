/* fuzz_util - what several harnesses need: a private scratch directory and
 * a file in it holding the input, for parsers that read a path or an fd.
 * Everything here is for libFuzzer harnesses only: a failed system call
 * aborts the run (it is the machine, not the input). */
#ifndef TERN_FUZZ_UTIL_H
#define TERN_FUZZ_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"

static char fuzz_dir_path[256];

/* At exit: remove the scratch directory and the files in it. */
static inline void
fuzz_dir_remove(void)
{
	char path[512];
	struct dirent *e;
	DIR *d;

	if ((d = opendir(fuzz_dir_path)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.' &&
			    (size_t)snprintf(path, sizeof(path), "%s/%s",
				fuzz_dir_path, e->d_name) < sizeof(path))
				(void)unlink(path);
		closedir(d);
	}
	(void)rmdir(fuzz_dir_path);
}

/* The harness's scratch directory, made once per process and removed at
 * exit: in /dev/shm when there is one (a file system in memory: ten times
 * the executions per second of a disk), else $TMPDIR or /tmp. Also sends
 * the library's log lines to /dev/null so that expected warnings do not
 * flood the fuzzer's output. Never fails. */
static inline const char *
fuzz_dir(void)
{
	char *dir = fuzz_dir_path;
	const char *tmp, *error;

	if (dir[0] != 0)
		return dir;
	if (access("/dev/shm", W_OK | X_OK) == 0)
		tmp = "/dev/shm";
	else if ((tmp = getenv("TMPDIR")) == NULL || *tmp == 0)
		tmp = "/tmp";
	if ((size_t)snprintf(dir, sizeof(fuzz_dir_path), "%s/tern-fuzz.XXXXXX",
		tmp) >= sizeof(fuzz_dir_path) ||
	    mkdtemp(dir) == NULL)
		abort();
	atexit(fuzz_dir_remove);
	log_init("fuzz");
	if (log_open_file("/dev/null", &error) < 0)
		abort();
	return dir;
}

/* Replace <fuzz_dir>/name with the size bytes at data and return its path
 * (a static buffer, valid until the next call). Never fails. */
static inline const char *
fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[512];
	size_t off = 0;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name) >=
	    sizeof(path))
		abort();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	if (close(fd) < 0)
		abort();
	return path;
}

#endif
