/* SPDX-License-Identifier: MIT */
/* imap_search_result_test - the result lists of SEARCH: imap_seqlist
 * (order, duplicates, its maximum, ranges), the "* SEARCH" and
 * "* ESEARCH" responses (RFC 4731, IMAP4rev2's default, empty results,
 * the tag), and RFC 5182 2.4's rule for what RETURN (SAVE) keeps. Split
 * from imap_search_test (imap_search_fixture.h compiles for both). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mail/imap_parse.h"
#include "mail/imap_search.h"
#include "util/buf.h"
#include "util/mem.h"

#include "imap_search_fixture.h"

static void
test_seqlist(void **state)
{
	struct imap_seqlist l;
	struct buf out;
	static const uint32_t add[] = { 9, 2, 4, 3, 3, 2, 11, 12, 13, 1 };
	size_t i;

	(void)state;
	buf_init(&out, ERR_MAX);
	imap_seqlist_init(&l, 9);
	assert_int_equal(imap_seqlist_render(&l, &out), 0);
	assert_string_equal(out.data, "");
	for (i = 0; i < sizeof(add) / sizeof(add[0]) - 1; i++)
		assert_int_equal(imap_seqlist_add(&l, add[i]), 0);
	assert_int_equal(l.count, 7);
	assert_true(imap_seqlist_contains(&l, 4));
	assert_false(imap_seqlist_contains(&l, 5));
	assert_false(imap_seqlist_contains(&l, 14));
	assert_int_equal(imap_seqlist_render(&l, &out), 0);
	assert_string_equal(out.data, "2:4,9,11:13");
	assert_int_equal(imap_seqlist_add(&l, 1), 0);
	assert_int_equal(imap_seqlist_add(&l, 4294967295u), 0);
	assert_int_equal(imap_seqlist_add(&l, 100), -1); /* max 9 */
	assert_int_equal(imap_seqlist_add(&l, 4), 0);    /* there already */
	buf_reset(&out);
	assert_int_equal(imap_seqlist_render(&l, &out), 0);
	assert_string_equal(out.data, "1:4,9,11:13,4294967295");
	/* A full buffer says so. */
	{
		struct buf small;

		buf_init(&small, 5);
		assert_int_equal(imap_seqlist_render(&l, &small), -1);
		buf_deinit(&small);
	}
	imap_seqlist_reset(&l);
	assert_int_equal(l.count, 0);
	/* Many, ascending: growth. */
	imap_seqlist_deinit(&l);
	imap_seqlist_init(&l, 100000);
	for (i = 1; i <= 100000; i++)
		assert_int_equal(imap_seqlist_add(&l, (uint32_t)i * 2), 0);
	assert_true(imap_seqlist_contains(&l, 200000));
	assert_false(imap_seqlist_contains(&l, 199999));
	imap_seqlist_deinit(&l);
	buf_deinit(&out);
}

static void
render(const char *args, const char *tag, unsigned flags, const uint32_t *nums,
    size_t n, const char *want)
{
	struct imap_seqlist res;
	struct imap_search *s;
	struct buf err, out;
	size_t i;

	buf_init(&err, ERR_MAX);
	buf_init(&out, ERR_MAX);
	imap_seqlist_init(&res, 100);
	for (i = 0; i < n; i++)
		assert_int_equal(imap_seqlist_add(&res, nums[i]), 0);
	assert_int_equal(compile(args, &s, &err), IMAP_SEARCH_OK);
	assert_int_equal(imap_search_render(s, tag, flags, &res, &out), 0);
	if (strcmp(out.data, want) != 0)
		fail_msg("%s: \"%s\"", args, out.data);
	imap_search_destroy(&s);
	imap_seqlist_deinit(&res);
	buf_deinit(&out);
	buf_deinit(&err);
}

static void
test_render(void **state)
{
	static const uint32_t five[] = { 2, 3, 4, 9, 7 };

	(void)state;
	render("ALL", "a1", 0, five, 5, "* SEARCH 2 3 4 7 9\r\n");
	render("ALL", "a1", IMAP_SEARCH_RENDER_UID, NULL, 0, "* SEARCH\r\n");
	render("RETURN (MIN MAX COUNT ALL) ALL", "a1", IMAP_SEARCH_RENDER_UID,
	    five, 5,
	    "* ESEARCH (TAG \"a1\") UID MIN 2 MAX 9 COUNT 5 ALL 2:4,7,9\r\n");
	render("RETURN () ALL", "A283", 0, five, 5,
	    "* ESEARCH (TAG \"A283\") ALL 2:4,7,9\r\n");
	render("RETURN (MIN COUNT) ALL", "t", 0, five, 5,
	    "* ESEARCH (TAG \"t\") MIN 2 COUNT 5\r\n");
	render("RETURN (MIN MAX COUNT ALL) ALL", "t", IMAP_SEARCH_RENDER_UID,
	    NULL, 0, "* ESEARCH (TAG \"t\") UID COUNT 0\r\n");
	render("RETURN (MIN) ALL", "t", 0, NULL, 0,
	    "* ESEARCH (TAG \"t\")\r\n");
	render("RETURN (SAVE) ALL", "t", 0, five, 5, "");
	render("RETURN (SAVE MIN) ALL", "t", 0, five, 5,
	    "* ESEARCH (TAG \"t\") MIN 2\r\n");
	render("ALL", "b7", IMAP_SEARCH_RENDER_REV2, five, 3,
	    "* ESEARCH (TAG \"b7\") ALL 2:4\r\n");
	render("ALL", "q\"\\", IMAP_SEARCH_RENDER_REV2, five, 1,
	    "* ESEARCH (TAG \"q\\\"\\\\\") ALL 2\r\n");
}

/* RFC 5182 2.4: what SAVE keeps. */
static void
test_save(void **state)
{
	static const struct {
		const char *args, *want;
	} cases[] = {
		{ "RETURN (SAVE) ALL", "3:5,8" },
		{ "RETURN (SAVE MIN) ALL", "3" },
		{ "RETURN (SAVE MAX) ALL", "8" },
		{ "RETURN (SAVE MIN MAX) ALL", "3,8" },
		{ "RETURN (SAVE MIN COUNT) ALL", "3:5,8" },
		{ "RETURN (SAVE MAX ALL) ALL", "3:5,8" },
	};
	static const uint32_t uids[] = { 3, 4, 5, 8 };
	struct imap_seqlist res, saved;
	struct imap_search *s;
	struct buf err, out;
	size_t i;

	(void)state;
	buf_init(&err, ERR_MAX);
	buf_init(&out, ERR_MAX);
	imap_seqlist_init(&res, 10);
	imap_seqlist_init(&saved, 10);
	for (i = 0; i < 4; i++)
		assert_int_equal(imap_seqlist_add(&res, uids[i]), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(compile(cases[i].args, &s, &err),
		    IMAP_SEARCH_OK);
		assert_int_equal(imap_search_save(s, &res, &saved), 0);
		buf_reset(&out);
		assert_int_equal(imap_seqlist_render(&saved, &out), 0);
		assert_string_equal(out.data, cases[i].want);
		imap_search_destroy(&s);
	}
	/* Nothing matched: nothing saved. */
	imap_seqlist_reset(&res);
	assert_int_equal(compile("RETURN (SAVE MIN) ALL", &s, &err), 0);
	assert_int_equal(imap_search_save(s, &res, &saved), 0);
	assert_int_equal(saved.count, 0);
	imap_search_destroy(&s);
	imap_seqlist_deinit(&saved);
	imap_seqlist_deinit(&res);
	buf_deinit(&out);
	buf_deinit(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seqlist),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_save),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
