/* SPDX-License-Identifier: MIT */
/* charset_test - text to UTF-8 through the tables and iconv: Shift_JIS,
 * ISO-2022-JP, UTF-16 and GB18030 cut at every feed boundary and fed a
 * byte at a time, invalid bytes as U+FFFD, a dangling tail at finish, the
 * output bound, unknown and refused names, aliases, and the descriptor
 * cache (reuse, reset of a shift state, two live converters, eviction,
 * unknown names remembered). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail/charset.h"
#include "util/buf.h"

struct sample {
	const char *charset;
	const char *in;
	size_t in_len;
	const char *utf8;
};

#define S(cs, in, utf8)                      \
	{                                    \
		cs, in, sizeof(in) - 1, utf8 \
	}

static const struct sample samples[] = {
	S("Shift_JIS",
	    "\x93\xfa\x96\x7b\x8c\xea\x83\x65\x83\x4c\x83\x58\x83\x67\x81\x41"
	    "abc",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad\xe3"
	    "\x82\xb9\xe3\x83\x88\xe3\x80\x81"
	    "abc"),
	S("iso-2022-jp",
	    "\x1b\x24\x42\x24\x33\x24\x73\x24\x4b\x24\x41\x24\x4f\x1b\x28\x42"
	    " abc \x1b\x24\x42\x40\x24\x33\x26\x1b\x28\x42",
	    "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf"
	    " abc \xe4\xb8\x96\xe7\x95\x8c"),
	S("UTF-16",
	    "\xff\xfe\x47\x00\x72\x00\xfc\x00\xdf\x00\x65\x00\x20\x00\x3d\xd8"
	    "\x00\xde\x20\x00\x3c\x04\x38\x04\x40\x04",
	    "Gr\xc3\xbc\xc3\x9f"
	    "e \xf0\x9f\x98\x80 \xd0\xbc\xd0\xb8\xd1\x80"),
	S("utf-16be",
	    "\x00\x47\x00\x72\x00\xfc\x00\xdf\x00\x65\xd8\x3d\xde\x00",
	    "Gr\xc3\xbc\xc3\x9f"
	    "e\xf0\x9f\x98\x80"),
	S("GB18030", "\xd6\xd0\xce\xc4\x95\x32\x82\x36",
	    "\xe4\xb8\xad\xe6\x96\x87\xf0\xa0\x80\x80"),
	S("utf-8", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z",
	    "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"),
	S("KOI8-R", "\xd0\xd2\xc9\xd7\xc5\xd4",
	    "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"),
	S("windows-1252", "\x80 caf\xe9", "\xe2\x82\xac caf\xc3\xa9"),
};

/* Convert s fed as pieces ending at cut1 and cut2 (cut1 <= cut2 <= len). */
static void
convert_cut(const struct sample *s, size_t cut1, size_t cut2, struct buf *out)
{
	struct charset_conv cv;

	assert_int_not_equal(charset_conv_init(&cv, s->charset,
				 strlen(s->charset)),
	    CHARSET_UNKNOWN);
	assert_int_equal(charset_conv_feed(&cv, s->in, cut1, out), 0);
	assert_int_equal(charset_conv_feed(&cv, s->in + cut1, cut2 - cut1, out),
	    0);
	assert_int_equal(charset_conv_feed(&cv, s->in + cut2, s->in_len - cut2,
			     out),
	    0);
	assert_int_equal(charset_conv_finish(&cv, out), 0);
	charset_conv_deinit(&cv);
}

static void
test_every_cut(void **state)
{
	struct buf out;
	size_t i, a, b;

	(void)state;
	buf_init(&out, 4096);
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];

		for (a = 0; a <= s->in_len; a++)
			for (b = a; b <= s->in_len; b++) {
				buf_reset(&out);
				convert_cut(s, a, b, &out);
				if (strcmp(out.data, s->utf8) != 0)
					fail_msg("%s cut at %zu, %zu: \"%s\"",
					    s->charset, a, b, out.data);
			}
	}
	buf_deinit(&out);
}

static void
test_byte_at_a_time(void **state)
{
	struct charset_conv cv;
	struct buf out;
	size_t i, j;

	(void)state;
	buf_init(&out, 4096);
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];

		buf_reset(&out);
		(void)charset_conv_init(&cv, s->charset, strlen(s->charset));
		for (j = 0; j < s->in_len; j++)
			assert_int_equal(charset_conv_feed(&cv, s->in + j, 1,
					     &out),
			    0);
		assert_int_equal(charset_conv_finish(&cv, &out), 0);
		charset_conv_deinit(&cv);
		assert_string_equal(out.data, s->utf8);
		/* The one-shot call agrees. */
		buf_reset(&out);
		assert_int_equal(charset_to_utf8(s->charset, strlen(s->charset),
				     s->in, s->in_len, &out),
		    0);
		assert_string_equal(out.data, s->utf8);
	}
	buf_deinit(&out);
}

static void
expect(const char *cs, const char *in, size_t n, const char *utf8)
{
	struct buf out;

	buf_init(&out, 1024);
	assert_int_equal(charset_to_utf8(cs, strlen(cs), in, n, &out), 0);
	assert_string_equal(out.data, utf8);
	buf_deinit(&out);
}

#define EXPECT(cs, in, utf8) expect(cs, in, sizeof(in) - 1, utf8)

static void
test_invalid(void **state)
{
	struct charset_conv cv;
	struct buf out;

	(void)state;
	/* EILSEQ: one U+FFFD a bad byte, and on. */
	EXPECT("shift_jis",
	    "a\xff"
	    "b\x93\xfa",
	    "a\xef\xbf\xbd"
	    "b\xe6\x97\xa5");
	EXPECT("euc-jp", "\xc6\xfc\xa4z", "\xe6\x97\xa5\xef\xbf\xbdz");
	EXPECT("utf-8", "a\xc3(\xff", "a\xef\xbf\xbd(\xef\xbf\xbd");
	EXPECT("us-ascii", "a\xe9", "a\xef\xbf\xbd");
	EXPECT("iso-2022-jp", "\x1b\x24\x42\x24\x33\x1b\x28\x42\xe9x",
	    "\xe3\x81\x93\xef\xbf\xbdx");
	/* An incomplete character at the end: U+FFFD at finish. */
	EXPECT("shift_jis", "a\x93", "a\xef\xbf\xbd");
	EXPECT("utf-16le",
	    "a\x00"
	    "b",
	    "a\xef\xbf\xbd");
	EXPECT("utf-8", "a\xe2\x82", "a\xef\xbf\xbd");
	/* ...and a converter finished goes on with a new text. */
	buf_init(&out, 64);
	(void)charset_conv_init(&cv, "gb18030", 7);
	assert_int_equal(charset_conv_feed(&cv, "\x95\x32", 2, &out), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(charset_conv_finish(&cv, &out), 0);
	assert_int_equal(charset_conv_feed(&cv, "\xd6\xd0", 2, &out), 0);
	assert_int_equal(charset_conv_finish(&cv, &out), 0);
	charset_conv_deinit(&cv);
	assert_string_equal(out.data, "\xef\xbf\xbd\xe4\xb8\xad");
	buf_deinit(&out);
}

static void
test_bound(void **state)
{
	struct charset_conv cv;
	struct buf out;

	(void)state;
	/* "привет" is 12 bytes of UTF-8: 5 hold two letters, cut whole. */
	buf_init(&out, 5);
	assert_int_equal(charset_to_utf8("koi8-r", 6,
			     "\xd0\xd2\xc9\xd7\xc5\xd4", 6, &out),
	    -1);
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "\xd0\xbf\xd1\x80");
	/* The converter stays usable once the buffer is emptied. */
	(void)charset_conv_init(&cv, "koi8-r", 6);
	buf_reset(&out);
	assert_int_equal(charset_conv_feed(&cv, "\xd0\xd2\xc9\xd7\xc5\xd4", 6,
			     &out),
	    -1);
	buf_reset(&out);
	assert_int_equal(charset_conv_feed(&cv, "\xd0\xd2", 2, &out), 0);
	assert_string_equal(out.data, "\xd0\xbf\xd1\x80");
	charset_conv_deinit(&cv);
	/* Once cut, nothing more: "a" would fit in the byte left over, but
	 * a gap in the text could make a false match. */
	{
		char in[1025];
		struct buf big;

		memset(in, 0xd0, 1024);
		in[1024] = 'a';
		buf_init(&big, 2047);
		assert_int_equal(charset_to_utf8("koi8-r", 6, in, 1025, &big),
		    -1);
		assert_int_equal(big.len, 2046);
		assert_int_equal(big.data[2045], (char)0xbf);
		buf_deinit(&big);
	}
	/* The table path too. */
	buf_reset(&out);
	assert_int_equal(charset_to_utf8("latin1", 6, "\xe9\xe9\xe9", 3, &out),
	    -1);
	assert_string_equal(out.data, "\xc3\xa9\xc3\xa9");
	buf_deinit(&out);
}

static void
test_names(void **state)
{
	static const char *const unknown[] = {
		"x-nonsuch", "", "utf-8//ignore", "koi8-r ", "../../x",
		"ibm933", "IBM-935", "csIBM1364", "ISO-2022-JP-3",
		"iso-2022-cn-ext",
		"a-name-that-is-much-longer-than-any-charset-name-has-ever-been-1"
	};
	struct buf out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_int_equal(charset_lookup(unknown[i], strlen(unknown[i])),
		    CHARSET_UNKNOWN);
	buf_init(&out, 64);
	assert_int_equal(charset_to_utf8("x-nonsuch", 9, "abc", 3, &out), 1);
	assert_int_equal(out.len, 0);
	buf_deinit(&out);
	assert_int_equal(charset_lookup("US-ASCII", 8), CHARSET_ASCII);
	assert_int_equal(charset_lookup("UTF-8", 5), CHARSET_UTF8);
	assert_int_equal(charset_lookup("Latin1", 6), CHARSET_LATIN1);
	assert_int_equal(charset_lookup("ISO-8859-1", 10), CHARSET_LATIN1);
	assert_int_equal(charset_lookup("CP1252", 6), CHARSET_CP1252);
	assert_int_equal(charset_lookup("ISO-8859-15", 11), CHARSET_ICONV);
	/* The length counts, not a NUL. */
	assert_int_equal(charset_lookup("utf-8xyz", 5), CHARSET_UTF8);
	/* Aliases glibc does not know. */
	EXPECT("x-sjis", "\x93\xfa", "\xe6\x97\xa5");
	EXPECT("ks_c_5601-1987", "\xb0\xa1\xb3\xaa",
	    "\xea\xb0\x80\xeb\x82\x98");
	EXPECT("EUC-KR", "\xb0\xa1", "\xea\xb0\x80");
	EXPECT("x-euc-jp", "\xc6\xfc\xcb\xdc", "\xe6\x97\xa5\xe6\x9c\xac");
	EXPECT("x-gbk", "\xd6\xd0", "\xe4\xb8\xad");
	EXPECT("GB2312", "\xd6\xd0", "\xe4\xb8\xad");
	EXPECT("iso-8859-8-i", "\xf9", "\xd7\xa9");
	EXPECT("x-mac-roman", "\x8e", "\xc3\xa9");
	EXPECT("unicode-1-1-utf-7", "+AOk-", "\xc3\xa9");
	EXPECT("ISO-8859-15", "\xa4", "\xe2\x82\xac");
	EXPECT("windows-1251", "\xcf", "\xd0\x9f");
}

static void
test_cache(void **state)
{
	static const char *const cycle[] = { "koi8-r", "iso-8859-2",
		"windows-1251", "euc-jp", "big5", "iso-8859-15" };
	struct charset_conv a, b;
	struct buf out;
	unsigned long opens;
	int i;

	(void)state;
	charset_cache_clear();
	buf_init(&out, 64);
	opens = charset_cache_opens();
	for (i = 0; i < 1000; i++) {
		buf_reset(&out);
		assert_int_equal(charset_to_utf8("koi8-r", 6, "\xd0", 1, &out),
		    0);
		assert_string_equal(out.data, "\xd0\xbf");
	}
	assert_int_equal(charset_cache_opens() - opens, 1);

	/* A shift state left by a converter that was not finished is gone
	 * for the next user of the descriptor. */
	(void)charset_conv_init(&a, "iso-2022-jp", 11);
	buf_reset(&out);
	(void)charset_conv_feed(&a, "\x1b\x24\x42\x24\x33", 5, &out);
	charset_conv_deinit(&a);
	opens = charset_cache_opens();
	EXPECT("iso-2022-jp", "$3", "$3");
	assert_int_equal(charset_cache_opens() - opens, 0);

	/* Two live converters of one charset: the second has its own. */
	assert_int_equal(charset_conv_init(&a, "iso-2022-jp", 11),
	    CHARSET_ICONV);
	assert_int_equal(charset_conv_init(&b, "iso-2022-jp", 11),
	    CHARSET_ICONV);
	assert_ptr_not_equal(a.cd, b.cd);
	assert_int_equal(charset_cache_opens() - opens, 1);
	buf_reset(&out);
	(void)charset_conv_feed(&a, "\x1b\x24\x42\x24\x33", 5, &out);
	(void)charset_conv_feed(&b, "\x24\x33", 2, &out);
	(void)charset_conv_feed(&a, "\x24\x73", 2, &out);
	assert_string_equal(out.data, "\xe3\x81\x93$3\xe3\x82\x93");
	charset_conv_deinit(&a);
	charset_conv_deinit(&b);

	/* More charsets than entries: each still converts. */
	for (i = 0; i < 3 * (int)(sizeof(cycle) / sizeof(cycle[0])); i++) {
		const char *cs = cycle[i % (sizeof(cycle) / sizeof(cycle[0]))];

		buf_reset(&out);
		assert_int_equal(charset_to_utf8(cs, strlen(cs), "ab", 2, &out),
		    0);
		assert_string_equal(out.data, "ab");
	}

	/* An unknown name is remembered too. */
	(void)charset_lookup("x-nonsuch", 9);
	opens = charset_cache_opens();
	(void)charset_lookup("x-nonsuch", 9);
	assert_int_equal(charset_cache_opens() - opens, 0);
	charset_cache_clear();
	buf_deinit(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_byte_at_a_time),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
