/* mailbox_fixture - what the mailbox tests share: a Maildir in a fresh
 * temporary directory for each test, files put and read back by relative
 * name, deliveries as local makes them. Include after cmocka.h and the
 * store headers. */
#ifndef TERN_TEST_MAILBOX_FIXTURE_H
#define TERN_TEST_MAILBOX_FIXTURE_H

static char top[64];
static char mdir[128];
static struct buf *err;

static __attribute__((unused)) int
setup(void **state)
{
	static int n;

	snprintf(top, sizeof(top), "/tmp/mailbox_testXXXXXX");
	if (mkdtemp(top) == NULL)
		return -1;
	snprintf(mdir, sizeof(mdir), "%s/Maildir%d", top, ++n);
	err = buf_create(1024);
	return 0;
}

static __attribute__((unused)) int
teardown(void **state)
{
	char cmd[128];

	buf_destroy(&err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write text into <mdir>/<rel>. */
static __attribute__((unused)) void
put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", mdir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* <mdir>/<rel>'s text, or NULL. */
static __attribute__((unused)) const char *
get(const char *rel)
{
	static char text[4096];
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", mdir, rel);
	if ((fd = open(path, O_RDONLY)) < 0)
		return NULL;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n >= 0);
	text[n] = 0;
	return text;
}

/* Deliver text as local does; the new/ file name goes to name_r. */
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
