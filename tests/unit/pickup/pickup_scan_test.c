/* SPDX-License-Identifier: MIT */
/* pickup_scan_test - maildrop files into queue files in a scratch queue:
 * the envelope and the added headers, the file removed only once queued,
 * bad files set aside, temp files left alone, links refused. */
#include <sys/stat.h>

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
#include <unistd.h>

#include <cmocka.h>

#include "conf/config.h"
#include "conf/params.h"
#include "mail/resolve.h"
#include "queue/maildrop.h"
#include "queue/qfile.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include "pickup.h"

static char dir[] = "/tmp/pickup_scan_test.XXXXXX";
static char oldcwd[PATH_MAX];

static int
setup(void **state)
{
	const char *error;

	(void)state;
	log_init("pickup");
	config_load_defaults();
	var_myhostname = "mail.example.test";
	var_myorigin = "example.test";
	var_alias_maps = "";
	var_virt_alias_maps = "inline:{ { team@example.test = "
			      "bob@example.test, Dave@example.org } }";
	if (resolve_open(&error) < 0)
		return -1;
	if (mkdtemp(dir) == NULL || getcwd(oldcwd, sizeof(oldcwd)) == NULL ||
	    qfile_dirs_create(dir, &error) < 0 || chdir(dir) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	resolve_close();
	if (chdir(oldcwd) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Drop a maildrop file as sendmail does; its name into name. */
static void
drop(char *name, const char *sender, const char *fullname,
    const char *const *rcpt, const char *content)
{
	struct maildrop_writer *w;
	char tmp[MAILDROP_NAME_MAX];
	const char *error;
	int fd;

	fd = maildrop_file_create(".", tmp, sizeof(tmp), &error);
	assert_true(fd >= 0);
	w = maildrop_writer_create(fd);
	assert_int_equal(maildrop_put_sender(w, sender, &error), 0);
	if (fullname != NULL)
		assert_int_equal(maildrop_put_attr(w, "fullname", fullname,
				     &error),
		    0);
	assert_int_equal(maildrop_put_attr(w, "dsn_notify", "2", &error), 0);
	for (; *rcpt != NULL; rcpt++)
		assert_int_equal(maildrop_put_rcpt(w, *rcpt, &error), 0);
	assert_int_equal(maildrop_put_content(w, content, strlen(content),
			     &error),
	    0);
	assert_int_equal(maildrop_finish(w, &error), 0);
	maildrop_writer_destroy(&w);
	assert_int_equal(maildrop_file_commit(".", fd, tmp, name,
			     MAILDROP_NAME_MAX, &error),
	    0);
	close(fd);
}

static int
count(const char *queue)
{
	DIR *d = opendir(queue);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || maildrop_is_temp(de->d_name))
			n++;
	closedir(d);
	return n;
}

/* The only queue file in incoming/, opened; its content into out. */
static struct qfile *
queued(struct buf *out)
{
	struct qfile_content *c;
	struct qfile *q = NULL;
	struct dirent *de;
	const char *error, *p;
	char path[PATH_MAX];
	size_t n;
	DIR *d = opendir("incoming");

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (!qfile_is_id(de->d_name))
			continue;
		snprintf(path, sizeof(path), "incoming/%s", de->d_name);
		assert_int_equal(qfile_open(path, 0, &q, &error), 0);
		unlink(path);
		break;
	}
	closedir(d);
	assert_non_null(q);
	assert_int_equal(qfile_content_open(q->fd, &c, &error), 0);
	while (qfile_content_read(c, &p, &n, &error) == 1)
		buf_append(out, p, n);
	qfile_content_close(&c);
	return q;
}

static void
test_queued_with_headers(void **state)
{
	static const char *const rcpt[] = { "bob", "<carol@example.org>",
		NULL };
	char name[MAILDROP_NAME_MAX];
	struct qfile *q;
	struct buf b;

	(void)state;
	drop(name, "alice", "Alice \"A\"", rcpt, "Subject: hi\n\nbody\n");
	assert_int_equal(pickup_scan(), 1);
	assert_int_equal(count("maildrop"), 0);
	buf_init(&b, 65536);
	q = queued(&b);
	assert_string_equal(q->sender, "alice@example.test");
	assert_int_equal(q->nrcpt, 2);
	assert_string_equal(q->rcpt[0].addr, "bob@example.test");
	assert_string_equal(q->rcpt[1].addr, "carol@example.org");
	assert_int_equal(q->rcpt[0].notify, 2);
	assert_string_equal(qfile_attr(q, "protocol"), "local");
	assert_non_null(qfile_attr(q, "uid"));
	assert_true(strncmp(b.data,
			"Received: by mail.example.test (Tern, "
			"from userid ",
			40) == 0);
	assert_non_null(strstr(b.data, "\nSubject: hi\nDate: "));
	assert_non_null(strstr(b.data, "\nMessage-ID: <"));
	assert_non_null(strstr(b.data,
	    "\nFrom: \"Alice \\\"A\\\"\" <alice@example.test>\n\nbody\n"));
	qfile_close(&q);
	buf_deinit(&b);
}

/* Recipients go through virtual_alias_maps, as smtpd's do; each final
 * address once (in any case), with the address given as the original. */
static void
test_virtual_aliases(void **state)
{
	static const char *const rcpt[] = { "team", "dave@example.org",
		"carol@example.org", NULL };
	char name[MAILDROP_NAME_MAX];
	struct qfile *q;
	struct buf b;

	(void)state;
	drop(name, "alice", NULL, rcpt, "Subject: hi\n\nbody\n");
	assert_int_equal(pickup_scan(), 1);
	buf_init(&b, 65536);
	q = queued(&b);
	assert_int_equal(q->nrcpt, 3);
	assert_string_equal(q->rcpt[0].addr, "bob@example.test");
	assert_string_equal(q->rcpt[0].orig, "team@example.test");
	assert_string_equal(q->rcpt[1].addr, "Dave@example.org");
	assert_string_equal(q->rcpt[2].addr, "carol@example.org");
	qfile_close(&q);
	buf_deinit(&b);
}

/* A message that has its own Date:, Message-ID: and From: keeps them
 * alone; one without a header gets the empty line before its body. */
static void
test_nothing_added_or_body_only(void **state)
{
	static const char *const rcpt[] = { "bob@example.test", NULL };
	const char *full = "From: x@y\nDate: d\nMessage-ID: <m@y>\n\nb\n";
	char name[MAILDROP_NAME_MAX];
	struct qfile *q;
	struct buf b;
	const char *body;

	(void)state;
	drop(name, "", NULL, rcpt, full);
	assert_int_equal(pickup_scan(), 1);
	buf_init(&b, 65536);
	q = queued(&b);
	assert_string_equal(q->sender, "");
	body = strstr(b.data, "\nFrom: ");
	assert_non_null(body);
	assert_string_equal(body + 1, full);
	qfile_close(&q);

	drop(name, "alice", NULL, rcpt, "just a body\n");
	assert_int_equal(pickup_scan(), 1);
	buf_reset(&b);
	q = queued(&b);
	assert_non_null(strstr(b.data, "\nFrom: "));
	assert_non_null(strstr(b.data, "\n\njust a body\n"));
	qfile_close(&q);
	buf_deinit(&b);
}

static void
test_bad_files_set_aside(void **state)
{
	static const char *const bad_rcpt[] = { "a b@c", NULL };
	char name[MAILDROP_NAME_MAX], path[PATH_MAX], tmp[MAILDROP_NAME_MAX];
	const char *error;
	int fd;

	(void)state;
	/* Records fine, but no address. */
	drop(name, "alice", NULL, bad_rcpt, "x\n");
	/* Not a maildrop file at all. */
	fd = open("maildrop/junk", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "junk", 4), 4);
	close(fd);
	/* A symbolic link. */
	assert_int_equal(symlink("/etc/passwd", "maildrop/abc.1.1"), 0);
	/* A file with a second name. */
	assert_int_equal(link("maildrop/junk", "maildrop/abd.1.1"), 0);
	/* A temp file: an unfinished submission, left alone. */
	fd = maildrop_file_create(".", tmp, sizeof(tmp), &error);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pickup_scan(), 0);
	assert_int_equal(count("maildrop"), 1);
	snprintf(path, sizeof(path), "corrupt/%s", name);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(access("corrupt/junk", F_OK), 0);
	assert_int_equal(access("corrupt/abd.1.1", F_OK), 0);
	assert_int_equal(count("incoming"), 0);
	maildrop_unlink(".", tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queued_with_headers),
		cmocka_unit_test(test_virtual_aliases),
		cmocka_unit_test(test_nothing_added_or_body_only),
		cmocka_unit_test(test_bad_files_set_aside),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
