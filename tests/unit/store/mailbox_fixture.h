/* mailbox_fixture - what the mailbox tests share, over maildir_fixture.h
 * (a Maildir in a fresh temporary directory for each test, files put and
 * read back by relative name): cmocka setup and teardown, deliveries as
 * local makes them, entries counted, the mailbox opened. Include after
 * cmocka.h and the store headers. */
#ifndef TERN_TEST_MAILBOX_FIXTURE_H
#define TERN_TEST_MAILBOX_FIXTURE_H

#include "maildir_fixture.h"

static __attribute__((unused)) int
setup(void **state)
{
	(void)state;
	return fixture_setup("mailbox_test");
}

static __attribute__((unused)) int
teardown(void **state)
{
	(void)state;
	return fixture_teardown();
}

static __attribute__((unused)) void
deliver(const char *text, char *name_r, size_t size)
{
	struct maildir_msg *m;
	struct buf *final = buf_create(PATH_MAX);
	const char *e;

	assert_int_equal(maildir_open(mdir, &m, &e), 0);
	assert_int_equal(maildir_write(m, text, strlen(text), &e), 0);
	assert_int_equal(maildir_commit(m, final, &e), 0);
	if (name_r != NULL)
		snprintf(name_r, size, "%s", strrchr(buf_cstr(final), '/') + 1);
	buf_destroy(&final);
}

static __attribute__((unused)) int
count_entries(const char *sub)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", mdir, sub);
	assert_non_null(d = opendir(path));
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static __attribute__((unused)) struct mailbox *
open_ok(int flags)
{
	struct mailbox *mb = NULL;

	if (mailbox_open(mdir, flags, &mb, err) != 0)
		fail_msg("mailbox_open: %s", buf_cstr(err));
	return mb;
}

/* Create the Maildir (open and close). */
static __attribute__((unused)) void
make_maildir(void)
{
	struct mailbox *mb = open_ok(0);

	mailbox_close(&mb);
}

#endif
