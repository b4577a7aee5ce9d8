/* fuzz_util - what several harnesses need: a private scratch directory and
 * a file in it holding the input, for parsers that read a path or an fd;
 * a thread that reads what a server under test writes to its peer, so
 * that a server that writes more than a socket holds never blocks.
 * Everything here is for libFuzzer harnesses only: a failed system call
 * aborts the run (it is the machine, not the input). */
#ifndef TERN_FUZZ_UTIL_H
#define TERN_FUZZ_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* What fuzz_drain_start() keeps of a peer's output. */
#define FUZZ_DRAIN_MAX (1024 * 1024)

struct fuzz_drain {
	pthread_t thread;
	int fd;
	atomic_int done; /* end of input (or an error) was read */
	char *data;      /* the first FUZZ_DRAIN_MAX bytes read */
	size_t len;
	size_t lost; /* bytes read past FUZZ_DRAIN_MAX */
};

static inline void *
fuzz_drain_run(void *arg)
{
	struct fuzz_drain *d = arg;
	char chunk[16384];
	ssize_t n;

	while ((n = read(d->fd, chunk, sizeof(chunk))) > 0) {
		size_t room = FUZZ_DRAIN_MAX - d->len;
		size_t keep = (size_t)n < room ? (size_t)n : room;

		memcpy(d->data + d->len, chunk, keep);
		d->len += keep;
		d->lost += (size_t)n - keep;
	}
	atomic_store(&d->done, 1);
	return NULL;
}

/* Read fd to its end in a thread of its own, keeping what it reads in
 * d. Never fails. */
static inline void
fuzz_drain_start(struct fuzz_drain *d, int fd)
{
	static char *data;

	if (data == NULL && (data = malloc(FUZZ_DRAIN_MAX + 1)) == NULL)
		abort();
	d->fd = fd;
	atomic_store(&d->done, 0);
	d->data = data;
	d->len = d->lost = 0;
	if (pthread_create(&d->thread, NULL, fuzz_drain_run, d) != 0)
		abort();
}

/* 1 when the thread has read the end of fd. */
static inline int
fuzz_drain_done(struct fuzz_drain *d)
{
	return atomic_load(&d->done);
}

/* Wait for the end of fd; then d->data holds d->len bytes (NUL-terminated,
 * valid until the next fuzz_drain_start()). Never fails. */
static inline void
fuzz_drain_finish(struct fuzz_drain *d)
{
	if (pthread_join(d->thread, NULL) != 0)
		abort();
	d->data[d->len] = 0;
}

#endif
