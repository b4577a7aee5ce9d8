/* maildir_fixture - a temporary Maildir for the store's unit tests: a
 * fresh directory under /tmp for each test (mdir, not yet made: the code
 * under test makes it), an error buffer, and files written and read by
 * their path in the Maildir. Include it after cmocka.h; test code only:
 * failures are cmocka failures. */
#ifndef TERN_MAILDIR_FIXTURE_H
#define TERN_MAILDIR_FIXTURE_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"

static char top[64];
static char mdir[128];
static struct buf *err;

/* Make /tmp/<prefix>XXXXXX and name mdir in it (a new name each test).
 * 0, or -1. */
static inline int
fixture_setup(const char *prefix)
{
	static int n;

	snprintf(top, sizeof(top), "/tmp/%sXXXXXX", prefix);
	if (mkdtemp(top) == NULL)
		return -1;
	snprintf(mdir, sizeof(mdir), "%s/Maildir%d", top, ++n);
	err = buf_create(1024);
	return 0;
}

/* Remove the directory and what is in it. 0, or -1. */
static inline int
fixture_teardown(void)
{
	char cmd[128];

	buf_destroy(&err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write text into <mdir>/<rel>. */
static inline void
put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	int fd;

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", mdir, rel) <
	    sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* <mdir>/<rel>'s text (its first 8 KiB, in a static buffer), or NULL. */
static inline const char *
get(const char *rel)
{
	static char text[8192];
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", mdir, rel) <
	    sizeof(path));
	if ((fd = open(path, O_RDONLY)) < 0)
		return NULL;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n >= 0);
	text[n] = 0;
	return text;
}

#endif
