/* fuzz_util - what several harnesses need: a private scratch directory and
 * a file in it holding the input, for parsers that read a path or an fd;
 * main.cf settings for a daemon's code; a client on a socket pair that
 * sends the input to a server under test and collects its replies.
 * Everything here is for libFuzzer harnesses only: a failed system call
 * aborts the run (it is the machine, not the input). */
#ifndef TERN_FUZZ_UTIL_H
#define TERN_FUZZ_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conf/config.h"
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

/* An empty main.cf in the scratch directory, loaded with
 * queue_directory there and the "name = value" settings (NULL-ended)
 * over it, for a daemon's code under test. Returns libFuzzer's working
 * directory, open (for fchdir back after a run in the scratch one, so
 * that its artifacts land where it expects). Never fails. */
static inline int
fuzz_config(const char *const *settings)
{
	const char *dir = fuzz_dir(), *error = "";
	char setting[600];
	int cwd;

	(void)fuzz_file("main.cf", NULL, 0);
	if ((cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		abort();
	if ((size_t)snprintf(setting, sizeof(setting), "queue_directory = %s",
		dir) >= sizeof(setting) ||
	    config_override(setting, &error) < 0)
		goto fail;
	for (; *settings != NULL; settings++)
		if (config_override(*settings, &error) < 0)
			goto fail;
	if (config_load(dir, &error) < 0)
		goto fail;
	return cwd;
fail:
	fprintf(stderr, "fuzz_config: %s\n", error);
	abort();
}

/* A client that sends input and reads the replies, for a server under
 * test on a socket pair. The most input it sends: a socket holds this
 * much without a reader (Linux: about 200 KiB). */
#define FUZZ_PEER_INPUT_MAX 60000
/* What it keeps of the replies. */
#define FUZZ_PEER_REPLY_MAX (1024 * 1024)

struct fuzz_peer {
	int fd;     /* the client's end */
	char *data; /* the first FUZZ_PEER_REPLY_MAX bytes of replies */
	size_t len;
	size_t lost; /* reply bytes past FUZZ_PEER_REPLY_MAX */
};

/* One reader thread for the whole run, which reads the replies of
 * *fuzz_peer_now from a post of fuzz_peer_go on: only what has come
 * every FUZZ_PEER_TICK_NS while the server runs (a wakeup at every
 * reply would cost more than most sessions), then, from a post of
 * fuzz_peer_stop, everything to the end; then it posts fuzz_peer_end. */
#define FUZZ_PEER_TICK_NS 2000000
static sem_t fuzz_peer_go, fuzz_peer_stop, fuzz_peer_end;
static struct fuzz_peer *fuzz_peer_now;

/* Read what c's server has written: all of it (wait for the end), or
 * only what has come (when nowait). */
static inline void
fuzz_peer_drain(struct fuzz_peer *c, int nowait)
{
	char chunk[16384];
	ssize_t n;

	while ((n = recv(c->fd, chunk, sizeof(chunk),
		    nowait ? MSG_DONTWAIT : 0)) > 0) {
		size_t room = FUZZ_PEER_REPLY_MAX - c->len;
		size_t keep = (size_t)n < room ? (size_t)n : room;

		memcpy(c->data + c->len, chunk, keep);
		c->len += keep;
		c->lost += (size_t)n - keep;
	}
}

static inline void *
fuzz_peer_read(void *arg)
{
	(void)arg;
	for (;;) {
		struct timespec tick;

		while (sem_wait(&fuzz_peer_go) < 0)
			;
		for (;;) {
			if (clock_gettime(CLOCK_REALTIME, &tick) < 0)
				abort();
			tick.tv_nsec += FUZZ_PEER_TICK_NS;
			if (tick.tv_nsec >= 1000000000) {
				tick.tv_sec++;
				tick.tv_nsec -= 1000000000;
			}
			if (sem_timedwait(&fuzz_peer_stop, &tick) == 0)
				break;
			fuzz_peer_drain(fuzz_peer_now, 1);
		}
		fuzz_peer_drain(fuzz_peer_now, 0);
		sem_post(&fuzz_peer_end);
	}
	return NULL;
}

/* Connect a client that has sent the first FUZZ_PEER_INPUT_MAX bytes of
 * data, then the end of its input, and reads the replies in a thread of
 * its own (so that a server that writes more than a socket holds never
 * blocks for long). Returns the server's end, for the code under test to
 * use and close. Never fails. */
static inline int
fuzz_peer_start(struct fuzz_peer *c, const uint8_t *data, size_t size)
{
	static char *replies;
	pthread_t reader;
	int sv[2];

	if (replies == NULL) {
		if ((replies = malloc(FUZZ_PEER_REPLY_MAX + 1)) == NULL ||
		    sem_init(&fuzz_peer_go, 0, 0) < 0 ||
		    sem_init(&fuzz_peer_stop, 0, 0) < 0 ||
		    sem_init(&fuzz_peer_end, 0, 0) < 0 ||
		    pthread_create(&reader, NULL, fuzz_peer_read, NULL) != 0 ||
		    pthread_detach(reader) != 0)
			abort();
	}
	if (size > FUZZ_PEER_INPUT_MAX)
		size = FUZZ_PEER_INPUT_MAX;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    write(sv[0], data, size) != (ssize_t)size ||
	    shutdown(sv[0], SHUT_WR) < 0)
		abort();
	c->fd = sv[0];
	c->data = replies;
	c->len = c->lost = 0;
	fuzz_peer_now = c;
	sem_post(&fuzz_peer_go);
	return sv[1];
}

/* 1 once the server has closed its end (the replies may be unread). */
static inline int
fuzz_peer_closed(struct fuzz_peer *c)
{
	struct pollfd p = { .fd = c->fd, .events = 0 };

	/* Both directions shut (ours at the start): POLLHUP. */
	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP);
}

/* After the server closed its end: read the rest of the replies; then
 * c->data holds c->len bytes (NUL-terminated, valid until the next
 * fuzz_peer_start()). Never fails. */
static inline void
fuzz_peer_finish(struct fuzz_peer *c)
{
	sem_post(&fuzz_peer_stop);
	while (sem_wait(&fuzz_peer_end) < 0)
		;
	close(c->fd);
	c->data[c->len] = 0;
}

/* After fuzz_peer_finish: 1 when the replies start (end) with text. */
static inline int
fuzz_peer_starts(const struct fuzz_peer *c, const char *text)
{
	return strncmp(c->data, text, strlen(text)) == 0;
}

static inline int
fuzz_peer_ends(const struct fuzz_peer *c, const char *text)
{
	size_t n = strlen(text);

	return c->len >= n && memcmp(c->data + c->len - n, text, n) == 0;
}

#endif
