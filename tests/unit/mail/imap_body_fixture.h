/* imap_body_fixture - what imap_body_test and imap_section_test share:
 * an output bound, a buffer comparison that shows both sides, and the
 * multipart message both take apart (LF line ends, as local stores it;
 * to_crlf makes its CRLF twin). Include after cmocka.h; test code only. */
#ifndef TERN_TEST_IMAP_BODY_FIXTURE_H
#define TERN_TEST_IMAP_BODY_FIXTURE_H

#include <string.h>

#include "util/buf.h"

#define OUT_MAX (1024 * 1024)

static __attribute__((unused)) void
assert_buf(const struct buf *b, const char *want, size_t n)
{
	if (b->len != n || memcmp(b->data, want, n) != 0)
		fail_msg("got [%.*s] (%zu), want [%.*s] (%zu)", (int)b->len,
		    b->data, b->len, (int)n, want, n);
}

#define ASSERT_BUF(b, lit) assert_buf((b), (lit), sizeof(lit) - 1)

/* A multipart/mixed of a quoted-printable text, a base64 attachment, a
 * multipart/alternative and a message/rfc822, with LF line ends. */
static const char mixed[] =
    "From: Alice Example <alice@example.org>\n"
    "To: bob@example.net\n"
    "Subject: Report\n"
    "Date: Mon, 7 Dec 2026 10:00:00 +0000\n"
    "Message-ID: <m1@example.org>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "preamble\n"
    "--outer\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "caf=C3=A9 au lait=\n"
    " ok\n"
    "--outer\n"
    "Content-Type: application/pdf; name=\"r.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "Content-Disposition: attachment; filename=\"r.pdf\"\n"
    "\n"
    "aGVsbG8g\n"
    "d29ybGQ=\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=\"alt\"\n"
    "\n"
    "--alt\n"
    "Content-Type: text/plain\n"
    "\n"
    "plain\n"
    "--alt\n"
    "Content-Type: text/html\n"
    "\n"
    "<b>html</b>\n"
    "--alt--\n"
    "--outer\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "From: carol@example.com\n"
    "Subject: inner\n"
    "Content-Type: text/plain\n"
    "\n"
    "inner body\n"
    "--outer--\n";

/* Part 1: "caf=C3=A9 au lait=\n ok" is 22 bytes, 23 on the wire, one
 * line end (the LF before a delimiter is the delimiter's). Part 2:
 * "aGVsbG8g\nd29ybGQ=" is 17, 18. Parts 3.1 "plain" and 3.2
 * "<b>html</b>": no line end. Part 4's body, the message: 24 + 15 + 25 +
 * 1 + 10 bytes and four LFs = 79, four line ends. */
/* The message with CRLF line ends. */
static __attribute__((unused)) char *
to_crlf(const char *lf)
{
	struct buf b;
	const char *p;

	buf_init(&b, OUT_MAX);
	for (p = lf; *p != 0; p++) {
		if (*p == '\n')
			(void)buf_putc(&b, '\r');
		(void)buf_putc(&b, (unsigned char)*p);
	}
	return buf_steal(&b);
}

#endif
