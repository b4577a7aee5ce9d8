/* SPDX-License-Identifier: MIT */
/* smtpd_dot_test - DATA end, transparency, line ends and RFC 1870 size,
 * and the raw mode of BDAT (line ends only), with every input cut at
 * every byte boundary (a BDAT chunk may end anywhere) and fed byte by
 * byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"

#include "smtpd_dot.h"

struct dot_case {
	const char *in;   /* bytes after the 354 */
	const char *out;  /* stored content */
	long long octets; /* RFC 1870 size */
	int done;         /* end of data seen */
	size_t used;      /* bytes used (the rest follows DATA) */
	int raw;          /* BDAT: smtpd_dot_init_raw, smtpd_dot_finish */
};

#define ALL ((size_t)-1)

static const struct dot_case cases[] = {
	/* The plain case and the empty message. */
	{ "a\r\nb\r\n.\r\n", "a\nb\n", 6, 1, ALL, 0 },
	{ ".\r\n", "", 0, 1, ALL, 0 },
	/* Transparency: a leading dot is removed and not counted. */
	{ "..\r\n..x\r\n.\r\n", ".\n.x\n", 7, 1, ALL, 0 },
	{ "...\r\n.\r\n", "..\n", 4, 1, ALL, 0 },
	/* What follows the end of data is not used (PIPELINING). */
	{ "x\r\n.\r\nQUIT\r\n", "x\n", 3, 1, 6, 0 },
	/* Smuggling forms are content (CVE-2023-51764). */
	{ "a\n.\nb\r\n.\r\n", "a\n.\nb\n", 7, 1, ALL, 0 },
	{ "a\n.\r\nb\r\n.\r\n", "a\n.\nb\n", 8, 1, ALL, 0 },
	{ "a\r\n.\nb\r\n.\r\n", "a\n\nb\n", 7, 1, ALL, 0 },
	{ "a\r.\r\nb\r\n.\r\n", "a\r.\nb\n", 8, 1, ALL, 0 },
	{ "a\r\n.\rx\r\n.\r\n", "a\n\rx\n", 7, 1, ALL, 0 },
	{ "a\r\n.\r\r\n.\r\n", "a\n\r\n", 6, 1, ALL, 0 },
	/* Bare CR and bare LF are content, one octet each. */
	{ "a\rb\r\n.\r\n", "a\rb\n", 5, 1, ALL, 0 },
	{ "a\nb\n", "a\nb\n", 4, 0, ALL, 0 },
	{ "\r\r\n.\r\n", "\r\n", 3, 1, ALL, 0 },
	/* No end of data yet: a held CR or dot is not output. */
	{ "abc\r", "abc", 3, 0, ALL, 0 },
	{ "abc\r\n.", "abc\n", 5, 0, ALL, 0 },
	{ "abc\r\n.\r", "abc\n", 5, 0, ALL, 0 },
	{ "", "", 0, 0, ALL, 0 },
	/* Raw (BDAT): no end of data, no transparency, every octet
	 * counted; line ends as DATA stores them, a CR held across a cut
	 * and output at the finish when nothing followed it. */
	{ "a\r\nb\r\n.\r\n", "a\nb\n.\n", 9, 0, ALL, 1 },
	{ ".\r\n", ".\n", 3, 0, ALL, 1 },
	{ "..\r\n..x\r\n.\r\nQUIT\r\n", "..\n..x\n.\nQUIT\n", 18, 0, ALL, 1 },
	{ "a\n.\nb\r.\r\n", "a\n.\nb\r.\n", 9, 0, ALL, 1 },
	{ "a\rb\r\r\n\r", "a\rb\r\n\r", 7, 0, ALL, 1 },
	{ "abc\r", "abc\r", 4, 0, ALL, 1 },
	{ "\r\n\r\n", "\n\n", 4, 0, ALL, 1 },
	{ "", "", 0, 0, ALL, 1 },
};

/* Feed in as pieces cut at the offsets in cuts (ascending, ncuts of them)
 * and check the result against c. */
static void
run(const struct dot_case *c, const size_t *cuts, size_t ncuts)
{
	size_t len = strlen(c->in), pos = 0, used = 0, k;
	size_t want_used = c->used == ALL ? len : c->used;
	struct smtpd_dot d;
	struct buf out, piece;
	int done = 0;

	buf_init(&out, 4096);
	buf_init(&piece, 4096);
	if (c->raw)
		smtpd_dot_init_raw(&d);
	else
		smtpd_dot_init(&d);
	for (k = 0; k <= ncuts && !done; k++) {
		size_t end = k < ncuts ? cuts[k] : len, n;

		/* The machine may append n + 1 bytes per call. */
		buf_reset(&piece);
		n = smtpd_dot_feed(&d, c->in + pos, end - pos, &piece, &done);
		assert_true(piece.len <= end - pos + 1);
		assert_int_equal(buf_append(&out, piece.data, piece.len), 0);
		assert_true(n <= end - pos);
		if (!done)
			assert_int_equal(n, end - pos);
		used += n;
		pos = end;
	}
	if (c->raw) {
		buf_reset(&piece);
		smtpd_dot_finish(&d, &piece);
		assert_true(piece.len <= 1);
		assert_int_equal(buf_append(&out, piece.data, piece.len), 0);
	}
	assert_int_equal(done, c->done);
	assert_int_equal(used, want_used);
	assert_int_equal(out.len, strlen(c->out));
	assert_memory_equal(out.data, c->out, out.len);
	assert_int_equal(d.octets, c->octets);
	buf_deinit(&out);
	buf_deinit(&piece);
}

static void
test_whole(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run(&cases[i], NULL, 0);
}

/* One cut at every byte boundary, then two cuts at every pair. */
static void
test_every_cut(void **state)
{
	size_t i, a, b;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in);

		for (a = 0; a <= len; a++) {
			size_t one[1] = { a };

			run(&cases[i], one, 1);
			for (b = a; b <= len; b++) {
				size_t two[2] = { a, b };

				run(&cases[i], two, 2);
			}
		}
	}
}

static void
test_byte_by_byte(void **state)
{
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in), cuts[64];

		assert_true(len < 64);
		for (k = 0; k < len; k++)
			cuts[k] = k;
		run(&cases[i], cuts, len);
	}
}

/* A long message in lines of 70 plus CRLF: the RFC 1870 size is 72 octets
 * a line whatever the pieces, while 71 bytes a line are stored (the
 * undercount that let a 10,305,594-octet DATA under a 10,240,000 limit). */
static void
test_size_counts_crlf(void **state)
{
	struct smtpd_dot d;
	struct buf out;
	char line[73];
	int i, done = 0;
	size_t stored = 0;

	memset(line, 'x', 70);
	memcpy(line + 70, "\r\n", 3);
	buf_init(&out, 256);
	smtpd_dot_init(&d);
	for (i = 0; i < 1000; i++) {
		buf_reset(&out);
		assert_int_equal(smtpd_dot_feed(&d, line, 72, &out, &done), 72);
		assert_int_equal(done, 0);
		stored += out.len;
	}
	buf_reset(&out);
	assert_int_equal(smtpd_dot_feed(&d, ".\r\n", 3, &out, &done), 3);
	assert_int_equal(done, 1);
	assert_int_equal(d.octets, 72000);
	assert_int_equal(stored, 71000);
	buf_deinit(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_size_counts_crlf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
