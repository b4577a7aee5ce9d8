/* SPDX-License-Identifier: MIT */
/* mailbox_put_test - messages added with their UIDs (IMAP APPEND, COPY):
 * in cur/ with their flags and internal date, UIDs given in order in one
 * list update, a UID a scan gave first reported, an abort leaving
 * nothing. */
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

#define DATE 1000000000 /* 2001-09-09 */

static void
add(struct mailbox_put *p, const char *text, unsigned flags, time_t date)
{
	struct maildir_msg *m;
	struct mflags f = { 0 };
	const char *e;

	f.flags = flags;
	assert_int_equal(mailbox_put_start(p, &m, err), 0);
	assert_int_equal(maildir_write(m, text, strlen(text), &e), 0);
	assert_int_equal(mailbox_put_finish(p, m, &f, date, err), 0);
}

static void
test_append(void **state)
{
	struct mailbox_put *p;
	struct mailbox *mb;
	uint32_t uidv, uids[2];
	struct mflags f;

	deliver("first\n", NULL, 0);
	mb = open_ok(0);
	p = mailbox_put_begin(mdir);
	add(p, "Subject: a\n\nA\n", MFLAG_SEEN | MFLAG_DRAFT, DATE);
	add(p, "b\r\n", 0, 0);
	assert_int_equal(mailbox_put_count(p), 2);
	assert_int_equal(mailbox_put_commit(p, &uidv, uids, err), 0);
	assert_int_equal(uidv, mailbox_uidvalidity(mb));
	assert_int_equal(uids[0], 2);
	assert_int_equal(uids[1], 3);
	assert_int_equal(count_entries("new"), 0);
	assert_int_equal(count_entries("tmp"), 0);
	mailbox_close(&mb);

	mb = open_ok(0);
	assert_int_equal(mailbox_count(mb), 3);
	assert_int_equal(mailbox_msg(mb, 1)->uid, 2);
	assert_false(mailbox_msg(mb, 1)->recent);
	assert_int_equal(mailbox_msg(mb, 1)->vsize, 17);
	mflags_parse(mailbox_msg(mb, 1)->name, &f);
	assert_int_equal(f.flags, MFLAG_SEEN | MFLAG_DRAFT);
	assert_int_equal(mailbox_msg_date(mb, 1, err), 1);
	assert_int_equal(mailbox_msg(mb, 1)->date, DATE);
	assert_int_equal(mailbox_msg_date(mb, 2, err), 1);
	assert_true(mailbox_msg(mb, 2)->date + 60 > time(NULL));
	mailbox_close(&mb);
}

static void
test_copy(void **state)
{
	struct mailbox_put *p;
	struct mailbox *src, *dst;
	char dest[PATH_MAX];
	uint32_t uidv, uids[2];
	struct mflags f = { 0 };
	char buf[64];
	ssize_t n;
	int fd;

	deliver("one\n", NULL, 0);
	deliver("two\n", NULL, 0);
	src = open_ok(0);
	p = mailbox_put_begin(mdir);
	add(p, "dated\n", 0, DATE);
	assert_int_equal(mailbox_put_commit(p, &uidv, uids, err), 0);
	assert_int_equal(mailbox_sync(src, 0, &(struct mailbox_changes){ 0 },
			     err),
	    0);
	assert_int_equal(mailbox_count(src), 3);

	snprintf(dest, sizeof(dest), "%s/.Other", mdir);
	assert_int_equal(mailbox_open(dest, 0, &dst, err), 0);
	p = mailbox_put_begin(dest);
	f.flags = MFLAG_FLAGGED;
	assert_int_equal(mailbox_put_copy(p, src, 1, &f, err), 1);
	assert_int_equal(mailbox_put_copy(p, src, 2, NULL, err), 1);
	assert_int_equal(mailbox_put_commit(p, &uidv, uids, err), 0);
	assert_int_equal(uids[0], 1);
	assert_int_equal(uids[1], 2);
	assert_int_equal(uidv, mailbox_uidvalidity(dst));
	mailbox_close(&dst);
	assert_int_equal(mailbox_open(dest, 0, &dst, err), 0);
	assert_int_equal(mailbox_count(dst), 2);
	assert_int_equal(mailbox_msg_open(dst, 0, &fd, err), 1);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "two\n", 4);
	mflags_parse(mailbox_msg(dst, 0)->name, &f);
	assert_int_equal(f.flags, MFLAG_FLAGGED);
	assert_int_equal(mailbox_msg_date(dst, 1, err), 1);
	assert_int_equal(mailbox_msg(dst, 1)->date, DATE);
	mailbox_close(&dst);
	mailbox_close(&src);
}

/* COPY shares the file (a hard link: one inode, two names, the source's
 * mtime); a source renamed since the view saw it (another client set a
 * flag) is copied byte by byte instead, found by its base name. */
static void
test_copy_links(void **state)
{
	struct mailbox_put *p;
	struct mailbox *src, *dst;
	char dest[PATH_MAX / 2], path[PATH_MAX], moved[PATH_MAX + 2];
	uint32_t uidv, uids[2];
	struct stat a, b;
	char buf[64];
	ssize_t n;
	int fd;

	(void)state;
	deliver("one\n", NULL, 0);
	deliver("two\n", NULL, 0);
	src = open_ok(0);
	snprintf(dest, sizeof(dest), "%s/.Other", mdir);
	assert_int_equal(mailbox_open(dest, 0, &dst, err), 0);
	mailbox_close(&dst);
	/* Message 2 is renamed behind the view's back. */
	snprintf(path, sizeof(path), "%s/%s", mdir, mailbox_msg(src, 1)->name);
	snprintf(moved, sizeof(moved), "%sS", path);
	assert_int_equal(rename(path, moved), 0);
	p = mailbox_put_begin(dest);
	assert_int_equal(mailbox_put_copy(p, src, 0, NULL, err), 1);
	assert_int_equal(mailbox_put_copy(p, src, 1, NULL, err), 1);
	assert_int_equal(mailbox_put_commit(p, &uidv, uids, err), 0);
	assert_int_equal(mailbox_open(dest, 0, &dst, err), 0);
	assert_int_equal(mailbox_count(dst), 2);
	snprintf(path, sizeof(path), "%s/%s", mdir, mailbox_msg(src, 0)->name);
	assert_int_equal(stat(path, &a), 0);
	snprintf(path, sizeof(path), "%s/%s", dest, mailbox_msg(dst, 0)->name);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_ino == b.st_ino && b.st_nlink == 2);
	assert_int_equal(mailbox_msg(dst, 0)->size, 4);
	snprintf(path, sizeof(path), "%s/%s", dest, mailbox_msg(dst, 1)->name);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(b.st_nlink, 1);
	assert_int_equal(mailbox_msg_open(dst, 1, &fd, err), 1);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "two\n", 4);
	mailbox_close(&dst);
	mailbox_close(&src);
}

static void
test_scan_first(void **state)
{
	struct mailbox_put *p;
	struct mailbox *mb;
	uint32_t uidv, uids[1];

	p = mailbox_put_begin(mdir);
	add(p, "x\n", 0, 0);
	/* Another session looks before the commit: it gives the UID. */
	mb = open_ok(0);
	assert_int_equal(mailbox_count(mb), 1);
	assert_int_equal(mailbox_put_commit(p, &uidv, uids, err), 0);
	assert_int_equal(uids[0], mailbox_msg(mb, 0)->uid);
	mailbox_close(&mb);
	mb = open_ok(0);
	assert_int_equal(mailbox_count(mb), 1);
	mailbox_close(&mb);
}

static void
test_abort(void **state)
{
	struct mailbox_put *p;

	make_maildir();
	p = mailbox_put_begin(mdir);
	add(p, "x\n", MFLAG_SEEN, 0);
	add(p, "y\n", 0, 0);
	mailbox_put_abort(&p);
	assert_null(p);
	mailbox_put_abort(&p);
	assert_int_equal(count_entries("cur"), 0);
	assert_int_equal(count_entries("tmp"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_links, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_scan_first, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
