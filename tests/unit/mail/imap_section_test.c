/* SPDX-License-Identifier: MIT */
/* imap_section_test - FETCH's sections (RFC 9051 6.4.5, RFC 3516):
 * section parsing (valid and BAD forms, the limits), a FETCH from
 * imap_parse, the sections 1, 3.1, 2.MIME, HEADER.FIELDS,
 * HEADER.FIELDS.NOT, TEXT and HEADER of a message/rfc822 part, parts
 * beyond the tree, BINARY of base64 and quoted-printable parts and an
 * unknown encoding, the partial <a.b>. Split from imap_body_test, whose
 * message it shares (imap_body_fixture.h). */
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
		cmocka_unit_test(test_section_parse),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_section_from_parser),
		cmocka_unit_test(test_sections_single),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_section_limits),
		cmocka_unit_test(test_partial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
