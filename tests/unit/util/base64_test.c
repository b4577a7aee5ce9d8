/* SPDX-License-Identifier: MIT */
/* base64_test - RFC 4648 section 10 vectors both ways, every refusal the
 * strict decoder makes, buffer limits and a round trip of all lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/base64.h"
#include "util/buf.h"

static const struct {
	const char *raw, *text;
} vectors[] = {
	/* RFC 4648 10 */
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
	/* every character of the alphabet */
	{ "\x00\x10\x83\x10\x51\x87\x20\x92\x8b\x30\xd3\x8f\x41\x14\x93\x51"
	  "\x55\x97\x61\x96\x9b\x71\xd7\x9f\x82\x18\xa3\x92\x59\xa7\xa2\x9a"
	  "\xab\xb2\xdb\xaf\xc3\x1c\xb3\xd3\x5d\xb7\xe3\x9e\xbb\xf3\xdf\xbf",
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" },
};

static void
test_vectors(void **state)
{
	struct buf b;
	const char *error;
	size_t i, n;

	(void)state;
	buf_init(&b, 1024);
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		/* The first byte of the alphabet vector is a NUL. */
		n = i == sizeof(vectors) / sizeof(vectors[0]) - 1
		    ? 48
		    : strlen(vectors[i].raw);
		buf_reset(&b);
		assert_int_equal(base64_encode(vectors[i].raw, n, &b), 0);
		assert_string_equal(buf_cstr(&b), vectors[i].text);
		assert_int_equal(base64_encoded_len(n),
		    strlen(vectors[i].text));
		buf_reset(&b);
		error = NULL;
		assert_int_equal(base64_decode(vectors[i].text,
				     strlen(vectors[i].text), &b, &error),
		    0);
		assert_int_equal(buf_len(&b), n);
		assert_memory_equal(b.data, vectors[i].raw, n);
	}
	buf_deinit(&b);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"=",        /* SMTP's empty response: the caller's business */
		"Zg=",      /* length */
		"Zg",       /* unpadded */
		"Zm9",      /* unpadded */
		"Zh==",     /* non-zero trailing bits */
		"Zm9=",     /* non-zero trailing bits */
		"Z===",     /* too much padding */
		"====",     /* padding only */
		"Zg==Zg==", /* padding in the middle */
		"Z=g=",     /* '=' before data */
		"Zm 9v",    /* white space */
		"Zm9v\r\n", /* line break */
		" Zm9v",    /* leading space */
		"Zm9v\n",   /* trailing newline */
		"Zm-_",     /* URL-safe alphabet */
		"Zm9\x80",  /* eight-bit */
		"Zm\0v",    /* NUL (length 4 below) */
	};
	struct buf b;
	const char *error;
	size_t i, len;

	(void)state;
	buf_init(&b, 1024);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len =
		    i == sizeof(bad) / sizeof(bad[0]) - 1 ? 4 : strlen(bad[i]);
		/* A refusal leaves what was in out untouched. */
		buf_set(&b, "keep");
		error = NULL;
		assert_int_equal(base64_decode(bad[i], len, &b, &error), -1);
		assert_non_null(error);
		assert_string_equal(buf_cstr(&b), "keep");
	}
	buf_deinit(&b);
}

static void
test_limits(void **state)
{
	struct buf b;
	const char *error;

	(void)state;
	buf_init(&b, 5);
	assert_int_equal(base64_encode("abc", 3, &b), 0);
	assert_int_equal(base64_encode("a", 1, &b), -1);
	assert_string_equal(buf_cstr(&b), "YWJj");
	buf_reset(&b);
	assert_int_equal(base64_decode("Zm9vYmE=", 8, &b, &error), 0);
	assert_int_equal(base64_decode("Zm9vYmFy", 8, &b, &error), -1);
	assert_int_equal(buf_len(&b), 5);
	buf_reset(&b);
	assert_int_equal(base64_decode("Zm9vYmFy", 8, &b, &error), -1);
	assert_int_equal(buf_len(&b), 0);
	assert_int_equal(base64_encoded_len(SIZE_MAX), SIZE_MAX);
	buf_deinit(&b);
}

/* Every length 0..200 of every byte value pattern round-trips, and the
 * decoder refuses the encoding cut at any point that is not a group end. */
static void
test_round_trip(void **state)
{
	unsigned char raw[200];
	struct buf enc, dec;
	const char *error;
	size_t n, cut;

	(void)state;
	for (n = 0; n < sizeof(raw); n++)
		raw[n] = (unsigned char)(n * 37 + 11);
	buf_init(&enc, 1024);
	buf_init(&dec, 1024);
	for (n = 0; n <= sizeof(raw); n++) {
		buf_reset(&enc);
		buf_reset(&dec);
		assert_int_equal(base64_encode(raw, n, &enc), 0);
		assert_int_equal(base64_decode(enc.data, enc.len, &dec, &error),
		    0);
		assert_int_equal(dec.len, n);
		assert_memory_equal(dec.data, raw, n);
		for (cut = 0; cut < enc.len; cut++) {
			buf_reset(&dec);
			assert_int_equal(base64_decode(enc.data, cut, &dec,
					     &error),
			    cut % 4 == 0 ? 0 : -1);
		}
	}
	buf_deinit(&enc);
	buf_deinit(&dec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
