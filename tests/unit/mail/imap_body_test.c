/* SPDX-License-Identifier: MIT */
/* imap_body_test - IMAP strings (quoted, literal, literal8, NIL); ENVELOPE
 * of a typical message, groups, missing and empty fields, quoting and
 * literals; BODY and BODYSTRUCTURE of text/plain, multipart/mixed with a
 * base64 attachment, multipart/alternative nested in it, message/rfc822
 * nested, multipart/digest, an empty multipart and RFC 2231 parameters,
 * from LF-only input (wire sizes and line counts) and from the same
 * message in CRLF (the same output); section parsing (valid and BAD
 * forms, the limits); the sections 1, 3.1, 2.MIME, HEADER.FIELDS,
 * HEADER.FIELDS.NOT, TEXT and HEADER of a message/rfc822 part, parts
 * beyond the tree, BINARY of base64 and quoted-printable parts and an
 * unknown encoding; a FETCH from imap_parse; the partial <a.b>; every
 * writer cut by its buffer's maximum; every prefix of a message and of a
 * section text. Expected strings follow RFC 9051 9's grammar (and RFC
 * 3501 7.4.2's example, whose ENVELOPE is checked as it stands but for
 * the space that example puts between addresses, which the grammar has
 * not). The writers were also run, outside this file, on the messages of
 * Dovecot's own BODYSTRUCTURE and ENVELOPE tests: equal to what those
 * expect but for the case of tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mail/imap_body.h"
#include "mail/imap_parse.h"
#include "mail/mime.h"
#include "util/buf.h"
#include "util/mem.h"

#define OUT_MAX (1024 * 1024)

static void
assert_buf(const struct buf *b, const char *want, size_t n)
{
	if (b->len != n || memcmp(b->data, want, n) != 0)
		fail_msg("got [%.*s] (%zu), want [%.*s] (%zu)", (int)b->len,
		    b->data, b->len, (int)n, want, n);
}

#define ASSERT_BUF(b, lit) assert_buf((b), (lit), sizeof(lit) - 1)

/* Strings. */

static void
nstring(const char *p, size_t n, int literal8, const char *want,
    size_t want_len)
{
	struct buf out;

	buf_init(&out, OUT_MAX);
	assert_int_equal(imap_write_nstring(&out, p, n, literal8), 0);
	assert_buf(&out, want, want_len);
	buf_deinit(&out);
}

#define NSTRING(lit, l8, want) \
	nstring((lit), sizeof(lit) - 1, (l8), (want), sizeof(want) - 1)

static void
test_nstring(void **state)
{
	char big[IMAP_QUOTED_MAX + 1];
	struct buf out, want;

	(void)state;
	nstring(NULL, 0, 0, "NIL", 3);
	NSTRING("", 0, "\"\"");
	NSTRING("plain text", 0, "\"plain text\"");
	NSTRING("a \"q\" \\ b", 0, "\"a \\\"q\\\" \\\\ b\"");
	NSTRING("two\r\nlines", 0, "{10}\r\ntwo\r\nlines");
	NSTRING("bare\nlf", 0, "{7}\r\nbare\nlf");
	NSTRING("caf\xc3\xa9", 0, "{5}\r\ncaf\xc3\xa9");
	/* NUL: literal8 when allowed (RFC 3516), else 0x80 in its place */
	NSTRING("a\0b", 1, "~{3}\r\na\0b");
	NSTRING("a\0b\0", 0,
	    "{4}\r\na\x80"
	    "b\x80");
	NSTRING("no nul", 1, "\"no nul\"");
	NSTRING("8bit\xff", 1, "{5}\r\n8bit\xff");

	/* The longest quoted string, then one more byte: a literal. */
	memset(big, 'x', sizeof(big));
	buf_init(&out, OUT_MAX);
	buf_init(&want, OUT_MAX);
	assert_int_equal(imap_write_nstring(&out, big, IMAP_QUOTED_MAX, 0), 0);
	assert_int_equal(out.len, IMAP_QUOTED_MAX + 2);
	buf_reset(&out);
	assert_int_equal(imap_write_nstring(&out, big, sizeof(big), 0), 0);
	(void)buf_printf(&want, "{%zu}\r\n", sizeof(big));
	(void)buf_append(&want, big, sizeof(big));
	assert_buf(&out, want.data, want.len);
	buf_deinit(&out);
	buf_deinit(&want);

	/* Cut by the buffer's maximum. */
	buf_init(&out, 5);
	assert_int_equal(imap_write_nstring(&out, "abcdef", 6, 0), -1);
	buf_deinit(&out);
}

/* ENVELOPE. */

static void
envelope(const char *hdr, const char *want)
{
	struct buf out;

	buf_init(&out, OUT_MAX);
	assert_int_equal(imap_envelope(hdr, strlen(hdr), &out), 0);
	assert_buf(&out, want, strlen(want));
	buf_deinit(&out);
}

/* RFC 3501 7.4.2's example message. */
static const char rfc3501_hdr[] =
    "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\n"
    "From: Terry Gray <gray@cac.washington.edu>\n"
    "Subject: IMAP4rev1 WG mtg summary and minutes\n"
    "To: imap@cac.washington.edu\n"
    "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\n"
    "Message-Id: <B27397-0100000@cac.washington.edu>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\n"
    "\n";

static void
test_envelope(void **state)
{
	(void)state;
	envelope(rfc3501_hdr,
	    "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
	    "\"IMAP4rev1 WG mtg summary and minutes\" "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((NIL NIL \"imap\" \"cac.washington.edu\")) "
	    "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
	    "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
	    "\"<B27397-0100000@cac.washington.edu>\")");

	/* Every field, folded ones unfolded, encoded words left alone, the
	 * first of two Subjects, a route. */
	envelope("Subject: =?utf-8?q?caf=C3=A9?=\n"
		 "  again\n"
		 "Subject: second\n"
		 "From: \"Doe, Jane\" <jane@example.org>\n"
		 "Sender: <@relay.test:list@example.org>\n"
		 "Reply-To: replies@example.org\n"
		 "To: a@example.org,\n"
		 "\tb@example.org\n"
		 "Cc: c@example.org\n"
		 "Bcc: d@example.org\n"
		 "In-Reply-To: <x@y>\n"
		 "Message-ID: <z@y>\n"
		 "Date: Thu, 1 Jan 2026 00:00:00 +0000\n"
		 "\n",
	    "(\"Thu, 1 Jan 2026 00:00:00 +0000\" "
	    "\"=?utf-8?q?caf=C3=A9?=  again\" "
	    "((\"Doe, Jane\" NIL \"jane\" \"example.org\")) "
	    "((NIL \"@relay.test\" \"list\" \"example.org\")) "
	    "((NIL NIL \"replies\" \"example.org\")) "
	    "((NIL NIL \"a\" \"example.org\")(NIL NIL \"b\" \"example.org\")) "
	    "((NIL NIL \"c\" \"example.org\")) "
	    "((NIL NIL \"d\" \"example.org\")) \"<x@y>\" \"<z@y>\")");
}

static void
test_envelope_groups(void **state)
{
	(void)state;
	/* RFC 3501 7.4.2: a group's start has the name as mailbox and host
	 * NIL, its end is all NIL; an empty group is just the two. */
	envelope("From: a@example.org\n"
		 "To: Friends: b@example.org, \"Joe Q.\" <joe@example.net>;, "
		 "c@example.com\n"
		 "Cc: undisclosed-recipients:;\n"
		 "\n",
	    "(NIL NIL ((NIL NIL \"a\" \"example.org\")) "
	    "((NIL NIL \"a\" \"example.org\")) "
	    "((NIL NIL \"a\" \"example.org\")) "
	    "((NIL NIL \"Friends\" NIL)(NIL NIL \"b\" \"example.org\")"
	    "(\"Joe Q.\" NIL \"joe\" \"example.net\")(NIL NIL NIL NIL)"
	    "(NIL NIL \"c\" \"example.com\")) "
	    "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) "
	    "NIL NIL NIL)");
	/* A group never closed is closed for the client. */
	envelope("To: G: x@example.org\n\n",
	    "(NIL NIL NIL NIL NIL ((NIL NIL \"G\" NIL)"
	    "(NIL NIL \"x\" \"example.org\")(NIL NIL NIL NIL)) NIL NIL NIL "
	    "NIL)");
}

static void
test_envelope_missing(void **state)
{
	(void)state;
	envelope("", "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	envelope("X-Other: 1\n\nbody",
	    "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	/* Present but empty: "" for strings, NIL for address lists; an
	 * empty Sender or Reply-To takes From (RFC 9051 7.5.2). */
	envelope("Subject:\nFrom: a@b.example\nSender:   \nReply-To:\nTo:\n\n",
	    "(NIL \"\" ((NIL NIL \"a\" \"b.example\")) "
	    "((NIL NIL \"a\" \"b.example\")) "
	    "((NIL NIL \"a\" \"b.example\")) NIL NIL NIL NIL NIL)");
	/* No From: sender and reply-to stay NIL. */
	envelope("To: t@example.org\n",
	    "(NIL NIL NIL NIL NIL ((NIL NIL \"t\" \"example.org\")) NIL NIL "
	    "NIL NIL)");
	/* A bare name and a missing domain keep mime.h's markers. */
	envelope("To: someone\n\n",
	    "(NIL NIL NIL NIL NIL ((NIL NIL \"someone\" \"" MIME_ADDR_MISSING_DOMAIN
	    "\")) NIL NIL NIL NIL)");
}

static void
test_envelope_quoting(void **state)
{
	struct buf hdr, out;
	size_t i;

	(void)state;
	envelope("Subject: say \"hi\" \\ now\n"
		 "From: \"A \\\"B\\\" C\" <abc@example.org>\n\n",
	    "(NIL \"say \\\"hi\\\" \\\\ now\" "
	    "((\"A \\\"B\\\" C\" NIL \"abc\" \"example.org\")) "
	    "((\"A \\\"B\\\" C\" NIL \"abc\" \"example.org\")) "
	    "((\"A \\\"B\\\" C\" NIL \"abc\" \"example.org\")) "
	    "NIL NIL NIL NIL NIL)");
	/* 8-bit: a literal. */
	envelope("Subject: caf\xc3\xa9\n\n",
	    "(NIL {5}\r\ncaf\xc3\xa9 NIL NIL NIL NIL NIL NIL NIL NIL)");
	/* A NUL in a header: 0x80 in a literal. */
	buf_init(&out, OUT_MAX);
	assert_int_equal(imap_envelope("Subject: a\0b\n", 13, &out), 0);
	ASSERT_BUF(&out,
	    "(NIL {3}\r\na\x80"
	    "b NIL NIL NIL NIL NIL NIL NIL NIL)");
	/* Too long to quote. */
	buf_init(&hdr, OUT_MAX);
	(void)buf_puts(&hdr, "Subject: ");
	for (i = 0; i < 2000; i++)
		(void)buf_putc(&hdr, 'x');
	(void)buf_puts(&hdr, "\n\n");
	buf_reset(&out);
	assert_int_equal(imap_envelope(hdr.data, hdr.len, &out), 0);
	assert_memory_equal(out.data, "(NIL {2000}\r\nxxx", 16);
	assert_int_equal(out.len,
	    2000 + strlen("(NIL {2000}\r\n") +
		strlen(" NIL NIL NIL NIL NIL NIL NIL NIL)"));
	/* Cut: -1. */
	buf_deinit(&out);
	buf_init(&out, 20);
	assert_int_equal(imap_envelope(rfc3501_hdr, strlen(rfc3501_hdr), &out),
	    -1);
	buf_deinit(&out);
	buf_deinit(&hdr);
}

/* BODY and BODYSTRUCTURE. */

static void
structure(const char *msg, int extended, const char *want)
{
	struct mime_message *m = mime_parse(msg, strlen(msg), NULL);
	struct buf out;

	buf_init(&out, OUT_MAX);
	assert_int_equal(imap_bodystructure(m, msg, strlen(msg), extended,
			     &out),
	    0);
	assert_buf(&out, want, strlen(want));
	buf_deinit(&out);
	mime_destroy(&m);
}

static void
test_text_plain(void **state)
{
	(void)state;
	/* RFC 3501 7.4.2's example part, with a body of 3 LF lines: 3 CRLF
	 * lines on the wire, 7 + 3 octets. */
	static const char msg[] = "Subject: x\n"
				  "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\n"
				  "\n"
				  "a\n"
				  "bc\n"
				  "\n";

	structure(msg, 0,
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 9 "
	    "3)");
	structure(msg, 1,
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 9 "
	    "3 NIL NIL NIL NIL)");
	/* No Content-Type: text/plain; charset=us-ascii (RFC 2045 5.2). A
	 * last line without its line end is not counted (as UW-IMAP and
	 * Dovecot count). */
	structure("Subject: x\n\nhello", 1,
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 5 "
	    "0 NIL NIL NIL NIL)");
	structure("Subject: x\n\nhello\nworld", 0,
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" "
	    "12 1)");
	/* A text part without charset gets us-ascii first (RFC 2046 4.1.2);
	 * an encoding is upper-cased; an empty body. */
	structure("Content-Type: text/html; format=flowed\n"
		  "Content-Transfer-Encoding: Quoted-Printable\n"
		  "\n",
	    0,
	    "(\"TEXT\" \"HTML\" (\"CHARSET\" \"us-ascii\" \"FORMAT\" "
	    "\"flowed\") NIL NIL \"QUOTED-PRINTABLE\" 0 0)");
	/* A basic part: no line count; no parameters: NIL. */
	structure("Content-Type: image/png\n"
		  "Content-Transfer-Encoding: base64\n"
		  "Content-ID: <i@x>\n"
		  "Content-Description: a picture\n"
		  "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n"
		  "Content-Disposition: inline\n"
		  "Content-Language: en\n"
		  "Content-Location: http://x.example/p.png\n"
		  "\n"
		  "iVBORw0K\n",
	    1,
	    "(\"IMAGE\" \"PNG\" NIL \"<i@x>\" \"a picture\" \"BASE64\" 10 "
	    "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"INLINE\" NIL) (\"en\") "
	    "\"http://x.example/p.png\")");
}

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
#define MIXED_ENVELOPE                                         \
	"(\"Mon, 7 Dec 2026 10:00:00 +0000\" \"Report\" "      \
	"((\"Alice Example\" NIL \"alice\" \"example.org\")) " \
	"((\"Alice Example\" NIL \"alice\" \"example.org\")) " \
	"((\"Alice Example\" NIL \"alice\" \"example.org\")) " \
	"((NIL NIL \"bob\" \"example.net\")) NIL NIL NIL \"<m1@example.org>\")"
#define INNER_ENVELOPE                                          \
	"(NIL \"inner\" ((NIL NIL \"carol\" \"example.com\")) " \
	"((NIL NIL \"carol\" \"example.com\")) "                \
	"((NIL NIL \"carol\" \"example.com\")) NIL NIL NIL NIL NIL)"

static const char mixed_body[] =
    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL "
    "\"QUOTED-PRINTABLE\" 23 1)"
    "(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") NIL NIL \"BASE64\" 18)"
    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 5 0)"
    "(\"TEXT\" \"HTML\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 11 0) "
    "\"ALTERNATIVE\")"
    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 79 " INNER_ENVELOPE
    " (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 0) "
    "4) \"MIXED\")";

static const char mixed_bodystructure[] =
    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL "
    "\"QUOTED-PRINTABLE\" 23 1 NIL NIL NIL NIL)"
    "(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") NIL NIL \"BASE64\" 18 "
    "NIL (\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\")) NIL NIL)"
    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 5 0 "
    "NIL NIL NIL NIL)"
    "(\"TEXT\" \"HTML\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 11 0 "
    "NIL NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"alt\") NIL NIL NIL)"
    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 79 " INNER_ENVELOPE
    " (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 0 "
    "NIL NIL NIL NIL) 4 NIL NIL NIL NIL) "
    "\"MIXED\" (\"BOUNDARY\" \"outer\") NIL NIL NIL)";

/* The message with CRLF line ends. */
static char *
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

static void
test_multipart(void **state)
{
	char *crlf = to_crlf(mixed);
	struct mime_message *m;
	struct buf out;

	(void)state;
	structure(mixed, 0, mixed_body);
	structure(mixed, 1, mixed_bodystructure);
	structure(crlf, 0, mixed_body);
	structure(crlf, 1, mixed_bodystructure);
	m = mime_parse(mixed, strlen(mixed), NULL);
	buf_init(&out, OUT_MAX);
	assert_int_equal(imap_envelope(mixed, mime_root(m)->hdr_len, &out), 0);
	ASSERT_BUF(&out, MIXED_ENVELOPE);
	buf_deinit(&out);

	/* Every cut of the output: -1, never more than the maximum. */
	for (size_t max = 1; max < sizeof(mixed_bodystructure) - 1; max++) {
		buf_init(&out, max);
		assert_int_equal(imap_bodystructure(m, mixed, strlen(mixed), 1,
				     &out),
		    -1);
		assert_true(out.len <= max);
		buf_deinit(&out);
	}
	mime_destroy(&m);
	xfree(crlf);
}

static void
test_nested(void **state)
{
	(void)state;
	/* message/rfc822 whose message is a multipart, inside a multipart
	 * inside a multipart. The message: 12 + 48 + 1 + 4 + 1 + 4 + 5
	 * bytes with 6 LFs = 81 on the wire, 6 line ends ("--c--" has
	 * none: its LF is the delimiter's). */
	structure("Content-Type: multipart/mixed; boundary=a\n"
		  "\n"
		  "--a\n"
		  "Content-Type: multipart/related; boundary=b\n"
		  "\n"
		  "--b\n"
		  "Content-Type: message/rfc822\n"
		  "\n"
		  "Subject: in\n"
		  "Content-Type: multipart/alternative; boundary=c\n"
		  "\n"
		  "--c\n"
		  "\n"
		  "one\n"
		  "--c--\n"
		  "--b--\n"
		  "--a--\n",
	    0,
	    "(((\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 81 "
	    "(NIL \"in\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" "
	    "3 0) \"ALTERNATIVE\") 6) \"RELATED\") \"MIXED\")");
	/* multipart/digest: its parts are message/rfc822 by default. */
	structure("Content-Type: multipart/digest; boundary=d\n"
		  "\n"
		  "--d\n"
		  "\n"
		  "Subject: s\n"
		  "\n"
		  "b\n"
		  "--d--\n",
	    0,
	    "((\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 15 "
	    "(NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 1 "
	    "0) 2) \"DIGEST\")");
	/* A multipart without parts shows one empty text part; a base64
	 * message/rfc822 is no message (a basic part). */
	structure("Content-Type: multipart/mixed; boundary=none\n\nno parts\n",
	    1,
	    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 "
	    "0 NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"none\") NIL NIL NIL)");
	structure("Content-Type: message/rfc822\n"
		  "Content-Transfer-Encoding: base64\n"
		  "\n"
		  "U3ViamVjdDogeA0KDQp4\n",
	    0, "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"BASE64\" 22)");
	/* RFC 2231: the name gets its "*", the value is encoded again. */
	structure("Content-Type: application/octet-stream;\n"
		  " name*=utf-8'fr'%E2%82%AC%20rate.txt\n"
		  "Content-Disposition: attachment;\n"
		  " filename*0=\"long \"; filename*1=name\n"
		  "\n",
	    1,
	    "(\"APPLICATION\" \"OCTET-STREAM\" (\"NAME*\" "
	    "\"utf-8'fr'%E2%82%AC%20rate.txt\") NIL NIL \"7BIT\" 0 NIL "
	    "(\"ATTACHMENT\" (\"FILENAME\" \"long name\")) NIL NIL)");
}

/* Sections. */

static void
parse_ok(const char *text, unsigned npath, enum imap_section_text kind,
    unsigned nfields)
{
	struct imap_section sec;

	if (imap_section_parse(text, strlen(text), &sec) != 0)
		fail_msg("section [%s] refused", text);
	assert_int_equal(sec.npath, npath);
	assert_int_equal(sec.text, kind);
	assert_int_equal(sec.nfields, nfields);
}

static void
parse_bad(const char *text)
{
	struct imap_section sec;

	if (imap_section_parse(text, strlen(text), &sec) != -1)
		fail_msg("section [%s] accepted", text);
}

static void
test_section_parse(void **state)
{
	static const char *const bad[] = { "0", "01", "1.0", "1.", ".1", "1..2",
		"MIME", "HEADER.FIELDS", "HEADER.FIELDS ()", "HEADER.FIELDS (A",
		"HEADER.FIELDS (A) ", "HEADER.FIELDS  (A)",
		"HEADER.FIELDS (A  B)", "HEADER.FIELDS ( A)",
		"HEADER.FIELDS (A )", "HEADER.FIELDS(A)", "HEADERX", "TEXT ",
		" TEXT", "1.2.BOGUS", "1.TEXT.1", "1 TEXT", "1000000001",
		"99999999999999999999", "HEADER.FIELDS (\"A)",
		"HEADER.FIELDS (A\\B)", "HEADER.FIELDS (A%)",
		"HEADER.FIELDS (\"a\\x\")", "HEADER.FIELDS.NOT", "HEADER (A)",
		"TEXT.MIME", "1.MIME (A)", "BINARY" };
	struct imap_section sec;
	struct buf t;
	size_t i;

	(void)state;
	parse_ok("", 0, IMAP_SECTION_ALL, 0);
	parse_ok("1", 1, IMAP_SECTION_ALL, 0);
	parse_ok("1.2.30", 3, IMAP_SECTION_ALL, 0);
	parse_ok("1000000000", 1, IMAP_SECTION_ALL, 0);
	parse_ok("HEADER", 0, IMAP_SECTION_HEADER, 0);
	parse_ok("header", 0, IMAP_SECTION_HEADER, 0);
	parse_ok("Text", 0, IMAP_SECTION_TEXT, 0);
	parse_ok("1.MIME", 1, IMAP_SECTION_MIME, 0);
	parse_ok("4.2.HEADER", 2, IMAP_SECTION_HEADER, 0);
	parse_ok("2.TEXT", 1, IMAP_SECTION_TEXT, 0);
	parse_ok("HEADER.FIELDS (SUBJECT FROM)", 0, IMAP_SECTION_FIELDS, 2);
	parse_ok("1.header.fields.not (x-a \"Y B\" \"\")", 1,
	    IMAP_SECTION_FIELDS_NOT, 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_bad(bad[i]);

	/* Names come out unquoted. */
	assert_int_equal(imap_section_parse("HEADER.FIELDS (a \"b\\\"c\")", 24,
			     &sec),
	    0);
	assert_int_equal(sec.name_len[0], 1);
	assert_memory_equal(sec.names + sec.name_off[0], "a", 1);
	assert_int_equal(sec.name_len[1], 3);
	assert_memory_equal(sec.names + sec.name_off[1], "b\"c", 3);
	/* Only len bytes are read. */
	assert_int_equal(imap_section_parse("1.MIMEjunk", 6, &sec), 0);

	/* Limits: path depth, name count, name bytes. */
	buf_init(&t, OUT_MAX);
	for (i = 0; i < IMAP_SECTION_MAX_PATH; i++)
		(void)buf_puts(&t, i == 0 ? "1" : ".1");
	assert_int_equal(imap_section_parse(t.data, t.len, &sec), 0);
	assert_int_equal(sec.npath, IMAP_SECTION_MAX_PATH);
	(void)buf_puts(&t, ".1");
	assert_int_equal(imap_section_parse(t.data, t.len, &sec), -1);
	buf_reset(&t);
	(void)buf_puts(&t, "HEADER.FIELDS (");
	for (i = 0; i < IMAP_SECTION_MAX_FIELDS; i++)
		(void)buf_puts(&t, i == 0 ? "A" : " A");
	(void)buf_puts(&t, ")");
	assert_int_equal(imap_section_parse(t.data, t.len, &sec), 0);
	assert_int_equal(sec.nfields, IMAP_SECTION_MAX_FIELDS);
	buf_truncate(&t, t.len - 1);
	(void)buf_puts(&t, " A)");
	assert_int_equal(imap_section_parse(t.data, t.len, &sec), -1);
	buf_reset(&t);
	(void)buf_puts(&t, "HEADER.FIELDS (");
	for (i = 0; i < IMAP_SECTION_NAMES_MAX + 1; i++)
		(void)buf_putc(&t, 'x');
	(void)buf_puts(&t, ")");
	assert_int_equal(imap_section_parse(t.data, t.len, &sec), -1);
	buf_deinit(&t);
}

/* The section of a FETCH item as imap_parse hands it over: the text
 * between the brackets verbatim, quoted names still quoted. */
static void
test_section_from_parser(void **state)
{
	static const char cmd[] = "a1 FETCH 1 (BODY.PEEK[4.HEADER.FIELDS "
				  "(\"Subject\" FROM)]<0.10> BINARY[2] "
				  "BODY[])\r\n";
	struct imap_parser *ps = imap_parser_create(NULL);
	struct mime_message *m = mime_parse(mixed, strlen(mixed), NULL);
	const struct imap_arg *a;
	struct imap_section sec;
	struct buf out;
	size_t used;

	(void)state;
	assert_int_equal(imap_parser_feed(ps, cmd, sizeof(cmd) - 1, &used),
	    IMAP_PARSE_COMMAND);
	a = imap_parser_command(ps)->args->next->list;
	assert_true(a->flags & IMAP_ARG_F_SECTION);
	assert_int_equal(imap_section_parse(a->str + a->section_off,
			     a->section_len, &sec),
	    0);
	assert_int_equal(sec.npath, 1);
	assert_int_equal(sec.text, IMAP_SECTION_FIELDS);
	assert_int_equal(sec.nfields, 2);
	buf_init(&out, OUT_MAX);
	assert_int_equal(imap_section_fetch(m, mixed, strlen(mixed), &sec, 0,
			     &out),
	    0);
	ASSERT_BUF(&out,
	    "From: carol@example.com\r\nSubject: inner\r\n"
	    "\r\n");
	assert_true(a->flags & IMAP_ARG_F_PARTIAL);
	imap_partial(&out, a->partial_off, a->partial_len);
	ASSERT_BUF(&out, "From: caro");
	a = a->next;
	assert_int_equal(imap_section_parse(a->str + a->section_off,
			     a->section_len, &sec),
	    0);
	buf_reset(&out);
	assert_int_equal(imap_section_fetch(m, mixed, strlen(mixed), &sec, 1,
			     &out),
	    0);
	ASSERT_BUF(&out, "hello world");
	a = a->next;
	assert_int_equal(a->section_len, 0);
	assert_int_equal(imap_section_parse(a->str + a->section_off,
			     a->section_len, &sec),
	    0);
	assert_int_equal(sec.npath, 0);
	assert_int_equal(sec.text, IMAP_SECTION_ALL);
	mime_destroy(&m);
	buf_deinit(&out);
	imap_parser_destroy(&ps);
}

/* Fetch section text of msg into a buffer; returns the result code. */
static int
fetch(const char *msg, size_t len, const char *text, int binary,
    struct buf *out)
{
	struct mime_message *m = mime_parse(msg, len, NULL);
	struct imap_section sec;
	int ret;

	buf_reset(out);
	if (imap_section_parse(text, strlen(text), &sec) != 0)
		fail_msg("section [%s] refused", text);
	ret = imap_section_fetch(m, msg, len, &sec, binary, out);
	mime_destroy(&m);
	return ret;
}

static void
section(const char *msg, const char *text, int binary, const char *want,
    size_t want_len)
{
	struct buf out;

	buf_init(&out, OUT_MAX);
	if (fetch(msg, strlen(msg), text, binary, &out) != 0)
		fail_msg("section [%s] failed", text);
	assert_buf(&out, want, want_len);
	buf_deinit(&out);
}

#define SECTION(msg, text, want) \
	section((msg), (text), 0, (want), sizeof(want) - 1)
#define BINARY(msg, text, want) \
	section((msg), (text), 1, (want), sizeof(want) - 1)

static void
test_sections(void **state)
{
	char *crlf = to_crlf(mixed);
	struct buf out;

	(void)state;
	SECTION(mixed, "1", "caf=C3=A9 au lait=\r\n ok");
	SECTION(mixed, "2", "aGVsbG8g\r\nd29ybGQ=");
	SECTION(mixed, "3.1", "plain");
	SECTION(mixed, "3.2", "<b>html</b>");
	SECTION(mixed, "3",
	    "--alt\r\nContent-Type: text/plain\r\n\r\nplain\r\n--alt\r\n"
	    "Content-Type: text/html\r\n\r\n<b>html</b>\r\n--alt--");
	SECTION(mixed, "2.MIME",
	    "Content-Type: application/pdf; name=\"r.pdf\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment; filename=\"r.pdf\"\r\n\r\n");
	SECTION(mixed, "3.1.MIME", "Content-Type: text/plain\r\n\r\n");
	/* The message/rfc822 part: its body is the message, HEADER and
	 * TEXT are the message's, 4.1 is that message's body. */
	SECTION(mixed, "4",
	    "From: carol@example.com\r\nSubject: inner\r\n"
	    "Content-Type: text/plain\r\n\r\ninner body");
	SECTION(mixed, "4.TEXT", "inner body");
	SECTION(mixed, "4.HEADER",
	    "From: carol@example.com\r\nSubject: inner\r\n"
	    "Content-Type: text/plain\r\n\r\n");
	SECTION(mixed, "4.HEADER.FIELDS (subject)", "Subject: inner\r\n\r\n");
	SECTION(mixed, "4.1", "inner body");
	SECTION(mixed, "4.MIME", "Content-Type: message/rfc822\r\n\r\n");
	/* The message's own header, fields in the message's order. */
	SECTION(mixed, "HEADER.FIELDS (SUBJECT FROM)",
	    "From: Alice Example <alice@example.org>\r\n"
	    "Subject: Report\r\n\r\n");
	SECTION(mixed,
	    "HEADER.FIELDS.NOT (Subject From Date \"Message-ID\" "
	    "MIME-Version CONTENT-TYPE)",
	    "To: bob@example.net\r\n\r\n");
	SECTION(mixed, "HEADER.FIELDS (X-None)", "\r\n");
	/* Beyond the tree: an empty string. HEADER of a part that is no
	 * message/rfc822: empty too. */
	SECTION(mixed, "5", "");
	SECTION(mixed, "1.1", "");
	SECTION(mixed, "3.3", "");
	SECTION(mixed, "4.2", "");
	SECTION(mixed, "4.1.1", "");
	SECTION(mixed, "1.HEADER", "");
	SECTION(mixed, "3.TEXT", "");

	/* The same answers from the CRLF file. */
	buf_init(&out, OUT_MAX);
	assert_int_equal(fetch(crlf, strlen(crlf), "3", 0, &out), 0);
	ASSERT_BUF(&out,
	    "--alt\r\nContent-Type: text/plain\r\n\r\nplain\r\n--alt\r\n"
	    "Content-Type: text/html\r\n\r\n<b>html</b>\r\n--alt--");
	/* BODY[] and BODY[TEXT] are the file in CRLF. */
	assert_int_equal(fetch(mixed, strlen(mixed), "", 0, &out), 0);
	assert_buf(&out, crlf, strlen(crlf));
	assert_int_equal(fetch(mixed, strlen(mixed), "TEXT", 0, &out), 0);
	assert_string_equal(out.data, strstr(crlf, "preamble"));
	assert_int_equal(fetch(mixed, strlen(mixed), "HEADER", 0, &out), 0);
	assert_int_equal(out.len, strstr(crlf, "preamble") - crlf);
	assert_memory_equal(out.data, crlf, out.len);
	buf_deinit(&out);
	xfree(crlf);
}

static void
test_sections_single(void **state)
{
	static const char msg[] = "Subject: a long\n"
				  " subject\n"
				  "X-A: 1\n"
				  "subject : second\n"
				  "Content-Type: text/plain\n"
				  "Content-Transfer-Encoding: base64\n"
				  "\n"
				  "aGk=\n";
	struct buf out;

	(void)state;
	/* Part 1 of a message that is not multipart: its body; 1.MIME: its
	 * header. Folding kept; "Name :" is a field too. */
	SECTION(msg, "1", "aGk=\r\n");
	BINARY(msg, "1", "hi");
	SECTION(msg, "1.MIME",
	    "Subject: a long\r\n subject\r\nX-A: 1\r\nsubject : second\r\n"
	    "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n"
	    "\r\n");
	SECTION(msg, "HEADER.FIELDS (\"SUBJECT\")",
	    "Subject: a long\r\n subject\r\nsubject : second\r\n\r\n");
	SECTION(msg, "HEADER.FIELDS.NOT (subject content-type)",
	    "X-A: 1\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	SECTION(msg, "2", "");
	SECTION(msg, "1.1", "");
	/* BINARY[] is the whole message as it is. */
	BINARY(msg, "",
	    "Subject: a long\r\n subject\r\nX-A: 1\r\nsubject : second\r\n"
	    "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n"
	    "\r\naGk=\r\n");

	/* A header without its empty line: each field still ends a line,
	 * and no empty line is made up (RFC 9051 6.4.5). */
	SECTION("A: 1\nB: 2", "HEADER.FIELDS (B)", "B: 2\r\n");
	SECTION("A: 1\nB: 2", "HEADER.FIELDS (C)", "");
	SECTION("A: 1\nB: 2", "HEADER", "A: 1\r\nB: 2");

	/* BINARY of something else than a part path: BAD. */
	buf_init(&out, OUT_MAX);
	assert_int_equal(fetch(msg, strlen(msg), "HEADER", 1, &out),
	    IMAP_SECTION_NOT_BINARY);
	assert_int_equal(fetch(msg, strlen(msg), "1.MIME", 1, &out),
	    IMAP_SECTION_NOT_BINARY);
	assert_int_equal(out.len, 0);
	buf_deinit(&out);
}

static void
test_binary(void **state)
{
	static const char unknown[] = "Content-Type: multipart/mixed; "
				      "boundary=x\n"
				      "\n"
				      "--x\n"
				      "Content-Transfer-Encoding: x-uuencode\n"
				      "\n"
				      "begin 644 f\n"
				      "--x\n"
				      "Content-Transfer-Encoding: 8bit\n"
				      "\n"
				      "na\xc3\xafve\n"
				      "line\n"
				      "--x--\n";
	static const char nul[] = "Content-Transfer-Encoding: base64\n"
				  "\n"
				  "AGEA\n";
	struct buf out;

	(void)state;
	/* base64 and quoted-printable (a soft line break, bare LF in the
	 * file, CRLF on the wire: the decoded text has no break there). */
	BINARY(mixed, "2", "hello world");
	BINARY(mixed, "1", "caf\xc3\xa9 au lait ok");
	BINARY(mixed, "3.1", "plain");
	BINARY(mixed, "4",
	    "From: carol@example.com\r\nSubject: inner\r\n"
	    "Content-Type: text/plain\r\n\r\ninner body");
	BINARY(mixed, "9", "");
	/* 8bit as it is, line ends CRLF. */
	BINARY(unknown, "2", "na\xc3\xafve\r\nline");
	/* A NUL in the decoded data: the caller then writes a literal8. */
	BINARY(nul, "1", "\0a\0");
	buf_init(&out, OUT_MAX);
	assert_int_equal(fetch(unknown, strlen(unknown), "1", 1, &out),
	    IMAP_SECTION_UNKNOWN_CTE);
	assert_int_equal(out.len, 0);
	/* BODY[1] of it is fine. */
	assert_int_equal(fetch(unknown, strlen(unknown), "1", 0, &out), 0);
	ASSERT_BUF(&out, "begin 644 f");
	buf_deinit(&out);
}

static void
test_section_limits(void **state)
{
	struct buf out;
	size_t max;

	(void)state;
	/* Every cut: -1 and never past the maximum. */
	for (max = 1; max < 70; max++) {
		buf_init(&out, max);
		assert_int_equal(fetch(mixed, strlen(mixed), "", 0, &out), -1);
		assert_true(out.len <= max);
		assert_int_equal(fetch(mixed, strlen(mixed),
				     "HEADER.FIELDS (FROM TO)", 0, &out),
		    max >= 64 ? 0 : -1);
		assert_int_equal(fetch(mixed, strlen(mixed), "2", 1, &out),
		    max >= 11 ? 0 : -1);
		assert_true(out.len <= max);
		buf_deinit(&out);
	}
	/* The sizes in BODYSTRUCTURE are the lengths of the sections. */
	buf_init(&out, OUT_MAX);
	assert_int_equal(fetch(mixed, strlen(mixed), "4", 0, &out), 0);
	assert_int_equal(out.len, 79);
	assert_int_equal(fetch(mixed, strlen(mixed), "1", 0, &out), 0);
	assert_int_equal(out.len, 23);
	buf_deinit(&out);
}

/* Every prefix of a message (a cut file, a part without its end):
 * BODYSTRUCTURE, ENVELOPE and the sections of every part still come
 * out, the sizes matching the sections; every prefix of a section text
 * parses or is refused. */
static void
test_every_cut(void **state)
{
	static const char *const sections[] = { "1", "2", "3", "3.1", "3.2",
		"4", "4.1", "4.HEADER", "4.TEXT", "2.MIME" };
	static const char text[] = "4.HEADER.FIELDS.NOT (A \"B\")";
	struct imap_section sec;
	struct buf out;
	size_t cut, i;

	(void)state;
	buf_init(&out, OUT_MAX);
	for (cut = 0; cut <= strlen(mixed); cut++) {
		struct mime_message *m = mime_parse(mixed, cut, NULL);
		const struct mime_part *r = mime_root(m);
		int ext;

		for (ext = 0; ext <= 1; ext++) {
			buf_reset(&out);
			assert_int_equal(imap_bodystructure(m, mixed, cut, ext,
					     &out),
			    0);
			assert_true(
			    out.data[0] == '(' && out.data[out.len - 1] == ')');
		}
		buf_reset(&out);
		assert_int_equal(imap_envelope(mixed, r->hdr_len, &out), 0);
		for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
			assert_int_equal(imap_section_parse(sections[i],
					     strlen(sections[i]), &sec),
			    0);
			buf_reset(&out);
			assert_int_equal(imap_section_fetch(m, mixed, cut, &sec,
					     0, &out),
			    0);
			assert_true(out.len <= 2 * cut + 2);
		}
		if (r->nchildren > 1) {
			const struct mime_part *p = r->children->next;

			assert_int_equal(imap_section_parse("2", 1, &sec), 0);
			buf_reset(&out);
			assert_int_equal(imap_section_fetch(m, mixed, cut, &sec,
					     0, &out),
			    0);
			assert_int_equal(out.len,
			    p->body_len + p->body_bare_lf);
		}
		mime_destroy(&m);
	}
	for (cut = 0; cut <= strlen(text); cut++) {
		int ret = imap_section_parse(text, cut, &sec);

		/* "", "4", "4.HEADER" and the whole are sections */
		assert_int_equal(ret,
		    cut == 0 || cut == 1 || cut == 8 || cut == strlen(text)
			? 0
			: -1);
	}
	buf_deinit(&out);
}

static void
test_partial(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	(void)buf_puts(&b, "0123456789");
	imap_partial(&b, 2, 3);
	ASSERT_BUF(&b, "234");
	buf_reset(&b);
	(void)buf_puts(&b, "0123456789");
	imap_partial(&b, 8, 100);
	ASSERT_BUF(&b, "89");
	buf_reset(&b);
	(void)buf_puts(&b, "0123456789");
	imap_partial(&b, 10, 1);
	ASSERT_BUF(&b, "");
	(void)buf_puts(&b, "0123456789");
	imap_partial(&b, UINT64_MAX, UINT64_MAX);
	ASSERT_BUF(&b, "");
	(void)buf_puts(&b, "0123456789");
	imap_partial(&b, 0, UINT64_MAX);
	ASSERT_BUF(&b, "0123456789");
	buf_deinit(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nstring),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_envelope_groups),
		cmocka_unit_test(test_envelope_missing),
		cmocka_unit_test(test_envelope_quoting),
		cmocka_unit_test(test_text_plain),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_section_parse),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_section_from_parser),
		cmocka_unit_test(test_sections_single),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_section_limits),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_partial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
