/* SPDX-License-Identifier: MIT */
/* mailbox_index_test - a folder that has not changed since a settled look
 * opens from tern-index, with the same view a scan makes; any change to
 * cur/, new/ or dovecot-uidlist, a damaged file, a look in the same clock
 * tick as a change, or a size POP3 needs and the index lacks, and the
 * folder is scanned instead. Whether the index was used is seen by a
 * file slipped into cur/ with the directory's mtime put back: a scan
 * finds it, the index does not. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/mailbox.h"
#include "store/maildir.h"
#include "store/mflags.h"
#include "store/uidlist.h"
#include "util/buf.h"
#include "util/mem.h"

#include "mailbox_fixture.h"

#define SLIPPED "cur/99.M1P1.slipped:2,"

/* Set rel's mtime (and atime) to t, whole seconds. */
static void
set_mtime(const char *rel, time_t t)
{
	char path[PATH_MAX];
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	snprintf(path, sizeof(path), "%s/%s", mdir, rel);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* What a settled look needs: cur/, new/ and the list a minute old. */
static void
age_all(time_t t)
{
	set_mtime("cur", t);
	set_mtime("new", t);
	set_mtime(UIDLIST_FILE, t);
}

static int
index_exists(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", mdir, "tern-index");
	return access(path, F_OK) == 0;
}

static void
remove_index(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", mdir, "tern-index");
	assert_int_equal(unlink(path), 0);
}

/* Put a file into cur/ behind the folder's back (cur/'s mtime put back
 * to t): a scan finds it, a view from the index does not. */
static void
slip_in(time_t t)
{
	put(SLIPPED, "slipped\n");
	set_mtime("cur", t);
}

/* Three messages, the first flagged \Seen, and a settled look that wrote
 * the index. */
static time_t
indexed_folder(void)
{
	time_t old = time(NULL) - 60;
	struct mailbox *mb;

	deliver("Subject: 1\n\none\n", NULL, 0);
	deliver("Subject: 2\n\ntwo\n", NULL, 0);
	deliver("Subject: 3\n\nthree\n", NULL, 0);
	mb = open_ok(0); /* moves new/ to cur/, gives UIDs: no index */
	assert_int_equal(mailbox_add_flags(mb, 0, MFLAG_SEEN, err), 0);
	mailbox_close(&mb);
	assert_false(index_exists());
	age_all(old);
	mb = open_ok(MAILBOX_LAZY_VSIZE); /* settled: writes it */
	assert_int_equal(mailbox_count(mb), 3);
	mailbox_close(&mb);
	assert_true(index_exists());
	return old;
}

static void
test_same_view(void **state)
{
	struct mailbox *a, *b;
	time_t old;
	size_t i;

	(void)state;
	old = indexed_folder();
	remove_index();
	a = open_ok(MAILBOX_LAZY_VSIZE); /* a scan, which writes it again */
	assert_true(index_exists());
	slip_in(old);
	b = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_count(b), 3); /* the index's view */
	assert_int_equal(mailbox_uidvalidity(b), mailbox_uidvalidity(a));
	assert_int_equal(mailbox_uidnext(b), mailbox_uidnext(a));
	for (i = 0; i < 3; i++) {
		const struct mailbox_msg *x = mailbox_msg(a, i);
		const struct mailbox_msg *y = mailbox_msg(b, i);

		assert_int_equal(x->uid, y->uid);
		assert_string_equal(x->base, y->base);
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->vsize, y->vsize);
		assert_false(y->recent);
	}
	assert_non_null(strstr(mailbox_msg(b, 0)->name, ":2,S"));
	/* The view works as a scanned one: a message reads, flags change. */
	assert_int_equal(mailbox_msg_vsize(b, 2, err), 1);
	assert_int_equal(mailbox_msg(b, 2)->vsize, 21);
	assert_int_equal(mailbox_add_flags(b, 1, MFLAG_FLAGGED, err), 0);
	mailbox_close(&a);
	mailbox_close(&b);
	/* cur/ changed (the flag): scanned again, the slipped file seen. */
	b = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_count(b), 4);
	mailbox_close(&b);
}

/* A delivery, a flag set by another program, an expunge, a list written
 * again: each is seen at the next open. */
static void
test_changes_seen(void **state)
{
	struct mailbox *mb;
	char from[PATH_MAX], to[PATH_MAX];
	time_t old;

	(void)state;
	old = indexed_folder();
	deliver("Subject: 4\n\nfour\n", NULL, 0);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_count(mb), 4);
	assert_true(mailbox_msg(mb, 3)->recent);
	mailbox_close(&mb);

	age_all(old);
	mb = open_ok(MAILBOX_LAZY_VSIZE); /* index again */
	snprintf(from, sizeof(from), "%s/%s", mdir, mailbox_msg(mb, 1)->name);
	snprintf(to, sizeof(to), "%s/cur/%s:2,T", mdir,
	    mailbox_msg(mb, 1)->base);
	mailbox_close(&mb);
	assert_int_equal(rename(from, to), 0);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_non_null(strstr(mailbox_msg(mb, 1)->name, ":2,T"));
	mailbox_close(&mb);

	age_all(old);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	mailbox_close(&mb);
	assert_int_equal(unlink(to), 0);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_count(mb), 3);
	mailbox_close(&mb);

	/* The list replaced with its own text (a new file, the mtime put
	 * back): not the list the index was made with. */
	age_all(old);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	mailbox_close(&mb);
	snprintf(from, sizeof(from), "%s/%s", mdir, UIDLIST_FILE);
	snprintf(to, sizeof(to), "%s/%s.copy", mdir, UIDLIST_FILE);
	put(UIDLIST_FILE ".copy", get(UIDLIST_FILE));
	assert_int_equal(rename(to, from), 0);
	set_mtime(UIDLIST_FILE, old);
	slip_in(old);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_count(mb), 4);
	mailbox_close(&mb);
}

/* A damaged index is not used, nor one cut short; a settled scan
 * writes a good one again. */
static void
test_damaged(void **state)
{
	struct mailbox *mb;
	char text[8192];
	time_t old;
	size_t n;

	(void)state;
	old = indexed_folder();
	n = strlen(get("tern-index"));
	assert_true(n < sizeof(text));
	memcpy(text, get("tern-index"), n + 1);
	text[n - 3] ^= 1; /* a byte of the last name */
	put("tern-index", text);
	slip_in(old);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_count(mb), 4);
	mailbox_close(&mb);

	age_all(old);
	mb = open_ok(MAILBOX_LAZY_VSIZE); /* settled: a good index */
	mailbox_close(&mb);
	put("cur/98.M1P1.second:2,", "x\n");
	set_mtime("cur", old);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_count(mb), 4); /* from the index */
	mailbox_close(&mb);

	n = strlen(get("tern-index"));
	memcpy(text, get("tern-index"), n + 1);
	text[n / 2] = 0;
	put("tern-index", text);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_count(mb), 5);
	mailbox_close(&mb);
}

/* A look in the tick of a change writes no index. */
static void
test_unsettled(void **state)
{
	struct mailbox *mb;
	struct timespec ts[2];
	char path[PATH_MAX];

	(void)state;
	deliver("a\n", NULL, 0);
	mb = open_ok(0);
	mailbox_close(&mb);
	put("cur/2.M2P2.h:2,", "b\n");
	mb = open_ok(0); /* gives it a UID */
	mailbox_close(&mb);
	set_mtime(UIDLIST_FILE, time(NULL) - 60);
	set_mtime("new", time(NULL) - 60);
	/* cur/ changed in the tick of the look (fine-grained times). */
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts[0]), 0);
	ts[0].tv_nsec = 1;
	ts[0].tv_sec++;
	ts[1] = ts[0];
	snprintf(path, sizeof(path), "%s/cur", mdir);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_count(mb), 2);
	mailbox_close(&mb);
	assert_false(index_exists());
}

/* POP3 needs every size: an index that lacks one is not used (the scan
 * counts it); IMAP's lazy view takes it as unknown. */
static void
test_sizes_pop3(void **state)
{
	struct mailbox *mb;
	time_t old = time(NULL) - 60;

	(void)state;
	make_maildir();
	put("cur/1.A.h:2,S", "a\nb\n");
	mb = open_ok(MAILBOX_LAZY_VSIZE); /* writes the list */
	mailbox_close(&mb);
	age_all(old);
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	mailbox_close(&mb);
	assert_true(index_exists());
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_msg(mb, 0)->vsize, -1);
	mailbox_close(&mb);
	mb = open_ok(MAILBOX_POP3_LOCK);
	assert_int_equal(mailbox_msg(mb, 0)->vsize, 6);
	mailbox_close(&mb);
}

/* A view opened from the index follows the folder as a scanned one does:
 * a delivery after the open is added at the next sync. */
static void
test_sync_after_index(void **state)
{
	struct mailbox *mb;
	struct mailbox_changes ch;

	(void)state;
	(void)indexed_folder();
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	if (mailbox_sync(mb, MAILBOX_SYNC_EXPUNGE, &ch, err) != 0)
		fail_msg("mailbox_sync: %s", buf_cstr(err));
	assert_int_equal(ch.added + ch.nexpunged + ch.nchanged, 0);
	mailbox_changes_free(&ch);
	deliver("Subject: 4\n\nfour\n", NULL, 0);
	if (mailbox_sync(mb, MAILBOX_SYNC_EXPUNGE, &ch, err) != 0)
		fail_msg("mailbox_sync: %s", buf_cstr(err));
	assert_int_equal(ch.added, 1);
	assert_int_equal(mailbox_count(mb), 4);
	assert_int_equal(mailbox_msg(mb, 3)->uid, 4);
	mailbox_changes_free(&ch);
	mailbox_close(&mb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_view, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_changes_seen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsettled, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sizes_pop3, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sync_after_index, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
