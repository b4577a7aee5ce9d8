/* SPDX-License-Identifier: MIT */
/* dns_reply_test - the DNS message parser on messages built here byte by
 * byte: answers, compression, CNAME chains, null MX, and malformed input;
 * and the MX ordering rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/dns.h"
#include "dns/dns_reply.h"

struct msg {
	unsigned char b[1024];
	size_t n;
};

static void
put8(struct msg *m, unsigned v)
{
	m->b[m->n++] = (unsigned char)v;
}

static void
put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void
put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

/* A name in wire form from "a.b.c" (no compression). */
static void
put_name(struct msg *m, const char *name)
{
	while (*name != 0) {
		const char *dot = strchr(name, '.');
		size_t len = dot != NULL ? (size_t)(dot - name) : strlen(name);

		put8(m, (unsigned)len);
		memcpy(m->b + m->n, name, len);
		m->n += len;
		name += len;
		if (*name == '.')
			name++;
	}
	put8(m, 0);
}

static void
put_ptr(struct msg *m, size_t off)
{
	put16(m, 0xc000 | (unsigned)off);
}

/* Header of a response with rcode, one question, an answers. The question
 * name starts at offset 12. */
static void
start(struct msg *m, unsigned rcode, unsigned an, const char *qname,
    unsigned qtype)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, 0x8180 | rcode); /* QR, RD, RA */
	put16(m, 1);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, qtype);
	put16(m, DNS_C_IN);
}

/* The fixed part of a record whose owner is the question name; returns
 * the offset of RDLENGTH to patch. */
static size_t
rr_head(struct msg *m, unsigned type)
{
	size_t at;

	put_ptr(m, 12);
	put16(m, type);
	put16(m, DNS_C_IN);
	put32(m, 300);
	at = m->n;
	put16(m, 0);
	return at;
}

static void
rr_end(struct msg *m, size_t at)
{
	size_t len = m->n - at - 2;

	m->b[at] = (unsigned char)(len >> 8);
	m->b[at + 1] = (unsigned char)len;
}

static void
test_mx_answer(void **state)
{
	struct msg m;
	struct dns_reply *r;
	const char *error;
	size_t at;

	(void)state;
	start(&m, 0, 2, "Example.ORG", DNS_T_MX);
	at = rr_head(&m, DNS_T_MX);
	put16(&m, 20);
	put_name(&m, "MX2.example.org");
	rr_end(&m, at);
	at = rr_head(&m, DNS_T_MX);
	put16(&m, 10);
	put8(&m, 3);
	memcpy(m.b + m.n, "mx1", 3);
	m.n += 3;
	put_ptr(&m, 12); /* "mx1" + the question's name */
	rr_end(&m, at);
	assert_int_equal(dns_reply_parse(m.b, m.n, "example.org.", DNS_T_MX, &r,
			     &error),
	    0);
	assert_int_equal(r->rcode, 0);
	assert_int_equal(r->nrr, 2);
	assert_int_equal(r->rr[0].pref, 20);
	assert_string_equal(r->rr[0].name, "mx2.example.org");
	assert_int_equal(r->rr[1].pref, 10);
	assert_string_equal(r->rr[1].name, "mx1.example.org");
	assert_int_equal(r->rr[1].ttl, 300);
	dns_reply_free(&r);
	assert_null(r);
}

static void
test_null_mx(void **state)
{
	struct msg m;
	struct dns_reply *r;
	const char *error;
	size_t at;

	(void)state;
	start(&m, 0, 1, "nomail.example", DNS_T_MX);
	at = rr_head(&m, DNS_T_MX);
	put16(&m, 0);
	put8(&m, 0); /* the root: "." (RFC 7505) */
	rr_end(&m, at);
	assert_int_equal(dns_reply_parse(m.b, m.n, "nomail.example", DNS_T_MX,
			     &r, &error),
	    0);
	assert_int_equal(r->nrr, 1);
	assert_string_equal(r->rr[0].name, "");
	dns_reply_free(&r);
}

static void
test_cname_chain(void **state)
{
	struct msg m;
	struct dns_reply *r;
	const char *error;
	size_t at, target;

	(void)state;
	start(&m, 0, 3, "www.example.com", DNS_T_A);
	at = rr_head(&m, DNS_T_CNAME);
	target = m.n;
	put_name(&m, "host.example.net");
	rr_end(&m, at);
	/* An A record for another owner is not an answer. */
	put_name(&m, "other.example");
	put16(&m, DNS_T_A);
	put16(&m, DNS_C_IN);
	put32(&m, 60);
	put16(&m, 4);
	put32(&m, 0x0a000001);
	/* The alias's target, by pointer. */
	put_ptr(&m, target);
	put16(&m, DNS_T_A);
	put16(&m, DNS_C_IN);
	put32(&m, 60);
	put16(&m, 4);
	put32(&m, 0x7f000102);
	assert_int_equal(dns_reply_parse(m.b, m.n, "www.example.com", DNS_T_A,
			     &r, &error),
	    0);
	assert_int_equal(r->nrr, 1);
	assert_memory_equal(r->rr[0].addr, "\x7f\x00\x01\x02", 4);
	dns_reply_free(&r);
}

static void
test_rcode_and_flags(void **state)
{
	struct msg m;
	struct dns_reply *r;
	const char *error;

	(void)state;
	start(&m, DNS_RCODE_NXDOMAIN, 0, "gone.example", DNS_T_MX);
	m.b[2] |= 0x04; /* AA */
	assert_int_equal(dns_reply_parse(m.b, m.n, "gone.example", DNS_T_MX, &r,
			     &error),
	    0);
	assert_int_equal(r->rcode, DNS_RCODE_NXDOMAIN);
	assert_int_equal(r->authoritative, 1);
	assert_int_equal(r->nrr, 0);
	dns_reply_free(&r);
}

static void
expect_bad(const struct msg *m, const char *qname, unsigned qtype)
{
	struct dns_reply *r = (struct dns_reply *)1;
	const char *error = NULL;

	assert_int_equal(dns_reply_parse(m->b, m->n, qname, (uint16_t)qtype, &r,
			     &error),
	    -1);
	assert_null(r);
	assert_non_null(error);
}

static void
test_malformed(void **state)
{
	struct msg m;
	size_t at, cut;

	(void)state;
	/* A query, not a response. */
	start(&m, 0, 0, "a.example", DNS_T_A);
	m.b[2] &= 0x7f;
	expect_bad(&m, "a.example", DNS_T_A);

	/* Cut anywhere inside a record: never read past the end. */
	start(&m, 0, 1, "a.example", DNS_T_MX);
	at = rr_head(&m, DNS_T_MX);
	put16(&m, 5);
	put_name(&m, "mx.a.example");
	rr_end(&m, at);
	for (cut = 0; cut < m.n; cut++) {
		struct msg c = m;

		c.n = cut;
		expect_bad(&c, "a.example", DNS_T_MX);
	}

	/* A pointer to itself, and a pointer forward. */
	start(&m, 0, 1, "a.example", DNS_T_A);
	put_ptr(&m, m.n);
	put16(&m, DNS_T_A);
	put16(&m, DNS_C_IN);
	put32(&m, 1);
	put16(&m, 4);
	put32(&m, 1);
	expect_bad(&m, "a.example", DNS_T_A);
	start(&m, 0, 1, "a.example", DNS_T_A);
	put_ptr(&m, m.n + 2);
	put_name(&m, "a.example");
	expect_bad(&m, "a.example", DNS_T_A);

	/* An MX exchange that does not fill RDLENGTH exactly. */
	start(&m, 0, 1, "a.example", DNS_T_MX);
	at = rr_head(&m, DNS_T_MX);
	put16(&m, 5);
	put_name(&m, "mx.a.example");
	put8(&m, 0);
	rr_end(&m, at);
	expect_bad(&m, "a.example", DNS_T_MX);

	/* An A record of the wrong length. */
	start(&m, 0, 1, "a.example", DNS_T_A);
	at = rr_head(&m, DNS_T_A);
	put16(&m, 1);
	rr_end(&m, at);
	expect_bad(&m, "a.example", DNS_T_A);

	/* A label holding a dot would make the name ambiguous. */
	start(&m, 0, 1, "a.example", DNS_T_MX);
	at = rr_head(&m, DNS_T_MX);
	put16(&m, 5);
	put8(&m, 3);
	memcpy(m.b + m.n, "x.y", 3);
	m.n += 3;
	put8(&m, 0);
	rr_end(&m, at);
	expect_bad(&m, "a.example", DNS_T_MX);
}

static void
test_name_equal(void **state)
{
	(void)state;
	assert_true(dns_name_equal("Example.COM.", "example.com"));
	assert_true(dns_name_equal("", "."));
	assert_false(dns_name_equal("example.co", "example.com"));
	assert_false(dns_name_equal("a.example", "b.example"));
}

static unsigned
rnd_last(unsigned bound)
{
	return bound - 1;
}

static unsigned
rnd_first(unsigned bound)
{
	(void)bound;
	return 0;
}

static void
test_mx_sort(void **state)
{
	struct dns_mx mx[] = {
		{ "c", 20 },
		{ "a", 10 },
		{ "d", 30 },
		{ "b", 10 },
		{ "e", 20 },
	};
	char got[6];
	size_t i;

	(void)state;
	dns_mx_sort(mx, 5, rnd_last);
	for (i = 0; i < 5; i++)
		got[i] = mx[i].host[0];
	got[5] = 0;
	assert_string_equal(got, "abced");
	/* Equal preferences move, different ones never do. */
	dns_mx_sort(mx, 5, rnd_first);
	for (i = 0; i < 5; i++)
		got[i] = mx[i].host[0];
	assert_string_equal(got, "baecd");
	assert_int_equal(mx[0].pref, 10);
	assert_int_equal(mx[2].pref, 20);
	assert_int_equal(mx[4].pref, 30);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mx_answer),
		cmocka_unit_test(test_null_mx),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_rcode_and_flags),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_name_equal),
		cmocka_unit_test(test_mx_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
