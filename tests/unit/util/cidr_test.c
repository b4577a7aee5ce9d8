/* SPDX-License-Identifier: MIT */
/* cidr_test - network pattern syntax and address matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "util/cidr.h"

static const struct {
	const char *pattern;
	const char *addr;
	int match;
} cases[] = {
	{ "127.0.0.0/8", "127.0.0.1", 1 },
	{ "127.0.0.0/8", "127.255.255.255", 1 },
	{ "127.0.0.0/8", "128.0.0.1", 0 },
	{ "192.0.2.7", "192.0.2.7", 1 },
	{ "192.0.2.7", "192.0.2.6", 0 },
	{ "192.0.2.0/25", "192.0.2.127", 1 },
	{ "192.0.2.0/25", "192.0.2.128", 0 },
	{ "192.0.2.0/31", "192.0.2.1", 1 },
	{ "0.0.0.0/0", "203.0.113.9", 1 },
	{ "0.0.0.0/0", "::1", 0 },
	{ "[::1]/128", "::1", 1 },
	{ "[::1]", "::2", 0 },
	{ "::1", "::1", 1 },
	{ "2001:db8::/32", "2001:DB8:FFFF::1", 1 },
	{ "2001:db8::/33", "2001:db8:8000::1", 0 },
	{ "[::ffff:127.0.0.0]/104", "::ffff:127.0.0.1", 1 },
	{ "10.0.0.0/8", "::ffff:10.9.8.7", 1 },
	{ "10.0.0.0/8", "::10.9.8.7", 0 },
	{ "10.0.0.0/8", "10.0.0", 0 },
	{ "10.0.0.0/8", "", 0 },
	{ "10.0.0.0/8", "[10.0.0.1]", 0 },
};

static void
test_match(void **state)
{
	struct cidr c;
	const char *error;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cidr_parse(cases[i].pattern, &c, &error), 0);
		if (cidr_match(&c, cases[i].addr) != cases[i].match)
			fail_msg("%s ~ %s: want %d", cases[i].pattern,
			    cases[i].addr, cases[i].match);
	}
}

static const struct {
	const char *pattern, *error;
} bad[] = {
	{ "192.0.2.1/24", "address has bits set beyond the prefix length" },
	{ "2001:db8::1/32", "address has bits set beyond the prefix length" },
	{ "192.0.2.0/33", "bad prefix length" },
	{ "192.0.2.0/", "bad prefix length" },
	{ "192.0.2.0/-1", "bad prefix length" },
	{ "192.0.2.0/8x", "bad prefix length" },
	{ "::/129", "bad prefix length" },
	{ "[192.0.2.1]", "not an IPv4 or IPv6 address" },
	{ "[::1", "missing \"]\" in address" },
	{ "example.com", "not an IPv4 or IPv6 address" },
	{ "", "not an IPv4 or IPv6 address" },
	{ "1.2.3", "not an IPv4 or IPv6 address" },
};

static void
test_bad_patterns(void **state)
{
	struct cidr c;
	const char *error;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error = NULL;
		if (cidr_parse(bad[i].pattern, &c, &error) != -1)
			fail_msg("%s: accepted", bad[i].pattern);
		assert_string_equal(error, bad[i].error);
	}
	assert_int_equal(cidr_parse("192.0.2.0/24", &c, &error), 0);
	assert_int_equal(c.family, AF_INET);
	assert_int_equal(c.bits, 24);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_bad_patterns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
