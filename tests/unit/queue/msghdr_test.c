/* SPDX-License-Identifier: MIT */
/* msghdr_test - the header section of queued content: the empty line,
 * no body, the caller's limit, a header section across content chunks. */
#include <fcntl.h>
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

#include "queue/msghdr.h"
#include "queue/qfile.h"
#include "util/buf.h"
#include "util/mem.h"

static char qdir[256];

static int
setup(void **state)
{
	const char *error;
	const char *tmp = getenv("TMPDIR");

	snprintf(qdir, sizeof(qdir), "%s/msghdr_test.XXXXXX",
	    tmp ? tmp : "/tmp");
	if (mkdtemp(qdir) == NULL)
		return -1;
	return qfile_dirs_create(qdir, &error);
}

static int
teardown(void **state)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", qdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Queue content (written in pieces of step bytes) and open it. */
static int
queue(const char *content, size_t len, size_t step)
{
	struct qfile_writer *w;
	struct timeval tv = { 1, 0 };
	const char *error;
	char path[400];
	size_t off;
	int fd;

	assert_int_equal(qfile_create(qdir, &w, &error), 0);
	qfile_put_time(w, tv);
	qfile_put_sender(w, "a@example.org");
	qfile_put_rcpt(w, "b@example.org", "b@example.org");
	for (off = 0; off < len; off += step)
		qfile_put_content(w, content + off,
		    len - off < step ? len - off : step);
	assert_int_equal(qfile_commit(w, &error), 0);
	snprintf(path, sizeof(path), "%s/incoming/%s", qdir,
	    qfile_writer_id(w));
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	unlink(path);
	qfile_writer_destroy(&w);
	return fd;
}

static void
check(const char *content, size_t step, size_t max, const char *want)
{
	struct buf out;
	const char *error;
	int fd = queue(content, strlen(content), step);

	buf_init(&out, max);
	assert_int_equal(msghdr_read(fd, &out, &error), 0);
	assert_string_equal(buf_cstr(&out), want);
	buf_deinit(&out);
	close(fd);
}

static void
test_cases(void **state)
{
	static const struct {
		const char *content;
		size_t max;
		const char *want;
	} cases[] = {
		{ "A: 1\nB: 2\n\nbody\n\nmore\n", 1000, "A: 1\nB: 2\n" },
		{ "A: 1\n folded\nB: 2\n", 1000, "A: 1\n folded\nB: 2\n" },
		{ "\nbody only\n", 1000, "" },
		{ "A: 1\nB: 2\n\nbody\n", 6, "A: 1\nB" },
		{ "", 1000, "" },
	};
	size_t i, step;

	/* Every piece size: the empty line may fall on any boundary. */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (step = 1; step <= 12; step++)
			check(cases[i].content, step, cases[i].max,
			    cases[i].want);
}

static void
test_large_header_across_chunks(void **state)
{
	size_t n = 3 * QFILE_CHUNK, i;
	char *content = xmalloc(n + 16);
	struct buf out;
	const char *error;
	int fd;

	for (i = 0; i < n; i++)
		content[i] = (i % 70 == 69) ? '\n' : 'h';
	content[n - 1] = '\n';
	memcpy(content + n, "\nbody\n", 7);
	fd = queue(content, n + 6, n + 6);
	buf_init(&out, 4 * QFILE_CHUNK);
	assert_int_equal(msghdr_read(fd, &out, &error), 0);
	assert_int_equal(buf_len(&out), n);
	assert_memory_equal(out.data, content, n);
	buf_deinit(&out);
	close(fd);
	xfree(content);
}

static void
test_bad_fd(void **state)
{
	struct buf out;
	const char *error = NULL;

	buf_init(&out, 100);
	assert_int_equal(msghdr_read(-1, &out, &error), -1);
	assert_non_null(error);
	buf_deinit(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_large_header_across_chunks),
		cmocka_unit_test(test_bad_fd),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
