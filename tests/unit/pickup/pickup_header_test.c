/* SPDX-License-Identifier: MIT */
/* pickup_header_test - the header section of a submission: where it ends,
 * which fields it has, the From: field pickup adds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"

#include "pickup.h"

struct scan_case {
	const char *text;
	size_t len;
	int body_sep, date, message_id, from;
	const char *msgid;
	int incomplete; /* the section may go on after the bytes given */
};

static void
test_scan(void **state)
{
	static const struct scan_case cases[] = {
		{ "Subject: x\n\nbody\n", 11, 1, 0, 0, 0, "", 0 },
		{ "Date: d\nFrom: a\nMessage-ID: <m@x>\n\nb\n", 34, 1, 1, 1, 1,
		    "<m@x>", 0 },
		{ "DATE: d\nfrom: a\n\n", 16, 1, 1, 0, 1, "", 0 },
		/* No empty line: the body starts at the first non-field. */
		{ "Subject: x\nbody line\n", 11, 0, 0, 0, 0, "", 0 },
		/* Continuations belong to their field. */
		{ "Subject: x\n  more\nDate: y\n\n", 26, 1, 1, 0, 0, "", 0 },
		/* A continuation first is body. */
		{ " x\nSubject: y\n", 0, 0, 0, 0, 0, "", 0 },
		/* Not a field: "X-Date" is not "Date", "Date" without ':'. */
		{ "X-Date: a\nDateline: b\n\n", 22, 1, 0, 0, 0, "", 0 },
		{ "", 0, 0, 0, 0, 0, "", 0 },
		/* A last line without its line end is not in len, but
		 * what it is counts (no second Date: after it). */
		{ "Subject: x\nDate: y", 11, 0, 1, 0, 0, "", 1 },
		{ "Message-ID:   <a@b>  \nMessage-ID: <c@d>\n\n", 40, 1, 0, 1,
		    0, "<a@b>", 0 },
	};
	struct pickup_header h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scan_case *c = &cases[i];

		pickup_header_scan(c->text, strlen(c->text), &h);
		assert_int_equal(h.len, c->len);
		assert_int_equal(h.body_sep, c->body_sep);
		assert_int_equal(h.date, c->date);
		assert_int_equal(h.message_id, c->message_id);
		assert_int_equal(h.from, c->from);
		assert_string_equal(h.message_id_value, c->msgid);
		assert_int_equal(h.complete, !c->incomplete);
	}
}

/* Every cut of a header gives a length at a line boundary within it. */
static void
test_every_cut(void **state)
{
	const char *text = "Subject: x\n  y\nFrom: a\n\nbody\n";
	struct pickup_header h;
	size_t n;

	(void)state;
	for (n = 0; n <= strlen(text); n++) {
		pickup_header_scan(text, n, &h);
		assert_true(h.len <= n);
		assert_true(h.len == 0 || text[h.len - 1] == '\n');
	}
}

static void
test_from_field(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(pickup_from_field(&b, NULL, "a@b"), 0);
	assert_string_equal(b.data, "a@b");
	buf_reset(&b);
	assert_int_equal(pickup_from_field(&b, "", "a@b"), 0);
	assert_string_equal(b.data, "a@b");
	buf_reset(&b);
	assert_int_equal(pickup_from_field(&b, "A \"B\" \\C", "a@b"), 0);
	assert_string_equal(b.data, "\"A \\\"B\\\" \\\\C\" <a@b>");
	buf_deinit(&b);
	buf_init(&b, 4);
	assert_int_equal(pickup_from_field(&b, "Long name", "a@b"), -1);
	buf_deinit(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_from_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
