/* SPDX-License-Identifier: MIT */
/* imap_body_test - IMAP strings (quoted, literal, literal8, NIL); ENVELOPE
 * of a typical message, groups, missing and empty fields, quoting and
 * literals; BODY and BODYSTRUCTURE of text/plain, multipart/mixed with a
 * base64 attachment, multipart/alternative nested in it, message/rfc822
 * nested, multipart/digest, an empty multipart and RFC 2231 parameters,
 * from LF-only input (wire sizes and line counts) and from the same
 * message in CRLF (the same output); every
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

#include "imap_body_fixture.h"

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
		cmocka_unit_test(test_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
