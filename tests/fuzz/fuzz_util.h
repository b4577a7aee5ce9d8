/* fuzz_util - what several harnesses need: a private scratch directory and
 * a file in it holding the input, for parsers that read a path or an fd;
 * a client on a socket pair that sends the input to a server under test
 * and collects its replies.
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
#include <sys/socket.h>
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

/* A client that sends input and reads the replies, for a server under
 * test on a socket pair. The most input it sends: a socket holds this
 * much without a reader (Linux: about 200 KiB). */
#define FUZZ_PEER_INPUT_MAX 60000
/* What it keeps of the replies. */
#define FUZZ_PEER_REPLY_MAX (1024 * 1024)

struct fuzz_peer {
	pthread_t thread;
	int fd;          /* the client's end */
	atomic_int done; /* the end of the replies was read */
	char *data;      /* the first FUZZ_PEER_REPLY_MAX bytes of replies */
	size_t len;
	size_t lost; /* reply bytes past FUZZ_PEER_REPLY_MAX */
};

static inline void *
fuzz_peer_read(void *arg)
{
	struct fuzz_peer *c = arg;
	char chunk[16384];
	ssize_t n;

	while ((n = read(c->fd, chunk, sizeof(chunk))) > 0) {
		size_t room = FUZZ_PEER_REPLY_MAX - c->len;
		size_t keep = (size_t)n < room ? (size_t)n : room;

		memcpy(c->data + c->len, chunk, keep);
		c->len += keep;
		c->lost += (size_t)n - keep;
	}
	atomic_store(&c->done, 1);
	return NULL;
}

/* Connect a client that has sent the first FUZZ_PEER_INPUT_MAX bytes of
 * data, then the end of its input, and reads the replies in a thread of
 * its own (so that a server that writes more than a socket holds never
 * blocks). Returns the server's end, for the code under test to use
 * and close. Never fails. */
static inline int
fuzz_peer_start(struct fuzz_peer *c, const uint8_t *data, size_t size)
{
	static char *replies;
	int sv[2];

	if (replies == NULL &&
	    (replies = malloc(FUZZ_PEER_REPLY_MAX + 1)) == NULL)
		abort();
	if (size > FUZZ_PEER_INPUT_MAX)
		size = FUZZ_PEER_INPUT_MAX;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    write(sv[0], data, size) != (ssize_t)size ||
	    shutdown(sv[0], SHUT_WR) < 0)
		abort();
	c->fd = sv[0];
	atomic_store(&c->done, 0);
	c->data = replies;
	c->len = c->lost = 0;
	if (pthread_create(&c->thread, NULL, fuzz_peer_read, c) != 0)
		abort();
	return sv[1];
}

/* 1 once the server's end is closed and every reply read. */
static inline int
fuzz_peer_closed(struct fuzz_peer *c)
{
	return atomic_load(&c->done);
}

/* Wait until the server's end is closed; then c->data holds c->len bytes
 * of replies (NUL-terminated, valid until the next fuzz_peer_start()).
 * Never fails. */
static inline void
fuzz_peer_finish(struct fuzz_peer *c)
{
	if (pthread_join(c->thread, NULL) != 0)
		abort();
	close(c->fd);
	c->data[c->len] = 0;
}

#endif
