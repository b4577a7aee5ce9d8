/* local_fixture - a queue directory for local's unit tests: a temporary
 * directory made the working directory (as the daemon's is), with the
 * queue directories and one committed message moved to active/, and a
 * struct local_msg for it as qmgr's request gives it (the queue file
 * open read-write). Test code only: failures are cmocka failures. */
#ifndef TERN_LOCAL_FIXTURE_H
#define TERN_LOCAL_FIXTURE_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "queue/qfile.h"

#include "local.h"

struct local_fixture {
	char dir[256];
	char oldcwd[PATH_MAX];
	char qid[32];
};

/* Make the queue directory (mode 0755, so that a mailbox owner can pass
 * through) and queue content (a message as smtpd stores it: LF line
 * ends). 0, or -1. */
static inline int
local_fixture_setup(struct local_fixture *f, const char *name,
    const char *content)
{
	const char *tmp = getenv("TMPDIR"), *error;
	struct qfile_writer *w;
	struct timeval now;

	snprintf(f->dir, sizeof(f->dir), "%s/%s.XXXXXX", tmp ? tmp : "/tmp",
	    name);
	if (mkdtemp(f->dir) == NULL || chmod(f->dir, 0755) < 0 ||
	    getcwd(f->oldcwd, sizeof(f->oldcwd)) == NULL || chdir(f->dir) < 0 ||
	    qfile_dirs_create(".", &error) < 0 ||
	    qfile_create(".", &w, &error) < 0)
		return -1;
	gettimeofday(&now, NULL);
	if (qfile_put_time(w, now) < 0 ||
	    qfile_put_sender(w, "sender@example.org") < 0 ||
	    qfile_put_rcpt(w, "alice@example.test", NULL) < 0 ||
	    qfile_put_content(w, content, strlen(content)) < 0 ||
	    qfile_commit(w, &error) < 0) {
		qfile_abort(&w);
		return -1;
	}
	snprintf(f->qid, sizeof(f->qid), "%s", qfile_writer_id(w));
	qfile_writer_destroy(&w);
	return qfile_move(".", f->qid, "incoming", "active", &error);
}

/* Back to the old working directory; remove everything. 0, or -1. */
static inline int
local_fixture_teardown(struct local_fixture *f)
{
	char cmd[400];

	if (chdir(f->oldcwd) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* m for the fixture's message, its queue file open read-write as qmgr
 * passes it. Close m->fd (and local_msg_free) when done. */
static inline void
local_fixture_msg(const struct local_fixture *f, struct local_msg *m)
{
	char path[64];

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "active/%s", f->qid);
	m->fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(m->fd >= 0);
	m->queue_id = f->qid;
	m->sender = "sender@example.org";
	gettimeofday(&m->arrival, NULL);
}

#endif
