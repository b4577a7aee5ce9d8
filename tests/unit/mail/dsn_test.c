/* SPDX-License-Identifier: MIT */
/* dsn_test - report structure, required fields, quoting, header cutting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mail/dsn.h"
#include "util/buf.h"
#include "util/mem.h"

/* A parsed notification: top headers, boundary and three parts. */
struct parsed {
	char *top; /* unfolded header block */
	char boundary[256];
	char *part_hdr[3];
	char *part_body[3];
	int nparts;
};

static char *
dup_range(const char *p, const char *end)
{
	return xstrndup(p, (size_t)(end - p));
}

/* The value of header name in an unfolded block, or NULL. */
static const char *
field(const char *block, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	const char *p = block, *eol;

	for (; *p != 0; p = eol + 1) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > n + 1 && strncmp(p, name, n) == 0 &&
		    p[n] == ':' && p[n + 1] == ' ') {
			snprintf(out, size, "%.*s", (int)(eol - p - n - 2),
			    p + n + 2);
			return out;
		}
		if (*eol == 0)
			break;
	}
	return NULL;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

/* Parse; fails the test on any structural problem. */
static void
parse(const char *msg, struct parsed *ps)
{
	const char *hend = strstr(msg, "\n\n"), *body, *p, *b;
	char ct[512], delim[300], *q;
	struct buf top;
	int i;

	memset(ps, 0, sizeof(*ps));
	assert_non_null(hend);
	assert_null(strchr(msg, '\r'));
	/* Unfold. */
	buf_init(&top, 65536);
	for (p = msg; p <= hend; p++) {
		if (*p == '\n' && (p[1] == '\t' || p[1] == ' '))
			continue;
		buf_putc(&top, *p);
	}
	ps->top = buf_steal(&top);
	buf_deinit(&top);
	assert_non_null(field(ps->top, "Content-Type", ct, sizeof(ct)));
	assert_non_null(strstr(ct, "multipart/report"));
	assert_non_null(strstr(ct, "report-type=delivery-status"));
	b = strstr(ct, "boundary=\"");
	assert_non_null(b);
	snprintf(ps->boundary, sizeof(ps->boundary), "%s", b + 10);
	q = strchr(ps->boundary, '"');
	assert_non_null(q);
	*q = 0;
	assert_true(strlen(ps->boundary) > 0 && strlen(ps->boundary) <= 70);

	/* The boundary occurs only in the 3 delimiters and the close. */
	body = hend + 2;
	assert_int_equal(count(body, ps->boundary), 4);
	snprintf(delim, sizeof(delim), "\n--%s", ps->boundary);
	p = strstr(body, delim);
	assert_non_null(p);
	for (i = 0; i < 3; i++) {
		const char *start = p + strlen(delim), *next, *phend;

		assert_int_equal(*start, '\n');
		start++;
		next = strstr(start, delim);
		assert_non_null(next);
		phend = strstr(start, "\n\n");
		assert_non_null(phend);
		assert_true(phend <= next);
		ps->part_hdr[i] = dup_range(start, phend + 1);
		ps->part_body[i] = dup_range(phend + 2, next);
		p = next;
		ps->nparts++;
	}
	assert_string_equal(p + strlen(delim), "--\n");
}

static void
parsed_free(struct parsed *ps)
{
	int i;

	xfree(ps->top);
	for (i = 0; i < ps->nparts; i++) {
		xfree(ps->part_hdr[i]);
		xfree(ps->part_body[i]);
	}
}

static const char orig_hdrs[] =
    "Received: from client.example\n\tby mx.example.org\n"
    "From: a@example.org\nTo: b@example.net\nSubject: hello\n"
    "\nbody text that must not appear\n";

static const struct dsn_rcpt two_rcpts[] = {
	{ "b@example.net", "B@example.net", "failed", "5.1.1",
	    "smtp; 550 5.1.1 <b@example.net>: no such user", NULL, NULL, NULL },
	{ "c@example.net", "c@example.net", "failed", "5.0.0",
	    "mail loops back to myself", NULL, NULL, NULL },
};

static struct dsn_msg
basic_msg(void)
{
	struct dsn_msg m = {
		.myhostname = "mx.example.org",
		.queue_id = "3F2A1C0B7",
		.sender = "a@example.org",
		.arrival = { .tv_sec = 1700000000 },
		.orig_headers = orig_hdrs,
		.orig_headers_len = sizeof(orig_hdrs) - 1,
		.rcpt = two_rcpts,
		.nrcpt = 2,
	};

	return m;
}

static void
test_bounce_structure(void **state)
{
	struct dsn_msg m = basic_msg();
	struct buf *out = buf_create(1024 * 1024);
	struct parsed ps;
	const char *err;
	char v[512];

	assert_int_equal(dsn_build(&m, out, &err), 0);
	parse(buf_cstr(out), &ps);
	assert_string_equal(field(ps.top, "From", v, sizeof(v)),
	    "MAILER-DAEMON@mx.example.org (Mail Delivery System)");
	assert_string_equal(field(ps.top, "To", v, sizeof(v)),
	    "<a@example.org>");
	assert_string_equal(field(ps.top, "Subject", v, sizeof(v)),
	    "Undelivered Mail Returned to Sender");
	assert_string_equal(field(ps.top, "Auto-Submitted", v, sizeof(v)),
	    "auto-replied");
	assert_string_equal(field(ps.top, "MIME-Version", v, sizeof(v)), "1.0");
	assert_non_null(field(ps.top, "Date", v, sizeof(v)));
	assert_non_null(strchr(v, ','));
	assert_non_null(field(ps.top, "Message-ID", v, sizeof(v)));
	assert_true(v[0] == '<' && strstr(v, "@mx.example.org>") != NULL);

	assert_non_null(strstr(ps.part_hdr[0], "Content-Type: text/plain"));
	assert_non_null(strstr(ps.part_body[0],
	    "This is the mail system at host mx.example.org."));
	assert_non_null(strstr(ps.part_body[0], "<b@example.net>"));

	assert_non_null(
	    strstr(ps.part_hdr[1], "Content-Type: message/delivery-status"));
	assert_string_equal(field(ps.part_body[1], "Reporting-MTA", v,
				sizeof(v)),
	    "dns; mx.example.org");
	assert_string_equal(field(ps.part_body[1], "X-Tern-Queue-ID", v,
				sizeof(v)),
	    "3F2A1C0B7");
	assert_non_null(field(ps.part_body[1], "Arrival-Date", v, sizeof(v)));
	assert_int_equal(count(ps.part_body[1], "\nFinal-Recipient: rfc822; "),
	    2);
	/* Original-Recipient only where it differs. */
	assert_int_equal(count(ps.part_body[1], "Original-Recipient:"), 1);
	assert_non_null(strstr(ps.part_body[1],
	    "\nFinal-Recipient: rfc822; b@example.net\n"
	    "Original-Recipient: rfc822; B@example.net\n"
	    "Action: failed\nStatus: 5.1.1\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 <b@example.net>: no such user\n"));
	assert_non_null(strstr(ps.part_body[1],
	    "\nFinal-Recipient: rfc822; c@example.net\n"
	    "Action: failed\nStatus: 5.0.0\n"
	    "Diagnostic-Code: x-tern; mail loops back to myself\n"));

	assert_non_null(
	    strstr(ps.part_hdr[2], "Content-Type: text/rfc822-headers"));
	assert_string_equal(ps.part_body[2],
	    "Received: from client.example\n\tby mx.example.org\n"
	    "From: a@example.org\nTo: b@example.net\nSubject: hello\n");
	parsed_free(&ps);
	buf_destroy(&out);
}

static void
test_delay(void **state)
{
	static const struct dsn_rcpt r[] = {
		{ "b@example.net", NULL, "delayed", "4.4.1",
		    "x-tern; connect to mx.example.net: timed out", NULL, NULL,
		    NULL },
	};
	struct dsn_msg m = basic_msg();
	struct buf *out = buf_create(1024 * 1024);
	struct parsed ps;
	const char *err;
	char v[512];

	m.kind = DSN_KIND_DELAY;
	m.rcpt = r;
	m.nrcpt = 1;
	assert_int_equal(dsn_build(&m, out, &err), 0);
	parse(buf_cstr(out), &ps);
	assert_string_equal(field(ps.top, "Subject", v, sizeof(v)),
	    "Delayed Mail (still being retried)");
	assert_string_equal(field(ps.part_body[1], "Action", v, sizeof(v)),
	    "delayed");
	assert_string_equal(field(ps.part_body[1], "Diagnostic-Code", v,
				sizeof(v)),
	    "x-tern; connect to mx.example.net: timed out");
	assert_int_equal(count(ps.part_body[1], "Original-Recipient"), 0);
	parsed_free(&ps);
	buf_destroy(&out);
}

/* NOTIFY=SUCCESS reports: their subject, the sender's ENVID and ORCPT
 * (which wins over the address given at RCPT), and headers only. */
static void
test_success_envid_orcpt(void **state)
{
	static const struct dsn_rcpt r[] = {
		{ "b@example.net", "list@example.net", "relayed", "2.0.0",
		    "250 ok", "rfc822;Bee@Example.net", NULL, NULL },
		{ "c@example.net", NULL, "delivered", "2.0.0", "delivered",
		    NULL, NULL, NULL },
	};
	struct dsn_msg m = basic_msg();
	struct buf *out = buf_create(1024 * 1024);
	struct parsed ps;
	const char *err;
	char v[512];

	(void)state;
	m.kind = DSN_KIND_SUCCESS;
	m.envid = "QQ+314";
	m.rcpt = r;
	m.nrcpt = 2;
	assert_int_equal(dsn_build(&m, out, &err), 0);
	parse(buf_cstr(out), &ps);
	assert_string_equal(field(ps.top, "Subject", v, sizeof(v)),
	    "Successful Mail Delivery Report");
	/* RFC 3464 2.2: Original-Envelope-Id comes first. */
	assert_true(
	    strncmp(ps.part_body[1],
		"Original-Envelope-Id: QQ+314\n			", 29) == 0);
	assert_non_null(strstr(ps.part_body[1],
	    "\nFinal-Recipient: rfc822; b@example.net\n"
	    "Original-Recipient: rfc822; Bee@Example.net\n"
	    "Action: relayed\nStatus: 2.0.0\n"));
	assert_non_null(strstr(ps.part_body[1],
	    "\nFinal-Recipient: rfc822; c@example.net\n"
	    "Action: delivered\n"));
	assert_non_null(
	    strstr(ps.part_hdr[2], "Content-Type: text/rfc822-headers"));
	parsed_free(&ps);

	/* A type that is not an atom is refused, not written. */
	{
		struct dsn_rcpt bad = r[0];

		bad.orcpt = "rfc 822\n;x";
		m.rcpt = &bad;
		m.nrcpt = 1;
		assert_int_equal(dsn_build(&m, out, &err), -1);
	}
	buf_destroy(&out);
}

/* A failure at the next hop: its name as Remote-MTA, its reply as an
 * smtp Diagnostic-Code, and the reason for people in part 1. */
static void
test_remote_mta(void **state)
{
	static const struct dsn_rcpt r[] = {
		{ "b@example.net", NULL, "failed", "5.1.1",
		    "smtp; 550 5.1.1 no such user", NULL, "mx.example.net",
		    "host mx.example.net[192.0.2.9] said: 550 5.1.1 no such "
		    "user (in reply to RCPT TO command)" },
	};
	struct dsn_msg m = basic_msg();
	struct buf *out = buf_create(1024 * 1024);
	struct parsed ps;
	const char *err;

	(void)state;
	m.rcpt = r;
	m.nrcpt = 1;
	assert_int_equal(dsn_build(&m, out, &err), 0);
	parse(buf_cstr(out), &ps);
	assert_non_null(strstr(ps.part_body[1],
	    "Action: failed\nStatus: 5.1.1\n"
	    "Remote-MTA: dns; mx.example.net\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 no such user\n"));
	assert_non_null(strstr(ps.part_body[0],
	    "<b@example.net>: host mx.example.net[192.0.2.9] said: 550"));
	parsed_free(&ps);
	buf_destroy(&out);
}

/* A bounce that returns the whole message (RET=FULL or no RET): a
 * message/rfc822 part with every byte, the boundary kept out of it. */
static void
test_whole_message(void **state)
{
	static const char content[] = "Subject: hello\n\nthe body\n"
				      "--3F2A1C0B7.1700000000\nmore\n";
	struct dsn_msg m = basic_msg();
	struct buf *out = buf_create(1024 * 1024);
	struct parsed ps;
	const char *err;

	(void)state;
	m.orig_content = content;
	m.orig_content_len = sizeof(content) - 1;
	m.header_limit = 16; /* limits the headers, never the message */
	assert_int_equal(dsn_build(&m, out, &err), 0);
	parse(buf_cstr(out), &ps);
	assert_non_null(strstr(ps.part_hdr[2], "Content-Type: message/rfc822"));
	assert_string_equal(ps.part_body[2], content);
	assert_non_null(strstr(ps.part_body[0], "your message is\nattached"));
	parsed_free(&ps);
	buf_destroy(&out);
}

/* Peer text cannot add header lines or boundaries. */
static void
test_injection(void **state)
{
	static const struct dsn_rcpt r[] = {
		{ "b@x\nFrom: evil", "o\r\nBcc: evil", "failed", "5.7.1",
		    "smtp; 550 no\r\nFrom: evil\n\n--3F2A1C0B7.\xff", NULL,
		    NULL, NULL },
	};
	struct dsn_msg m = basic_msg();
	struct buf *out = buf_create(1024 * 1024);
	struct parsed ps;
	const char *err;

	m.sender = "a@x\nBcc: evil@example";
	m.rcpt = r;
	m.nrcpt = 1;
	assert_int_equal(dsn_build(&m, out, &err), 0);
	parse(buf_cstr(out), &ps);
	assert_null(strstr(buf_cstr(out), "\nFrom: evil"));
	assert_null(strstr(buf_cstr(out), "\nBcc:"));
	assert_non_null(strstr(ps.part_body[1],
	    "Final-Recipient: rfc822; b@x From: evil\n"));
	assert_non_null(strstr(ps.part_body[1],
	    "Diagnostic-Code: smtp; 550 no  From: evil  --3F2A1C0B7.?\n"));
	parsed_free(&ps);
	buf_destroy(&out);
}

/* Part 3 is the headers cut at the limit, on a line boundary. */
static void
test_header_limit_every_cut(void **state)
{
	static const char h[] = "A: 1\nBb: 22\n\tfolded\nCcc: 333\nD: 4";
	struct dsn_msg m = basic_msg();
	struct buf *out = buf_create(1024 * 1024);
	struct parsed ps;
	const char *err;
	size_t limit, n = sizeof(h) - 1, i;
	char want[64];

	m.orig_headers = h;
	m.orig_headers_len = n;
	for (limit = 1; limit <= n + 3; limit++) {
		m.header_limit = limit;
		assert_int_equal(dsn_build(&m, out, &err), 0);
		parse(buf_cstr(out), &ps);
		if (limit >= n) {
			snprintf(want, sizeof(want), "%s\n", h);
		} else {
			for (i = limit; i > 0 && h[i - 1] != '\n'; i--)
				;
			snprintf(want, sizeof(want), "%.*s", (int)i, h);
		}
		assert_string_equal(ps.part_body[2], want);
		parsed_free(&ps);
	}
	/* No headers at all; 8-bit headers are labelled. */
	m.orig_headers = NULL;
	m.orig_headers_len = 0;
	assert_int_equal(dsn_build(&m, out, &err), 0);
	parse(buf_cstr(out), &ps);
	assert_string_equal(ps.part_body[2], "");
	assert_non_null(strstr(ps.top, "Content-Transfer-Encoding: 7bit"));
	parsed_free(&ps);
	m.orig_headers = "Subject: caf\xc3\xa9\n";
	m.orig_headers_len = strlen(m.orig_headers);
	m.header_limit = 0;
	assert_int_equal(dsn_build(&m, out, &err), 0);
	parse(buf_cstr(out), &ps);
	assert_non_null(
	    strstr(ps.part_hdr[2], "Content-Transfer-Encoding: 8bit"));
	assert_string_equal(ps.part_body[2], "Subject: caf\xc3\xa9\n");
	parsed_free(&ps);
	buf_destroy(&out);
}

static void
test_bad_input(void **state)
{
	static const struct dsn_rcpt bad_status[] = { { "b@x", NULL, "failed",
	    "5.1", NULL, NULL, NULL, NULL } };
	static const struct dsn_rcpt bad_status2[] = { { "b@x", NULL, "failed",
	    "3.1.1", NULL, NULL, NULL, NULL } };
	static const struct dsn_rcpt bad_status3[] = { { "b@x", NULL, "failed",
	    "5.1.1000", NULL, NULL, NULL, NULL } };
	static const struct dsn_rcpt bad_action[] = { { "b@x", NULL, "bounced",
	    "5.1.1", NULL, NULL, NULL, NULL } };
	static const struct dsn_rcpt no_final[] = { { "", NULL, "failed",
	    "5.1.1", NULL, NULL, NULL, NULL } };
	struct dsn_msg m;
	struct buf *out = buf_create(1024 * 1024), *tiny = buf_create(200);
	const char *err;
	int i;

	for (i = 0; i < 10; i++) {
		m = basic_msg();
		switch (i) {
		case 0:
			m.myhostname = "";
			break;
		case 1:
			m.myhostname = "mx example";
			break;
		case 2:
			m.queue_id = "../x";
			break;
		case 3:
			m.sender = "";
			break;
		case 4:
			m.nrcpt = 0;
			break;
		case 5:
			m.rcpt = bad_status;
			m.nrcpt = 1;
			break;
		case 6:
			m.rcpt = bad_status2;
			m.nrcpt = 1;
			break;
		case 7:
			m.rcpt = bad_status3;
			m.nrcpt = 1;
			break;
		case 8:
			m.rcpt = bad_action;
			m.nrcpt = 1;
			break;
		case 9:
			m.rcpt = no_final;
			m.nrcpt = 1;
			break;
		}
		buf_puts(out, "old");
		err = NULL;
		assert_int_equal(dsn_build(&m, out, &err), -1);
		assert_non_null(err);
		assert_int_equal(buf_len(out), 0);
	}
	m = basic_msg();
	assert_int_equal(dsn_build(&m, tiny, &err), -1);
	assert_int_equal(buf_len(tiny), 0);
	buf_destroy(&out);
	buf_destroy(&tiny);
}

static void
test_unique_ids(void **state)
{
	struct dsn_msg m = basic_msg();
	struct buf *a = buf_create(1 << 20), *b = buf_create(1 << 20);
	struct parsed pa, pb;
	const char *err;
	char va[256], vb[256];

	assert_int_equal(dsn_build(&m, a, &err), 0);
	assert_int_equal(dsn_build(&m, b, &err), 0);
	parse(buf_cstr(a), &pa);
	parse(buf_cstr(b), &pb);
	assert_string_not_equal(pa.boundary, pb.boundary);
	parsed_free(&pa);
	parsed_free(&pb);
	/* A long host name still gives a boundary of at most 70. */
	m.myhostname = "a-very-long-host-name.in-a-very-long-subdomain.of-a-"
		       "long-domain.example";
	assert_int_equal(dsn_build(&m, a, &err), 0);
	assert_int_equal(dsn_build(&m, b, &err), 0);
	parse(buf_cstr(a), &pa);
	parse(buf_cstr(b), &pb);
	assert_string_not_equal(pa.boundary, pb.boundary);
	assert_string_not_equal(field(pa.top, "Message-ID", va, sizeof(va)),
	    field(pb.top, "Message-ID", vb, sizeof(vb)));
	parsed_free(&pa);
	parsed_free(&pb);
	buf_destroy(&a);
	buf_destroy(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounce_structure),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_success_envid_orcpt),
		cmocka_unit_test(test_whole_message),
		cmocka_unit_test(test_remote_mta),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_header_limit_every_cut),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_unique_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
