/* SPDX-License-Identifier: MIT */
/* qlist_test - the queue listing as mailq shows it: an empty queue, a
 * deferred message with its reason and only its undelivered recipients,
 * '!' for a message on hold, the summary line, and the JSON form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/config.h"
#include "conf/params.h"
#include "queue/qdefer.h"
#include "queue/qfile.h"
#include "queue/qlist.h"

static char qdir[200];
static char *saved_queue_dir; /* the loader's, put back before its reset */

static int
setup(void **state)
{
	const char *base = getenv("TMPDIR"), *error;

	(void)state;
	config_load_defaults();
	if (base == NULL || *base == 0 || strlen(base) > 100)
		base = "/tmp";
	snprintf(qdir, sizeof(qdir), "%s/qlist.XXXXXX", base);
	if (mkdtemp(qdir) == NULL || qfile_dirs_create(qdir, &error) < 0)
		return -1;
	saved_queue_dir = var_queue_dir;
	var_queue_dir = qdir;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	var_queue_dir = saved_queue_dir;
	config_reset();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", qdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A message from sender to a and b (b already delivered) moved to queue;
 * its queue ID into id. */
static void
queue_one(const char *queue, char *id, size_t idlen)
{
	struct qfile_writer *w;
	struct qfile *q;
	struct timeval now;
	const char *error;
	char path[300];

	assert_int_equal(qfile_create(qdir, &w, &error), 0);
	gettimeofday(&now, NULL);
	assert_int_equal(qfile_put_time(w, now), 0);
	assert_int_equal(qfile_put_sender(w, "sender@example.org"), 0);
	assert_int_equal(qfile_put_rcpt(w, "a@example.test", NULL), 0);
	assert_int_equal(qfile_put_rcpt(w, "b@example.test", NULL), 0);
	assert_int_equal(qfile_put_content(w, "Subject: x\n\nbody\n", 17), 0);
	assert_int_equal(qfile_commit(w, &error), 0);
	snprintf(id, idlen, "%s", qfile_writer_id(w));
	qfile_writer_destroy(&w);
	assert_int_equal(qfile_move(qdir, id, "incoming", queue, &error), 0);
	snprintf(path, sizeof(path), "%s/%s/%s", qdir, queue, id);
	assert_int_equal(qfile_open(path, 1, &q, &error), 0);
	assert_int_equal(qfile_mark_done(q, 1, &error), 0);
	qfile_close(&q);
}

/* The listing, in a static buffer. */
static const char *
listing(int json)
{
	static char text[8192];
	const char *error;
	FILE *f = fmemopen(text, sizeof(text), "w");

	assert_non_null(f);
	assert_int_equal(qlist_print(f, json, &error), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void
test_listing(void **state)
{
	static const char *const rcpt[] = { "a@example.test" };
	static const char *const reason[] = { "4.2.0 mailbox busy" };
	char id[64], held[64], want[600];
	const char *error, *text;

	(void)state;
	assert_string_equal(listing(0), "Mail queue is empty\n");
	queue_one("deferred", id, sizeof(id));
	assert_int_equal(qdefer_write(qdir, id, rcpt, reason, 1, &error), 0);
	queue_one("hold", held, sizeof(held));
	text = listing(0);
	assert_non_null(
	    strstr(text, "-Queue ID-  --Size-- ----Arrival Time----"));
	snprintf(want, sizeof(want), "%-10s  %8d ", id, 17);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "%-10s! %8d ", held, 17);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text,
	    "(4.2.0 mailbox busy)\n"
	    "                                         "
	    "a@example.test\n"));
	assert_null(strstr(text, "b@example.test")); /* delivered */
	assert_non_null(strstr(text, "-- 1 Kbytes in 2 Requests.\n"));
	text = listing(1);
	snprintf(want, sizeof(want),
	    "{\"queue_name\": \"deferred\", \"queue_id\": \"%s\"", id);
	assert_non_null(strstr(text, want));
	assert_non_null(
	    strstr(text, "\"delay_reason\": \"4.2.0 mailbox busy\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_listing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
