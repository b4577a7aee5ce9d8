/* SPDX-License-Identifier: MIT */
/* uidlist_test - Dovecot's dovecot-uidlist read and written back exactly,
 * damaged lists refused, locking, UIDs never given twice. */
#include <fcntl.h>
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

#include "store/uidlist.h"
#include "util/buf.h"
#include "util/mem.h"

static char dir[64];

/* As Dovecot 2.3 writes it: mailbox GUID in the header, an extra header
 * field, records with and without extensions (G: message GUID, W: vsize,
 * S: size), UID 3 expunged, nextuid above the last UID. */
static const char fixture[] =
    "3 V1733450000 N5 G6d1f0a2c3b4e5f60718293a4b5c6d7e8 Zfuture\n"
    "1 :1733450000.M100P10.host,S=10,W=12\n"
    "2 G0f1e2d3c4b5a69788796a5b4c3d2e1f0 W1234 :1733450001.M200P11.host\n"
    "4 S1200 W1234 :1733450002.M300P12.host\n";

/* As Dovecot 2.3.19 left it: records appended in place after a header
 * written when the list was empty (N1). */
static const char appended[] =
    "3 V1796526026 N1 G9bba2e2dcacf146b8e54000083ecc375\n"
    "1 :1700000001.M1P1.dovecothost\n"
    "2 :1700000002.M2P1.dovecothost\n"
    "3 :1700000003.M3P1.dovecothost,S=30,W=34\n";

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/uidlist_testXXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
put_file(const char *name, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static char *
get_file(const char *name)
{
	static char text[4096];
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY)) < 0)
		return NULL;
	n = read(fd, text, sizeof(text) - 1);
	assert_true(n >= 0);
	text[n] = 0;
	close(fd);
	return text;
}

static void
test_dovecot_round_trip(void **state)
{
	struct uidlist ul;
	struct buf *err = buf_create(256), *out = buf_create(4096);
	const struct uidlist_rec *r;
	int fd;

	put_file(UIDLIST_FILE, fixture);
	assert_int_equal(uidlist_read(dir, &ul, err), 0);
	assert_int_equal(ul.uidvalidity, 1733450000);
	assert_int_equal(ul.nextuid, 5);
	assert_string_equal(ul.guid, "6d1f0a2c3b4e5f60718293a4b5c6d7e8");
	assert_string_equal(ul.hdr_extra, "Zfuture");
	assert_int_equal(ul.count, 3);
	assert_int_equal(ul.recs[0].uid, 1);
	assert_int_equal(ul.recs[0].vsize, -1);
	assert_null(ul.recs[0].ext);
	assert_int_equal(ul.recs[1].vsize, 1234);
	assert_string_equal(ul.recs[1].ext,
	    "G0f1e2d3c4b5a69788796a5b4c3d2e1f0");
	assert_string_equal(ul.recs[2].ext, "S1200");
	assert_non_null(r = uidlist_find(&ul, "1733450002.M300P12.host"));
	assert_int_equal(r->uid, 4);
	assert_null(uidlist_find(&ul, "nothing"));

	/* Written back unchanged. */
	assert_int_equal(uidlist_format(&ul, out), 0);
	assert_string_equal(buf_cstr(out), fixture);

	/* One more message, through the lock: UID 5, nextuid 6. */
	assert_true((fd = uidlist_lock(dir, err)) >= 0);
	assert_int_equal(uidlist_append(&ul, "1733450003.M4P13.host", 77), 5);
	assert_int_equal(uidlist_find(&ul, "1733450003.M4P13.host")->uid, 5);
	assert_int_equal(uidlist_commit(dir, fd, &ul, err), 0);
	assert_null(get_file(UIDLIST_LOCK));
	assert_string_equal(get_file(UIDLIST_FILE),
	    "3 V1733450000 N6 G6d1f0a2c3b4e5f60718293a4b5c6d7e8 Zfuture\n"
	    "1 :1733450000.M100P10.host,S=10,W=12\n"
	    "2 G0f1e2d3c4b5a69788796a5b4c3d2e1f0 W1234 "
	    ":1733450001.M200P11.host\n"
	    "4 S1200 W1234 :1733450002.M300P12.host\n"
	    "5 W77 :1733450003.M4P13.host\n");
	uidlist_free(&ul);
	buf_destroy(&err);
	buf_destroy(&out);
}

static int
keep_not_b(void *ctx, const char *base)
{
	(*(int *)ctx)++;
	return strcmp(base, "b") != 0;
}

static void
test_never_reuse(void **state)
{
	struct uidlist ul;
	struct buf *err = buf_create(256);
	char path[256];
	int fd, calls = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, UIDLIST_FILE);
	unlink(path);
	/* No list: empty, no UIDVALIDITY yet. */
	assert_int_equal(uidlist_read(dir, &ul, err), 0);
	assert_int_equal(ul.uidvalidity, 0);
	assert_int_equal(ul.nextuid, 1);
	assert_int_equal(ul.count, 0);
	uidlist_reset(&ul, 0);
	assert_true(ul.uidvalidity + 5 >= (uint32_t)time(NULL));
	assert_int_equal(uidlist_append(&ul, "a", -1), 1);
	assert_int_equal(uidlist_append(&ul, "b", -1), 2);
	assert_non_null(uidlist_find(&ul, "b"));
	assert_int_equal(uidlist_append(&ul, "c", 9), 3);
	assert_int_equal(uidlist_find(&ul, "c")->uid, 3);
	/* b expunged, then a new arrival: 4, never 2 or 3. */
	uidlist_retain(&ul, keep_not_b, &calls);
	assert_int_equal(calls, 3);
	assert_int_equal(ul.count, 2);
	assert_null(uidlist_find(&ul, "b"));
	assert_int_equal(uidlist_find(&ul, "c")->uid, 3);
	assert_true((fd = uidlist_lock(dir, err)) >= 0);
	assert_int_equal(uidlist_commit(dir, fd, &ul, err), 0);
	uidlist_free(&ul);
	assert_int_equal(uidlist_read(dir, &ul, err), 0);
	assert_int_equal(ul.nextuid, 4);
	assert_int_equal(strlen(ul.guid), 32); /* made on first write */
	assert_int_equal(uidlist_append(&ul, "d", -1), 4);
	uidlist_free(&ul);

	/* UIDs used up: 0, and the caller resets. */
	memset(&ul, 0, sizeof(ul));
	ul.uidvalidity = 7;
	ul.nextuid = UINT32_MAX - 1;
	assert_int_equal(uidlist_append(&ul, "x", -1), UINT32_MAX - 1);
	assert_int_equal(uidlist_append(&ul, "y", -1), 0);
	uidlist_free(&ul);
	buf_destroy(&err);
}

static void
test_reset_validity(void **state)
{
	struct uidlist ul;
	uint32_t now = (uint32_t)time(NULL);

	memset(&ul, 0, sizeof(ul));
	memcpy(ul.guid, "6d1f0a2c3b4e5f60718293a4b5c6d7e8", 33);
	ul.hdr_extra = xstrdup("Zx");
	ul.nextuid = 1;
	uidlist_append(&ul, "a", -1);
	/* Old value in the past: now. In the future: one above it. */
	uidlist_reset(&ul, 1000);
	assert_true(ul.uidvalidity >= now && ul.uidvalidity <= now + 5);
	assert_int_equal(ul.count, 0);
	assert_int_equal(ul.nextuid, 1);
	assert_null(ul.hdr_extra);
	assert_string_equal(ul.guid, "6d1f0a2c3b4e5f60718293a4b5c6d7e8");
	uidlist_reset(&ul, now + 1000);
	assert_int_equal(ul.uidvalidity, now + 1001);
	uidlist_free(&ul);
}

static void
test_damaged(void **state)
{
	static const struct {
		const char *text, *err;
		uint32_t uidvalidity; /* left for the rebuild */
	} cases[] = {
		{ "", "line 1: empty", 0 },
		{ "3 V1 N2", "line 1: empty or cut short", 0 },
		{ "1 1733450000 5\n", "line 1: not a version 3", 0 },
		{ "2 V1 N2\n", "line 1: not a version 3", 0 },
		{ "3 V1\n", "line 1: header without V or N", 0 },
		{ "3 V0 N1\n", "line 1: bad header field V", 0 },
		{ "3 V1 N4294967296\n", "line 1: bad header field N", 0 },
		{ "3 V1x N1\n", "line 1: bad header field V", 0 },
		{ "3 V9 N2 Gabc\n", "line 1: bad mailbox GUID", 0 },
		{ "3 V9 N2\nx :a\n", "line 2: bad UID", 9 },
		{ "3 V9 N2\n0 :a\n", "line 2: bad UID", 9 },
		{ "3 V9 N2\n4294967295 :a\n", "line 2: bad UID", 9 },
		{ "3 V9 N9\n2 :a\n1 :b\n", "line 3: UIDs not in", 9 },
		{ "3 V9 N9\n2 :a\n2 :b\n", "line 3: UIDs not in", 9 },
		{ "3 V9 N9\n1\n", "line 2: no file name", 9 },
		{ "3 V9 N9\n1 :\n", "line 2: bad file name", 9 },
		{ "3 V9 N9\n1 W1\n", "line 2: bad file name", 9 },
		{ "3 V9 N9\n1 :a/b\n", "line 2: bad file name", 9 },
		{ "3 V9 N9\n1 g1 :a\n", "line 2: bad extension", 9 },
		{ "3 V9 N9\n1 Wx :a\n", "line 2: bad W extension", 9 },
		{ "3 V9 N9\n1 :a\n2 :b\n3 :a\n", "line 2: file name twice", 9 },
		{ "3 V9 N9\n1 :a\n2 :b", "line 1: empty or cut short", 0 },
	};
	struct uidlist ul;
	struct buf *err = buf_create(256);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_set(err, "");
		assert_int_equal(uidlist_parse(cases[i].text,
				     strlen(cases[i].text), &ul, err),
		    -1);
		if (strstr(buf_cstr(err), cases[i].err) == NULL)
			fail_msg("case %zu: %s", i, buf_cstr(err));
		assert_int_equal(ul.uidvalidity, cases[i].uidvalidity);
		assert_int_equal(ul.count, 0);
		uidlist_free(&ul);
	}
	/* A NUL inside, and a file: the error names it. */
	assert_int_equal(uidlist_parse("3 V9 N9\n1 :a\0b\n", 15, &ul, err), -1);
	assert_non_null(strstr(buf_cstr(err), "line 2: NUL"));
	put_file(UIDLIST_FILE, "3 V9 N9\n1 :a\n1 :b\n");
	assert_int_equal(uidlist_read(dir, &ul, err), -1);
	assert_non_null(strstr(buf_cstr(err), "/" UIDLIST_FILE ": line 3"));
	assert_int_equal(ul.uidvalidity, 9);
	uidlist_free(&ul);

	/* Mended rather than refused: a UID at or above N raises N; runs of
	 * spaces, as Dovecot reads them. */
	assert_int_equal(uidlist_parse("3  V9  N2 \n5  W3  :a\n", 21, &ul, err),
	    0);
	assert_int_equal(ul.nextuid, 6);
	assert_int_equal(ul.recs[0].vsize, 3);
	uidlist_free(&ul);
	/* Dovecot's appends: N below the UIDs. */
	assert_int_equal(uidlist_parse(appended, strlen(appended), &ul, err),
	    0);
	assert_int_equal(ul.count, 3);
	assert_int_equal(ul.nextuid, 4);
	uidlist_free(&ul);
	buf_destroy(&err);
}

/* Cut the fixture at every byte: a cut at a line end is a shorter, valid
 * list; anywhere else the list is damaged. Never a crash. */
static void
test_every_cut(void **state)
{
	struct buf *err = buf_create(256), *out = buf_create(4096);
	size_t n, len = strlen(fixture), hdr = strchr(fixture, '\n') - fixture;
	struct uidlist ul;

	for (n = 0; n <= len; n++) {
		int ret = uidlist_parse(fixture, n, &ul, err);
		int want = n > hdr && fixture[n - 1] == '\n' ? 0 : -1;

		assert_int_equal(ret, want);
		if (ret == 0) {
			buf_reset(out);
			assert_int_equal(uidlist_format(&ul, out), 0);
			assert_int_equal(buf_len(out), n);
			assert_memory_equal(buf_cstr(out), fixture, n);
		}
		uidlist_free(&ul);
	}
	buf_destroy(&err);
	buf_destroy(&out);
}

static void
test_lock(void **state)
{
	struct uidlist ul;
	struct buf *err = buf_create(256);
	struct timeval old[2] = { { 0, 0 }, { 0, 0 } };
	char path[256];
	int fd, fd2;

	put_file(UIDLIST_FILE, fixture);
	/* A lock left by a crash long ago is removed. */
	put_file(UIDLIST_LOCK, "");
	snprintf(path, sizeof(path), "%s/%s", dir, UIDLIST_LOCK);
	old[0].tv_sec = old[1].tv_sec = time(NULL) - UIDLIST_STALE_LOCK - 10;
	assert_int_equal(utimes(path, old), 0);
	assert_true((fd = uidlist_lock(dir, err)) >= 0);

	/* Dropping it writes nothing. */
	uidlist_unlock(dir, fd);
	assert_null(get_file(UIDLIST_LOCK));
	assert_string_equal(get_file(UIDLIST_FILE), fixture);

	/* A lock taken over as stale by another process: the commit sees it
	 * is no longer ours, and the list and the other lock stay. */
	assert_int_equal(uidlist_read(dir, &ul, err), 0);
	assert_true((fd = uidlist_lock(dir, err)) >= 0);
	unlink(path);
	assert_true((fd2 = uidlist_lock(dir, err)) >= 0);
	uidlist_append(&ul, "new", -1);
	assert_int_equal(uidlist_commit(dir, fd, &ul, err), -1);
	assert_non_null(strstr(buf_cstr(err), "stale"));
	assert_string_equal(get_file(UIDLIST_FILE), fixture);
	assert_non_null(get_file(UIDLIST_LOCK));
	uidlist_unlock(dir, fd2);
	assert_null(get_file(UIDLIST_LOCK));

	/* No UIDVALIDITY: refused, lock released. */
	uidlist_free(&ul);
	assert_true((fd = uidlist_lock(dir, err)) >= 0);
	assert_int_equal(uidlist_commit(dir, fd, &ul, err), -1);
	assert_null(get_file(UIDLIST_LOCK));
	assert_string_equal(get_file(UIDLIST_FILE), fixture);
	buf_destroy(&err);
}

/* Delivery: the next UID appended in place, as Dovecot's LDA does. */
static void
test_add_delivered(void **state)
{
	struct buf *err = buf_create(1024);
	struct uidlist ul;
	char path[256];

	/* No list: nothing done, nothing made. */
	snprintf(path, sizeof(path), "%s/%s", dir, UIDLIST_FILE);
	unlink(path);
	assert_int_equal(uidlist_add_delivered(dir, "9.M1P1.h,S=1,W=2", err),
	    0);
	assert_null(get_file(UIDLIST_FILE));
	/* After the last record (UID 4), above a header N that is 5. */
	put_file(UIDLIST_FILE, fixture);
	assert_int_equal(uidlist_add_delivered(dir, "9.M1P1.h,S=1,W=2", err),
	    0);
	assert_non_null(strstr(get_file(UIDLIST_FILE),
	    "W1234 :1733450002.M300P12.host\n5 :9.M1P1.h,S=1,W=2\n"));
	/* Records appended before, N left behind: above the last one. */
	put_file(UIDLIST_FILE, appended);
	assert_int_equal(uidlist_add_delivered(dir, "a.M2P2.h", err), 0);
	assert_int_equal(uidlist_add_delivered(dir, "b.M3P3.h", err), 0);
	assert_int_equal(uidlist_read(dir, &ul, err), 0);
	assert_int_equal(ul.count, 5);
	assert_int_equal(ul.recs[3].uid, 4);
	assert_string_equal(ul.recs[4].base, "b.M3P3.h");
	assert_int_equal(ul.recs[4].uid, 5);
	assert_int_equal(ul.nextuid, 6);
	uidlist_free(&ul);
	assert_null(get_file(UIDLIST_LOCK));
	/* A header alone: N. */
	put_file(UIDLIST_FILE, "3 V1 N7 G9bba2e2dcacf146b8e54000083ecc375\n");
	assert_int_equal(uidlist_add_delivered(dir, "c", err), 0);
	assert_non_null(strstr(get_file(UIDLIST_FILE), "\n7 :c\n"));
	/* A cut last line is left to a writer that reads it all. */
	put_file(UIDLIST_FILE,
	    "3 V1 N2 G9bba2e2dcacf146b8e54000083ecc375\n1 :x");
	assert_int_equal(uidlist_add_delivered(dir, "d", err), 0);
	assert_null(strstr(get_file(UIDLIST_FILE), ":d"));
	buf_destroy(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dovecot_round_trip),
		cmocka_unit_test(test_never_reuse),
		cmocka_unit_test(test_reset_validity),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_add_delivered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
