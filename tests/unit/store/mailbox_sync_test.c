/* SPDX-License-Identifier: MIT */
/* mailbox_sync_test - an IMAP view kept up to date: new deliveries added
 * with \Recent and ascending UIDs, flag changes by another client
 * reported, expunges held back until they may be announced and then
 * given in descending order, unchanged directories not read again. */
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
#include <sys/time.h>
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

static void
sync_ok(struct mailbox *mb, int flags, struct mailbox_changes *ch)
{
	if (mailbox_sync(mb, flags, ch, err) != 0)
		fail_msg("mailbox_sync: %s", buf_cstr(err));
}

static void
test_added(void **state)
{
	struct mailbox *mb;
	struct mailbox_changes ch;

	deliver("Subject: 1\n\none\n", NULL, 0);
	mb = open_ok(0);
	assert_int_equal(mailbox_count(mb), 1);
	assert_true(mailbox_msg(mb, 0)->recent);
	sync_ok(mb, MAILBOX_SYNC_EXPUNGE, &ch);
	assert_int_equal(ch.added + ch.nexpunged + ch.nchanged, 0);
	mailbox_changes_free(&ch);

	deliver("Subject: 2\n\ntwo\n", NULL, 0);
	deliver("Subject: 3\n\nthree\n", NULL, 0);
	sync_ok(mb, 0, &ch);
	assert_int_equal(ch.added, 2);
	assert_int_equal(mailbox_count(mb), 3);
	assert_int_equal(mailbox_msg(mb, 1)->uid, 2);
	assert_int_equal(mailbox_msg(mb, 2)->uid, 3);
	assert_true(mailbox_msg(mb, 2)->recent);
	assert_int_equal(mailbox_msg(mb, 2)->vsize, 21);
	mailbox_changes_free(&ch);
	mailbox_close(&mb);

	/* Another view opened later: the messages are no longer recent. */
	mb = open_ok(0);
	assert_false(mailbox_msg(mb, 0)->recent);
	mailbox_close(&mb);
}

static void
test_flags_seen_by_other(void **state)
{
	struct mailbox *a, *b;
	struct mailbox_changes ch;
	struct mflags f;

	deliver("a\n", NULL, 0);
	deliver("b\n", NULL, 0);
	a = open_ok(0);
	b = open_ok(0);
	memset(&f, 0, sizeof(f));
	f.flags = MFLAG_FLAGGED | MFLAG_SEEN;
	f.keywords = 0x2;
	assert_int_equal(mailbox_set_flags(b, 1, &f, err), 0);
	assert_string_equal(mailbox_msg(b, 1)->name + strlen("cur/") +
		strlen(mailbox_msg(b, 1)->base),
	    ":2,FSb");
	/* Set again: nothing to rename. */
	assert_int_equal(mailbox_set_flags(b, 1, &f, err), 0);
	sync_ok(a, 0, &ch);
	assert_int_equal(ch.nchanged, 1);
	assert_int_equal(ch.changed[0], 1);
	assert_int_equal(ch.added, 0);
	mflags_parse(mailbox_msg(a, 1)->name, &f);
	assert_int_equal(f.flags, MFLAG_FLAGGED | MFLAG_SEEN);
	assert_int_equal(f.keywords, 0x2);
	mailbox_changes_free(&ch);
	/* Cleared again, from a's side; b follows the rename. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(mailbox_set_flags(a, 1, &f, err), 0);
	assert_int_equal(mailbox_add_flags(b, 1, MFLAG_DRAFT, err), 0);
	mflags_parse(mailbox_msg(b, 1)->name, &f);
	assert_int_equal(f.flags, MFLAG_DRAFT);
	mailbox_close(&a);
	mailbox_close(&b);
}

static void
test_expunge_held_back(void **state)
{
	struct mailbox *a, *b;
	struct mailbox_changes ch;
	size_t gone[] = { 1, 3 };
	int fd;

	for (int i = 0; i < 5; i++)
		deliver("m\n", NULL, 0);
	a = open_ok(0);
	b = open_ok(0);
	assert_int_equal(mailbox_expunge(b, gone, 2, err), 0);
	assert_int_equal(mailbox_add_flags(b, 4, MFLAG_SEEN, err), 0);
	deliver("late\n", NULL, 0);

	/* During FETCH: no expunge yet; the messages stay, unreadable. */
	sync_ok(a, 0, &ch);
	assert_int_equal(ch.nexpunged, 0);
	assert_int_equal(ch.added, 1);
	assert_int_equal(ch.nchanged, 1);
	assert_int_equal(ch.changed[0], 4);
	assert_int_equal(mailbox_count(a), 6);
	assert_true(mailbox_msg(a, 1)->expunged);
	assert_int_equal(mailbox_msg_open(a, 1, &fd, err), 0);
	mailbox_changes_free(&ch);

	/* Then announced, highest number first; the rest renumbered. */
	sync_ok(a, MAILBOX_SYNC_EXPUNGE, &ch);
	assert_int_equal(ch.nexpunged, 2);
	assert_int_equal(ch.expunged[0], 4);
	assert_int_equal(ch.expunged[1], 2);
	assert_int_equal(ch.nchanged, 0);
	assert_int_equal(mailbox_count(a), 4);
	assert_int_equal(mailbox_msg(a, 0)->uid, 1);
	assert_int_equal(mailbox_msg(a, 1)->uid, 3);
	assert_int_equal(mailbox_msg(a, 2)->uid, 5);
	assert_int_equal(mailbox_msg(a, 3)->uid, 6);
	mailbox_changes_free(&ch);

	/* Expunged and flagged in one look: the changed index follows. */
	gone[0] = 0;
	assert_int_equal(mailbox_expunge(b, gone, 1, err), 0);
	assert_int_equal(mailbox_add_flags(b, 4, MFLAG_FLAGGED, err), 0);
	sync_ok(a, MAILBOX_SYNC_EXPUNGE, &ch);
	assert_int_equal(ch.nexpunged, 1);
	assert_int_equal(ch.expunged[0], 1);
	assert_int_equal(ch.nchanged, 1);
	assert_int_equal(ch.changed[0], 1);
	assert_int_equal(mailbox_msg(a, 1)->uid, 5);
	mailbox_changes_free(&ch);
	mailbox_close(&a);
	mailbox_close(&b);
}

/* Set path/sub's mtime to t. */
static void
age_dir(const char *sub, time_t t)
{
	char path[PATH_MAX];
	struct timeval tv[2] = { { t, 0 }, { t, 0 } };

	snprintf(path, sizeof(path), "%s/%s", mdir, sub);
	assert_int_equal(utimes(path, tv), 0);
}

static void
test_unchanged_not_read(void **state)
{
	struct mailbox *mb;
	struct mailbox_changes ch;
	time_t old = time(NULL) - 60;

	deliver("a\n", NULL, 0);
	mb = open_ok(0);
	age_dir("cur", old);
	age_dir("new", old);
	sync_ok(mb, MAILBOX_SYNC_EXPUNGE, &ch); /* mtimes moved: a scan */
	mailbox_changes_free(&ch);
	/* A file slipped in with the mtime put back is not seen: the scan
	 * was skipped. */
	put("cur/99.M1P1.h:2,", "x\n");
	age_dir("cur", old);
	sync_ok(mb, MAILBOX_SYNC_EXPUNGE, &ch);
	assert_int_equal(ch.added, 0);
	mailbox_changes_free(&ch);
	/* A real change moves the mtime: seen. */
	deliver("b\n", NULL, 0);
	sync_ok(mb, MAILBOX_SYNC_EXPUNGE, &ch);
	assert_int_equal(ch.added, 2);
	mailbox_changes_free(&ch);
	mailbox_close(&mb);
}

/* More files than the scan's first allocation: its table must follow
 * the array as it grows (it once kept addresses into it). */
static void
test_many(void **state)
{
	struct mailbox *a, *b;
	struct mailbox_changes ch;
	size_t gone[] = { 10, 150 };
	int i;

	for (i = 0; i < 300; i++)
		deliver("m\n", NULL, 0);
	a = open_ok(0);
	b = open_ok(0);
	assert_int_equal(mailbox_count(a), 300);
	assert_int_equal(mailbox_add_flags(b, 200, MFLAG_SEEN, err), 0);
	assert_int_equal(mailbox_expunge(b, gone, 2, err), 0);
	deliver("late\n", NULL, 0);
	sync_ok(a, MAILBOX_SYNC_EXPUNGE, &ch);
	assert_int_equal(ch.nexpunged, 2);
	assert_int_equal(ch.expunged[0], 151);
	assert_int_equal(ch.expunged[1], 11);
	assert_int_equal(ch.nchanged, 1);
	assert_int_equal(ch.changed[0], 198);
	assert_int_equal(ch.added, 1);
	assert_int_equal(mailbox_count(a), 299);
	assert_int_equal(mailbox_msg(a, 298)->uid, 301);
	mailbox_changes_free(&ch);
	mailbox_close(&a);
	mailbox_close(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_added, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_seen_by_other, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expunge_held_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unchanged_not_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
