/* SPDX-License-Identifier: MIT */
/* mailbox_test - a Maildir as POP3 sees it: new/ moved to cur/, UIDs kept
 * in dovecot-uidlist and never reused, sizes on the wire, the POP3 lock,
 * files found again after a rename, damaged lists rebuilt. */
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
test_new_to_cur(void **state)
{
	struct mailbox *mb;
	const struct mailbox_msg *m;
	char name[256], want[300];

	/* Delivered by hand (no ,W=) and by local; the first is older. */
	make_maildir();
	put("new/1000.M1P1.host", "old\n");
	deliver("Subject: x\n\nhi\n", name, sizeof(name));
	mb = open_ok(0);
	assert_int_equal(count_entries("new"), 0);
	assert_int_equal(count_entries("cur"), 2);
	assert_non_null(get("cur/1000.M1P1.host:2,"));
	snprintf(want, sizeof(want), "cur/%s:2,", name);
	assert_non_null(get(want));
	assert_int_equal(mailbox_count(mb), 2);
	m = mailbox_msg(mb, 0);
	assert_int_equal(m->uid, 1);
	assert_string_equal(m->base, "1000.M1P1.host");
	assert_string_equal(m->name, "cur/1000.M1P1.host:2,");
	assert_int_equal(m->size, 4);
	assert_int_equal(m->vsize, 5); /* counted, and kept in the list */
	m = mailbox_msg(mb, 1);
	assert_int_equal(m->uid, 2);
	assert_string_equal(m->base, name);
	assert_string_equal(m->name, want);
	assert_int_equal(m->size, 15);
	assert_int_equal(m->vsize, 18); /* from ,W= */
	assert_null(mailbox_msg(mb, 2));
	assert_true(mailbox_uidvalidity(mb) + 5 >= (uint32_t)time(NULL));
	/* W only where the name has none, as Dovecot writes it. */
	snprintf(want, sizeof(want), "1 W5 :1000.M1P1.host\n2 :%s\n", name);
	assert_non_null(strstr(get(UIDLIST_FILE), want));
	mailbox_close(&mb);
	assert_null(mb);
	mailbox_close(&mb);

	/* Seen by the client: ":2,S". Nothing else changes. */
	put("new/2000.M2P2.host", "new\r\n");
	mb = open_ok(MAILBOX_SEEN);
	assert_non_null(get("cur/2000.M2P2.host:2,S"));
	assert_int_equal(mailbox_count(mb), 3);
	assert_int_equal(mailbox_msg(mb, 2)->uid, 3);
	assert_int_equal(mailbox_msg(mb, 2)->vsize, 5);
	assert_string_equal(mailbox_msg(mb, 0)->name, "cur/1000.M1P1.host:2,");
	mailbox_close(&mb);
}

static void
test_sizes(void **state)
{
	static const struct {
		const char *name, *text;
		off_t size, vsize;
	} cases[] = {
		{ "1.A.h", "a\nb\r\nc\r", 7, 8 }, { "2.B.h", "", 0, 0 },
		{ "3.C.h", "\n\n", 2, 4 },
		{ "4.D.h,S=2,W=99", "xx", 2, 99 }, /* the name is trusted */
		{ "5.E.h,W=x", "x\n", 2, 3 },      /* a bad W is not */
	};
	struct mailbox *mb;
	char rel[64];
	size_t i;

	make_maildir();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(rel, sizeof(rel), "cur/%s:2,S", cases[i].name);
		put(rel, cases[i].text);
	}
	mb = open_ok(0);
	assert_int_equal(mailbox_count(mb), 5);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mailbox_msg *m = mailbox_msg(mb, i);

		assert_int_equal(m->uid, i + 1);
		assert_int_equal(m->size, cases[i].size);
		assert_int_equal(m->vsize, cases[i].vsize);
	}
	mailbox_close(&mb);
	/* Counted once: the list has them now, so a changed file is not
	 * read again (the list's W wins). */
	put("cur/1.A.h:2,S", "changed");
	mb = open_ok(0);
	assert_int_equal(mailbox_msg(mb, 0)->vsize, 8);
	mailbox_close(&mb);
}

/* MAILBOX_LAZY_VSIZE: unknown sizes stay -1 until asked for, are
 * counted then, and are not written to the list (a later eager open
 * counts them itself). */
static void
test_lazy_sizes(void **state)
{
	struct mailbox *mb;

	(void)state;
	make_maildir();
	put("cur/1.A.h:2,S", "a\nb\n");
	put("cur/2.B.h,S=2,W=3:2,S", "x\n");
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_msg(mb, 0)->vsize, -1);
	assert_int_equal(mailbox_msg(mb, 1)->vsize, 3); /* from ,W= */
	assert_int_equal(mailbox_msg_vsize(mb, 0, err), 1);
	assert_int_equal(mailbox_msg(mb, 0)->vsize, 6);
	mailbox_msg_set_vsize(mb, 1, 7);
	assert_int_equal(mailbox_msg(mb, 1)->vsize, 3); /* known: kept */
	assert_int_equal(mailbox_msg_vsize(mb, 5, err), -1);
	mailbox_close(&mb);
	/* Not kept in the list: an eager open counts it (and keeps it). */
	put("cur/1.A.h:2,S", "changed\n");
	mb = open_ok(0);
	assert_int_equal(mailbox_msg(mb, 0)->vsize, 9);
	mailbox_close(&mb);
	/* mailbox_save_sizes keeps what was counted lazily. */
	put("cur/3.C.h:2,S", "a\n");
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_msg(mb, 2)->vsize, -1);
	assert_int_equal(mailbox_save_sizes(mb, err), 0); /* none counted */
	assert_int_equal(mailbox_msg_vsize(mb, 2, err), 1);
	assert_int_equal(mailbox_save_sizes(mb, err), 0);
	mailbox_close(&mb);
	put("cur/3.C.h:2,S", "a longer text\n");
	mb = open_ok(MAILBOX_LAZY_VSIZE);
	assert_int_equal(mailbox_msg(mb, 2)->vsize, 3); /* the list's */
	mailbox_close(&mb);
}

/* MAILBOX_KEEP_NEW: a look that leaves new/ alone (IMAP STATUS). */
static void
test_keep_new(void **state)
{
	struct mailbox *mb;
	char path[300];

	(void)state;
	make_maildir();
	put("new/1.A.h", "a\n");
	mb = open_ok(MAILBOX_KEEP_NEW);
	assert_int_equal(mailbox_count(mb), 1);
	assert_int_equal(mailbox_msg(mb, 0)->uid, 1);
	assert_int_equal(mailbox_msg(mb, 0)->recent, 1);
	mailbox_close(&mb);
	snprintf(path, sizeof(path), "%s/new/1.A.h", mdir);
	assert_int_equal(access(path, F_OK), 0);
	mb = open_ok(0); /* moves it, with the same UID */
	assert_int_equal(mailbox_msg(mb, 0)->uid, 1);
	assert_int_equal(mailbox_msg(mb, 0)->recent, 1);
	assert_string_equal(mailbox_msg(mb, 0)->name, "cur/1.A.h:2,");
	mailbox_close(&mb);
	assert_int_equal(access(path, F_OK), -1);
}

static void
test_uids_never_reused(void **state)
{
	struct mailbox *mb;
	size_t idx[2];
	uint32_t v;
	char n1[256];
	int fd;

	make_maildir();
	put("new/1.A.h", "1\n");
	put("new/2.B.h", "2\n");
	put("new/3.C.h", "3\n");
	mb = open_ok(MAILBOX_POP3_LOCK);
	v = mailbox_uidvalidity(mb);
	assert_int_equal(mailbox_count(mb), 3);
	/* The last and the first go. */
	idx[0] = 2;
	idx[1] = 0;
	assert_int_equal(mailbox_expunge(mb, idx, 2, err), 0);
	assert_int_equal(count_entries("cur"), 1);
	/* The snapshot keeps its numbers; the expunged are gone. */
	assert_int_equal(mailbox_count(mb), 3);
	assert_int_equal(mailbox_msg_open(mb, 0, &fd, err), 0);
	assert_int_equal(mailbox_msg_open(mb, 1, &fd, err), 1);
	close(fd);
	mailbox_close(&mb);
	assert_string_equal(strchr(get(UIDLIST_FILE), '\n'), "\n2 W3 :2.B.h\n");

	/* A new arrival gets 4, never 1 or 3. */
	deliver("4\n", n1, sizeof(n1));
	mb = open_ok(MAILBOX_POP3_LOCK);
	assert_int_equal(mailbox_uidvalidity(mb), v);
	assert_int_equal(mailbox_count(mb), 2);
	assert_int_equal(mailbox_msg(mb, 0)->uid, 2);
	assert_int_equal(mailbox_msg(mb, 1)->uid, 4);
	assert_string_equal(mailbox_msg(mb, 1)->base, n1);
	mailbox_close(&mb);

	/* A file deleted behind our back: its record goes too. */
	put("cur/9.Z.h:2,", "9\n");
	mb = open_ok(0);
	assert_int_equal(mailbox_msg(mb, 2)->uid, 5);
	mailbox_close(&mb);
	snprintf(n1, sizeof(n1), "%s/cur/9.Z.h:2,", mdir);
	assert_int_equal(unlink(n1), 0);
	mb = open_ok(0);
	assert_int_equal(mailbox_count(mb), 2);
	mailbox_close(&mb);
	assert_null(strstr(get(UIDLIST_FILE), "9.Z.h"));
	assert_non_null(strstr(get(UIDLIST_FILE), " N6 "));
}

static void
test_in_use(void **state)
{
	struct mailbox *a, *b = NULL, *c;

	a = open_ok(MAILBOX_POP3_LOCK);
	/* A second session, here in the same process: a separate open file
	 * description, so the flock conflicts. */
	assert_int_equal(mailbox_open(mdir, MAILBOX_POP3_LOCK, &b, err),
	    MAILBOX_IN_USE);
	assert_null(b);
	assert_non_null(strstr(buf_cstr(err), "in use"));
	/* Not a POP3 session: no conflict. */
	c = open_ok(0);
	mailbox_close(&c);
	mailbox_close(&a);
	b = open_ok(MAILBOX_POP3_LOCK);
	mailbox_close(&b);
}

static void
test_renamed(void **state)
{
	struct mailbox *mb;
	char path[PATH_MAX], to[PATH_MAX], text[16];
	size_t idx = 0;
	int fd;

	make_maildir();
	put("cur/1.A.h:2,", "one\n");
	put("cur/2.B.h:2,", "two\n");
	mb = open_ok(0);
	/* Another client sets flags: the file is found again. */
	snprintf(path, sizeof(path), "%s/cur/1.A.h:2,", mdir);
	snprintf(to, sizeof(to), "%s/cur/1.A.h:2,RS", mdir);
	assert_int_equal(rename(path, to), 0);
	assert_int_equal(mailbox_msg_open(mb, 0, &fd, err), 1);
	assert_int_equal(read(fd, text, sizeof(text)), 4);
	assert_memory_equal(text, "one\n", 4);
	close(fd);
	assert_string_equal(mailbox_msg(mb, 0)->name, "cur/1.A.h:2,RS");
	/* Moved back to new/ even. */
	snprintf(path, sizeof(path), "%s/new/1.A.h", mdir);
	assert_int_equal(rename(to, path), 0);
	assert_int_equal(mailbox_msg_open(mb, 0, &fd, err), 1);
	close(fd);
	assert_string_equal(mailbox_msg(mb, 0)->name, "new/1.A.h");
	/* Renamed, then expunged by us: found and removed. */
	snprintf(to, sizeof(to), "%s/cur/1.A.h:2,T", mdir);
	assert_int_equal(rename(path, to), 0);
	assert_int_equal(mailbox_expunge(mb, &idx, 1, err), 0);
	assert_int_equal(count_entries("cur"), 1);
	assert_int_equal(mailbox_msg_open(mb, 0, &fd, err), 0);
	/* Expunged by another session: already gone is fine. */
	snprintf(path, sizeof(path), "%s/cur/2.B.h:2,", mdir);
	assert_int_equal(unlink(path), 0);
	idx = 1;
	assert_int_equal(mailbox_expunge(mb, &idx, 1, err), 0);
	assert_int_equal(mailbox_msg_open(mb, 1, &fd, err), 0);
	assert_int_equal(mailbox_msg_open(mb, 2, &fd, err), -1);
	mailbox_close(&mb);
	assert_string_equal(strchr(get(UIDLIST_FILE), '\n'), "\n");
}

/* \Seen and friends: the file renamed with the flag, once; one renamed
 * by another client keeps that client's flags; one expunged meanwhile
 * needs nothing. */
static void
test_add_flags(void **state)
{
	struct mailbox *mb;
	char path[PATH_MAX], to[PATH_MAX];

	(void)state;
	make_maildir();
	put("cur/1.A.h:2,", "one\n");
	put("cur/2.B.h:2,", "two\n");
	mb = open_ok(0);
	assert_int_equal(mailbox_add_flags(mb, 0, MFLAG_SEEN, err), 0);
	assert_string_equal(mailbox_msg(mb, 0)->name, "cur/1.A.h:2,S");
	assert_string_equal(get("cur/1.A.h:2,S"), "one\n");
	assert_int_equal(mailbox_add_flags(mb, 0, MFLAG_SEEN, err), 0);
	assert_int_equal(count_entries("cur"), 2);
	snprintf(path, sizeof(path), "%s/cur/2.B.h:2,", mdir);
	snprintf(to, sizeof(to), "%s/cur/2.B.h:2,Fa", mdir);
	assert_int_equal(rename(path, to), 0);
	assert_int_equal(mailbox_add_flags(mb, 1, MFLAG_SEEN, err), 0);
	assert_string_equal(mailbox_msg(mb, 1)->name, "cur/2.B.h:2,FSa");
	assert_non_null(get("cur/2.B.h:2,FSa"));
	snprintf(path, sizeof(path), "%s/cur/1.A.h:2,S", mdir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mailbox_add_flags(mb, 0, MFLAG_SEEN | MFLAG_FLAGGED,
			     err),
	    0);
	assert_int_equal(mailbox_add_flags(mb, 2, MFLAG_SEEN, err), -1);
	mailbox_close(&mb);
}

static void
test_damaged_rebuilt(void **state)
{
	struct mailbox *mb;
	uint32_t now = (uint32_t)time(NULL);

	make_maildir();
	put("cur/1.A.h:2,", "one\n");
	put("cur/2.B.h:2,", "two\n");
	/* The header reads (V in the future), a record does not: a new
	 * UIDVALIDITY above the old one, UIDs from 1, the mailbox GUID
	 * kept. */
	put(UIDLIST_FILE,
	    "3 V4000000000 N50 G6d1f0a2c3b4e5f60718293a4b5c6d7e8\n"
	    "7 :1.A.h\nbroken\n");
	mb = open_ok(0);
	assert_int_equal(mailbox_uidvalidity(mb), 4000000001u);
	assert_int_equal(mailbox_msg(mb, 0)->uid, 1);
	assert_int_equal(mailbox_msg(mb, 1)->uid, 2);
	mailbox_close(&mb);
	assert_non_null(strstr(get(UIDLIST_FILE),
	    "3 V4000000001 N3 G6d1f0a2c3b4e5f60718293a4b5c6d7e8\n"));

	/* Nothing readable: the time. */
	put(UIDLIST_FILE, "garbage");
	mb = open_ok(0);
	assert_true(mailbox_uidvalidity(mb) >= now &&
	    mailbox_uidvalidity(mb) <= now + 5);
	mailbox_close(&mb);
}

static void
test_stale_lock(void **state)
{
	struct timeval old[2] = { { 0, 0 }, { 0, 0 } };
	struct mailbox *mb;
	char path[PATH_MAX];

	make_maildir();
	put("new/1.A.h", "one\n");
	/* A writer died holding the list's lock long ago. */
	put(UIDLIST_LOCK, "3 V1 N1\n");
	snprintf(path, sizeof(path), "%s/%s", mdir, UIDLIST_LOCK);
	old[0].tv_sec = old[1].tv_sec = time(NULL) - UIDLIST_STALE_LOCK - 5;
	assert_int_equal(utimes(path, old), 0);
	mb = open_ok(0);
	assert_int_equal(mailbox_count(mb), 1);
	mailbox_close(&mb);
	assert_null(get(UIDLIST_LOCK));
	assert_non_null(strstr(get(UIDLIST_FILE), "1 W5 :1.A.h\n"));
}

/* A Maildir that Dovecot kept: its UIDs, extensions and header stay. */
static void
test_dovecot_list(void **state)
{
	struct mailbox *mb;
	const char *list = "3 V1733450000 N9 "
			   "G6d1f0a2c3b4e5f60718293a4b5c6d7e8 Zx\n"
			   "3 G0f1e2d3c4b5a69788796a5b4c3d2e1f0 W1234 "
			   ":1733450000.M1P1.h,S=4\n"
			   "8 :1733450001.M1P1.h,S=4,W=5\n";

	make_maildir();
	put(UIDLIST_FILE, list);
	put("cur/1733450000.M1P1.h,S=4:2,S", "abc\n");
	put("cur/1733450001.M1P1.h,S=4,W=5:2,", "def\n");
	mb = open_ok(0);
	assert_int_equal(mailbox_uidvalidity(mb), 1733450000);
	assert_int_equal(mailbox_count(mb), 2);
	assert_int_equal(mailbox_msg(mb, 0)->uid, 3);
	assert_int_equal(mailbox_msg(mb, 0)->vsize, 1234); /* the list's */
	assert_int_equal(mailbox_msg(mb, 1)->uid, 8);
	mailbox_close(&mb);
	/* Nothing to change: not written. */
	assert_string_equal(get(UIDLIST_FILE), list);
	put("new/1733450002.M1P1.h", "ghi\n");
	mb = open_ok(0);
	assert_int_equal(mailbox_msg(mb, 2)->uid, 9);
	mailbox_close(&mb);
	assert_string_equal(get(UIDLIST_FILE),
	    "3 V1733450000 N10 G6d1f0a2c3b4e5f60718293a4b5c6d7e8 Zx\n"
	    "3 G0f1e2d3c4b5a69788796a5b4c3d2e1f0 W1234 "
	    ":1733450000.M1P1.h,S=4\n"
	    "8 :1733450001.M1P1.h,S=4,W=5\n"
	    "9 W5 :1733450002.M1P1.h\n");
}

/* Two files of one base (a crash between a flag change's link and
 * unlink, or a copy by hand): one message, of whichever came first. */
static void
test_duplicate_base(void **state)
{
	struct mailbox *mb;

	(void)state;
	make_maildir();
	put("cur/1.A.h:2,S", "a\n");
	put("cur/1.A.h:2,FS", "a\n");
	put("cur/2.B.h:2,", "b\n");
	mb = open_ok(0);
	assert_int_equal(mailbox_count(mb), 2);
	assert_string_equal(mailbox_msg(mb, 0)->base, "1.A.h");
	assert_string_equal(mailbox_msg(mb, 1)->base, "2.B.h");
	assert_true(mailbox_msg(mb, 0)->uid < mailbox_msg(mb, 1)->uid);
	mailbox_close(&mb);
}

/* A first look gives UIDs in delivery order: the name's seconds, its
 * microseconds (",M"), then the name; names whose fields are out of the
 * usual range (microseconds of a million or more, seconds past 10^13)
 * keep that order too. Enough files that the linear sort is used. */
static void
test_delivery_order(void **state)
{
	static const char *const want[] = { "9.M1P1.h", "1700000001.x",
		"1700000001.M3P1.h", "1700000001.M20P1.a", "1700000001.M20P1.b",
		"1700000001.M999999P1.h", "1700000001.M1234567P1.h",
		"1700000002.M5P1.h", "99999999999998.M7P1.h",
		"99999999999999.M1P1.h" };
	const size_t nwant = sizeof(want) / sizeof(want[0]), nfill = 40;
	struct mailbox *mb;
	char name[64];
	size_t i;

	(void)state;
	make_maildir();
	/* Written in an order unlike the one wanted. */
	for (i = nwant; i-- > 0;) {
		snprintf(name, sizeof(name), "cur/%s:2,", want[i]);
		put(name, "x\n");
	}
	/* Fillers, all before them: microseconds 7 * k mod 41, distinct. */
	for (i = 0; i < nfill; i++) {
		snprintf(name, sizeof(name), "cur/5.M%zuP1.f:2,", (i * 7) % 41);
		put(name, "f\n");
	}
	mb = open_ok(0);
	assert_int_equal(mailbox_count(mb), nfill + nwant);
	for (i = 0; i < nfill; i++) {
		const struct mailbox_msg *m = mailbox_msg(mb, i);
		unsigned long usec =
		    strtoul(strchr(m->base, 'M') + 1, NULL, 10);

		assert_int_equal(m->uid, i + 1);
		if (i > 0)
			assert_true(usec >
			    strtoul(strchr(mailbox_msg(mb, i - 1)->base, 'M') +
				    1,
				NULL, 10));
	}
	for (i = 0; i < nwant; i++) {
		assert_int_equal(mailbox_msg(mb, nfill + i)->uid,
		    nfill + i + 1);
		assert_string_equal(mailbox_msg(mb, nfill + i)->base, want[i]);
	}
	mailbox_close(&mb);
}

/* Closing a mailbox leaves a file another process is writing in tmp/
 * alone (only what is 36 hours old by mtime and ctime is swept). */
static void
test_close_keeps_fresh_tmp(void **state)
{
	char path[PATH_MAX];
	struct mailbox *mb;
	struct stat st;
	int fd;

	(void)state;
	make_maildir();
	snprintf(path, sizeof(path), "%s/tmp/1765000000.M1P9.writing", mdir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
	close(fd);
	mb = open_ok(0);
	mailbox_close(&mb);
	assert_int_equal(stat(path, &st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_to_cur, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lazy_sizes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_keep_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uids_never_reused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_renamed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_flags, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_damaged_rebuilt, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stale_lock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_base, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dovecot_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delivery_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_close_keeps_fresh_tmp,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
