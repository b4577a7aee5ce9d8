/* SPDX-License-Identifier: MIT */
/* imap_parse_test - every value type, FETCH section forms, literals of each
 * kind (synchronizing, LITERAL+, LITERAL-, literal8, streamed), every
 * limit, resynchronization after each kind of error, pipelining; each case
 * fed whole, byte by byte and cut at every split point, with the same
 * transcript of events expected. Also the sequence set helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mail/imap_parse.h"
#include "util/buf.h"

#include "../expect_panic.h"

#define OUT_MAX (1024 * 1024)

/* Limits by case. */
enum lim_id {
	L_DEF,
	L_UTF8,
	L_NONE,
	L_MINUS,
	L_SMALL,
	L_STREAM,
	L_DISCARD,
	L_COUNT
};

static struct imap_parser_limits limits[L_COUNT];

static void
init_limits(void)
{
	limits[L_UTF8].utf8 = 1;
	limits[L_NONE].literal_policy = IMAP_LITERAL_NONE;
	limits[L_MINUS].literal_policy = IMAP_LITERAL_MINUS;
	limits[L_SMALL].line_max = 24;
	limits[L_SMALL].depth_max = 3;
	limits[L_SMALL].elements_max = 6;
	limits[L_SMALL].ranges_max = 3;
	limits[L_SMALL].literals_max = 2;
	limits[L_SMALL].literal_max = 8;
	limits[L_SMALL].command_literal_max = 10;
	limits[L_STREAM].stream_min = 4;
	limits[L_DISCARD].discard_max = 50;
	limits[L_DISCARD].literal_max = 40;
}

/* Feed in[0..len) cut at the offsets in cuts (ascending, ncuts of them;
 * step > 0: every step bytes instead) and append a transcript to out:
 * "+" CONTINUE, "C:<dump>" COMMAND, "B:<tag> <error>" BAD, "L:<octets>"
 * a whole streamed literal, "F:<error>" FATAL (the end). Checks the
 * feed's contract on the way. */
static void
transcript(struct imap_parser *p, const char *in, size_t len, size_t step,
    const size_t *cuts, size_t ncuts, struct buf *out)
{
	struct buf lit;
	size_t start = 0, end, off, used, plen;
	const char *piece;
	uint64_t left;
	size_t k = 0;
	int rc;

	buf_init(&lit, OUT_MAX);
	while (start < len) {
		if (step > 0)
			end = start + step < len ? start + step : len;
		else
			end = k < ncuts ? cuts[k++] : len;
		for (off = start; off < end;) {
			rc = imap_parser_feed(p, in + off, end - off, &used);
			assert_true(used <= end - off);
			off += used;
			switch (rc) {
			case IMAP_PARSE_NEED_MORE:
				assert_int_equal(off, end);
				break;
			case IMAP_PARSE_CONTINUE:
				assert_true(used > 0);
				assert_int_equal(buf_puts(out, "+\n"), 0);
				break;
			case IMAP_PARSE_LITERAL:
				assert_true(used > 0);
				assert_non_null(imap_parser_command(p));
				piece = imap_parser_literal(p, &plen, &left);
				/* The piece ends what was consumed. */
				assert_true(plen > 0 && plen <= used);
				assert_ptr_equal(piece + plen, in + off);
				assert_int_equal(buf_append(&lit, piece, plen),
				    0);
				if (left == 0) {
					(void)buf_puts(out, "L:");
					(void)buf_append(out, lit.data,
					    lit.len);
					(void)buf_putc(out, '\n');
					buf_reset(&lit);
				}
				break;
			case IMAP_PARSE_COMMAND:
				assert_true(used > 0);
				assert_non_null(imap_parser_command(p));
				assert_true(
				    imap_parser_command(p)->tag[0] != 0);
				(void)buf_puts(out, "C:");
				assert_int_equal(
				    imap_command_dump(imap_parser_command(p),
					out),
				    0);
				(void)buf_putc(out, '\n');
				break;
			case IMAP_PARSE_BAD:
				assert_true(used > 0);
				buf_reset(&lit);
				(void)buf_printf(out, "B:%s %s\n",
				    imap_parser_tag(p), imap_parser_error(p));
				break;
			case IMAP_PARSE_FATAL:
				(void)buf_printf(out, "F:%s\n",
				    imap_parser_error(p));
				buf_deinit(&lit);
				return;
			default:
				fail();
			}
			if (rc == IMAP_PARSE_NEED_MORE)
				break;
		}
		start = end;
	}
	buf_deinit(&lit);
}

static void
run(enum lim_id lim, const char *in, size_t len, size_t step,
    const size_t *cuts, size_t ncuts, struct buf *out)
{
	struct imap_parser *p = imap_parser_create(&limits[lim]);

	buf_reset(out);
	transcript(p, in, len, step, cuts, ncuts, out);
	imap_parser_destroy(&p);
	assert_null(p);
}

struct tcase {
	enum lim_id lim;
	const char *in;
	size_t len;
	const char *want;
};

#define T(lim, in, want)                      \
	{                                     \
		lim, in, sizeof(in) - 1, want \
	}
#define NOOP "z NOOP\r\n"
#define ZC "C:z NOOP\n"

static const struct tcase cases[] = {
	/* Syntax elements. */
	T(L_DEF, "a1 NOOP\r\n", "C:a1 NOOP\n"),
	T(L_DEF, "a1 noop \r\n", "C:a1 NOOP\n"),
	T(L_DEF, "a NOOP\nb CHECK\n", "C:a NOOP\nC:b CHECK\n"),
	T(L_DEF, "a2 login \"fred\" {3}\r\nabc\r\n",
	    "+\nC:a2 LOGIN \"fred\" {3}\"abc\"\n"),
	T(L_DEF, "a3 LOGIN {4+}\r\nfred {3+}\r\nabc\r\n",
	    "C:a3 LOGIN {4+}\"fred\" {3+}\"abc\"\n"),
	T(L_DEF, "a4 APPEND INBOX ~{3}\r\na\0b\r\n",
	    "+\nC:a4 APPEND INBOX ~{3}\"a\\x00b\"\n"),
	T(L_DEF, "a4 APPEND INBOX ~{3+}\r\na\0b\r\n",
	    "C:a4 APPEND INBOX ~{3+}\"a\\x00b\"\n"),
	T(L_DEF, "a X {0}\r\n\r\n", "+\nC:a X {0}\"\"\n"),
	T(L_DEF, "a X ({1}\r\n) {1+}\r\n() ()\r\n",
	    "+\nC:a X ({1}\")\" {1+}\"(\") ()\n"),
	T(L_DEF,
	    "a5 X 0 0123 123 9223372036854775807 9223372036854775808 "
	    "18446744073709551616 -1\r\n",
	    "C:a5 X #0 #123 #123 #9223372036854775807 9223372036854775808 "
	    "18446744073709551616 -1\n"),
	T(L_DEF, "a6 FETCH 1:*,5,7:3 FLAGS\r\n",
	    "C:a6 FETCH seq:1:0,5:5,7:3 FLAGS\n"),
	T(L_DEF, "a6 UID SEARCH UID $ 4294967295:1\r\n",
	    "C:a6 UID SEARCH UID seq:$ seq:4294967295:1\n"),
	T(L_DEF, "a6 X 1,,2 0:5 4294967296:5 1:2:3 $,1 1, 01:2\r\n",
	    "C:a6 X 1,,2 0:5 4294967296:5 1:2:3 $,1 1, 01:2\n"),
	T(L_DEF, "a7 X NIL nil (NIL) NILS \"NIL\"\r\n",
	    "C:a7 X NIL NIL (NIL) NILS \"NIL\"\n"),
	T(L_DEF, "a8 X (a (b (c)) ()) d\r\n", "C:a8 X (a (b (c)) ()) d\n"),
	T(L_DEF, "a9 X \"a\\\"b\\\\c\" \"\" \"\t~\"\r\n",
	    "C:a9 X \"a\\\"b\\\\c\" \"\" \"\\x09~\"\n"),
	T(L_DEF,
	    "f FETCH 1 (BODY.PEEK[HEADER.FIELDS (From \"To\")]<0.100> "
	    "BODY[] BINARY[1.2]<5.10> RFC822.SIZE)\r\n",
	    "C:f FETCH #1 (BODY.PEEK[HEADER.FIELDS (From \"To\")]<0.100>"
	    "/s10+25/p0.100 BODY[]/s5+0 BINARY[1.2]<5.10>/s7+3/p5.10 "
	    "RFC822.SIZE)\n"),
	T(L_DEF, "s STORE 1 +FLAGS (\\Seen \\Deleted)\r\n",
	    "C:s STORE #1 +FLAGS (\\Seen \\Deleted)\n"),
	T(L_DEF, "l LIST \"\" * \r\nl LIST [Gmail]/% INBOX.*\r\n",
	    "C:l LIST \"\" seq:0:0\nC:l LIST [Gmail]/%/s1+5 INBOX.*\n"),
	T(L_UTF8, "u X \"\xc3\xa9\"\r\n", "C:u X \"\\xc3\\xa9\"\n"),
	T(L_UTF8, "u X \"\xf0\x9f\x93\xa7 \xe2\x82\xac\"\r\n",
	    "C:u X \"\\xf0\\x9f\\x93\\xa7 \\xe2\\x82\\xac\"\n"),
	T(L_UTF8, "u X \"\xc3\"\r\n" NOOP,
	    "B:u Invalid UTF-8 in quoted string\n" ZC),
	T(L_UTF8, "u X \"\xc0\xaf\"\r\n" NOOP,
	    "B:u Invalid UTF-8 in quoted string\n" ZC),
	T(L_UTF8, "u X \"\xed\xa0\x80\"\r\n" NOOP,
	    "B:u Invalid UTF-8 in quoted string\n" ZC),
	T(L_UTF8, "u X \"\xf4\x90\x80\x80\"\r\n" NOOP,
	    "B:u Invalid UTF-8 in quoted string\n" ZC),
	T(L_UTF8, "u X \"\xe2\x82\r\n" NOOP,
	    "B:u Invalid UTF-8 in quoted string\n" ZC),
	T(L_DEF, "a] X\r\n", "C:a] X\n"),

	/* Errors, each followed by a command that must parse. */
	T(L_DEF, "\r\n" NOOP, "B:* Empty command line\n" ZC),
	T(L_DEF, "a\r\n" NOOP, "B:a Missing command\n" ZC),
	T(L_DEF, "a \r\n" NOOP, "B:a Missing command\n" ZC),
	T(L_DEF, "a(b NOOP\r\n" NOOP, "B:* Invalid tag\n" ZC),
	T(L_DEF, "+ NOOP\r\n" NOOP, "B:* Invalid tag\n" ZC),
	T(L_DEF, "a NO(OP\r\n" NOOP, "B:a Invalid command name\n" ZC),
	T(L_DEF, "a  NOOP\r\n" NOOP, "B:a Invalid command name\n" ZC),
	T(L_DEF, "a X  b\r\n" NOOP, "B:a Unexpected space\n" ZC),
	T(L_DEF, "a X (b\r\n" NOOP, "B:a Missing )\n" ZC),
	T(L_DEF, "a X b)\r\n" NOOP, "B:a Unexpected )\n" ZC),
	T(L_DEF, "a X (b )\r\n" NOOP, "B:a Unexpected space before )\n" ZC),
	T(L_DEF, "a X ( b)\r\n" NOOP, "B:a Unexpected space\n" ZC),
	T(L_DEF, "a X b\"c\"\r\n" NOOP,
	    "B:a Missing space after argument\n" ZC),
	T(L_DEF, "a X \"abc\r\n" NOOP, "B:a Unterminated quoted string\n" ZC),
	T(L_DEF, "a X \"a\\b\"\r\n" NOOP,
	    "B:a Invalid escape in quoted string\n" ZC),
	T(L_DEF, "a X \"a\rb\"\r\n" NOOP,
	    "B:a Invalid character in quoted string\n" ZC),
	T(L_DEF, "a X \"\xc3\xa9\"\r\n" NOOP,
	    "B:a 8-bit character in quoted string\n" ZC),
	T(L_DEF, "a X \x01\r\n" NOOP, "B:a Invalid character\n" ZC),
	T(L_DEF, "a X \\\r\n" NOOP, "B:a Invalid character\n" ZC),
	T(L_DEF, "a X {3}x\r\n" NOOP,
	    "B:a Literal not at the end of the line\n" ZC),
	T(L_DEF, "a X {}\r\n" NOOP, "B:a Invalid literal\n" ZC),
	T(L_DEF, "a X {+3}\r\n" NOOP, "B:a Invalid literal\n" ZC),
	T(L_DEF, "a X ~{3\r\n" NOOP, "B:a Invalid literal\n" ZC),
	T(L_DEF, "a X {99999999999}\r\n" NOOP,
	    "B:a [TOOBIG] Literal too large\n" ZC),
	T(L_DEF, "a X {99999999999999999999999}\r\n" NOOP,
	    "B:a [TOOBIG] Literal too large\n" ZC),
	T(L_DEF, "f FETCH 1 BODY[HEADER.FIELDS (A B)<0.1>\r\n" NOOP,
	    "B:f Missing ]\n" ZC),
	T(L_DEF, "f FETCH 1 BODY[]<0.0>\r\n" NOOP, "B:f Invalid partial\n" ZC),
	T(L_DEF, "f FETCH 1 BODY[]<5>\r\n" NOOP, "B:f Invalid partial\n" ZC),
	T(L_DEF, "f FETCH 1 BODY[]<5.1>x\r\n" NOOP,
	    "B:f Missing space after argument\n" ZC),
	T(L_DEF, "f FETCH 1 BODY[((A))]\r\n" NOOP,
	    "B:f Invalid character in section\n" ZC),
	T(L_DEF, "f FETCH 1 BODY[a[b]]\r\n" NOOP,
	    "B:f Invalid character in section\n" ZC),
	/* An error before a literal: a sync one is never sent, a non-sync
	 * one is, and is skipped with the line after it. */
	T(L_DEF, "a X \x01 {3}\r\n" NOOP, "B:a Invalid character\n" ZC),
	T(L_DEF, "a X \x01 {3+}\r\n{5} {2+}\r\nxy\r\n" NOOP,
	    "B:a Invalid character\n" ZC),
	T(L_DEF, "a X (\r\n" NOOP, "B:a Missing )\n" ZC),
	/* NUL in a literal: BAD at once, the rest discarded. */
	T(L_DEF, "a X {3}\r\na\0b c\r\n" NOOP, "+\nB:a NUL in literal\n" ZC),
	T(L_DEF, "a X {3+}\r\n\0ab c {1+}\r\n}\r\n" NOOP,
	    "B:a NUL in literal\n" ZC),
	/* Literal policies. */
	T(L_NONE, "a X {5+}\r\nabcde\r\n" NOOP,
	    "B:a Non-synchronizing literals not allowed\n" ZC),
	T(L_NONE, "a X {5+}\r\n12345 more {2+}\r\nxy\r\n" NOOP,
	    "B:a Non-synchronizing literals not allowed\n" ZC),
	T(L_NONE, "a X {2}\r\nab\r\n", "+\nC:a X {2}\"ab\"\n"),
	T(L_MINUS, "a X {4097+}\r\n" NOOP,
	    "B:a [TOOBIG] Non-synchronizing "
	    "literal over 4096 octets\n"),
	T(L_MINUS, "a X {1+}\r\nx\r\n", "C:a X {1+}\"x\"\n"),
	T(L_DISCARD, "a X {100+}\r\n" NOOP, "F:[TOOBIG] Literal too large\n"),
	T(L_DISCARD, "a X (\x01 {51+}\r\n" NOOP, "F:Invalid character\n"),
	T(L_DISCARD, "a X \x01 {1+}\r\nx {51+}\r\n" NOOP,
	    "B:a Invalid character\nF:[TOOBIG] Literal too large\n"),
	T(L_DEF, "a X {99999999999999999999999+}\r\n" NOOP,
	    "F:[TOOBIG] Literal too large\n"),
	T(L_DEF, "a X {10+}\r\n0123456789\r\n" NOOP,
	    "C:a X {10+}\"0123456789\"\n" ZC),
	/* Limits. */
	T(L_SMALL, "a X aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n" NOOP,
	    "B:a Line too long\n" ZC),
	T(L_SMALL, "abcdefghijklmnopqrstuvwxyz0123 NOOP\r\n" NOOP,
	    "B:* Line too long\n" ZC),
	T(L_SMALL, "a X aaaaaaaaaaaaaaaaaaaaaa {3+}\r\nabc\r\n" NOOP,
	    "B:a Line too long\n" ZC),
	T(L_SMALL, "a X {1}\r\naaaaaaaaaaaaaaaaaaaaaa\r\n" NOOP,
	    "+\nB:a Line too long\n" ZC),
	T(L_SMALL, "a X (((a)))\r\n" NOOP, "C:a X (((a)))\n" ZC),
	T(L_SMALL, "a X ((((a))))\r\n" NOOP, "B:a Too deeply nested\n" ZC),
	T(L_SMALL, "a X 1 2 3 4 5 6\r\n" NOOP, "C:a X #1 #2 #3 #4 #5 #6\n" ZC),
	T(L_SMALL, "a X 1 2 3 (4 5 6)\r\n" NOOP, "B:a Too many arguments\n" ZC),
	T(L_SMALL, "a F 1,2,3:*\r\n" NOOP, "C:a F seq:1:1,2:2,3:0\n" ZC),
	T(L_SMALL, "a F 1,2,3,4\r\n" NOOP,
	    "B:a Too many ranges in sequence set\n" ZC),
	T(L_SMALL, "a X {1}\r\na {1}\r\nb {1}\r\n" NOOP,
	    "+\n+\nB:a Too many literals\n" ZC),
	T(L_SMALL, "a X {9}\r\n" NOOP, "B:a [TOOBIG] Literal too large\n" ZC),
	T(L_SMALL, "a X {6}\r\nabcdef {6}\r\n" NOOP,
	    "+\nB:a [TOOBIG] Literals too large for one command\n" ZC),
	T(L_SMALL, "a X {6+}\r\nabcdef {6+}\r\nabcdef\r\n" NOOP,
	    "B:a [TOOBIG] Literals too large for one command\n" ZC),
	/* Streaming. */
	T(L_STREAM, "a APPEND INBOX {10}\r\n0123456789 {3}\r\nabc\r\n",
	    "+\nL:0123456789\n+\nC:a APPEND INBOX {10}... {3}\"abc\"\n"),
	T(L_STREAM, "a APPEND INBOX {4+}\r\n0123\r\n",
	    "L:0123\nC:a APPEND INBOX {4+}...\n"),
	T(L_STREAM,
	    "a APPEND INBOX {5}\r\n01\0"
	    "34 x\r\n" NOOP,
	    "+\nB:a NUL in literal\n" ZC),
	/* Pipelining. */
	T(L_DEF, "a NOOP\r\nb NOOP\r\nc LOGIN {1+}\r\nx y\r\nd\r\ne NOOP\r\n",
	    "C:a NOOP\nC:b NOOP\nC:c LOGIN {1+}\"x\" y\nB:d Missing "
	    "command\nC:e NOOP\n"),
};

/* Each case fed whole, byte by byte, and cut once at every offset. */
static void
test_cases(void **state)
{
	struct buf whole, other;
	size_t i, cut;

	(void)state;
	buf_init(&whole, OUT_MAX);
	buf_init(&other, OUT_MAX);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];

		run(c->lim, c->in, c->len, 0, NULL, 0, &whole);
		if (strcmp(whole.data, c->want) != 0)
			print_error("case %zu: %s\ngot:  %s\nwant: %s\n", i,
			    c->in, whole.data, c->want);
		assert_string_equal(whole.data, c->want);
		run(c->lim, c->in, c->len, 1, NULL, 0, &other);
		assert_string_equal(other.data, c->want);
		for (cut = 1; cut < c->len; cut++) {
			run(c->lim, c->in, c->len, 0, &cut, 1, &other);
			if (strcmp(other.data, c->want) != 0)
				print_error("case %zu cut %zu\n", i, cut);
			assert_string_equal(other.data, c->want);
		}
	}
	buf_deinit(&whole);
	buf_deinit(&other);
}

/* A command's parts through the API, not the dump. */
static void
test_values(void **state)
{
	static const char in[] =
	    "t1 Fetch 2:4 (BODY[HEADER.FIELDS (A B)]<0.100> \"x\\\"y\")\r\n";
	struct imap_parser *p = imap_parser_create(NULL);
	const struct imap_command *cmd;
	const struct imap_arg *a;
	size_t used;

	(void)state;
	assert_null(imap_parser_command(p));
	assert_int_equal(imap_parser_feed(p, in, sizeof(in) - 1, &used),
	    IMAP_PARSE_COMMAND);
	assert_int_equal(used, sizeof(in) - 1);
	cmd = imap_parser_command(p);
	assert_string_equal(cmd->tag, "t1");
	assert_string_equal(cmd->name, "FETCH");
	assert_int_equal(cmd->nargs, 2);
	a = cmd->args;
	assert_int_equal(a->type, IMAP_ARG_SEQSET);
	assert_string_equal(a->str, "2:4");
	assert_int_equal(a->seqset->count, 1);
	a = a->next;
	assert_int_equal(a->type, IMAP_ARG_LIST);
	assert_int_equal(a->len, 2);
	assert_null(a->next);
	a = a->list;
	assert_int_equal(a->type, IMAP_ARG_ATOM);
	assert_true(a->flags & IMAP_ARG_F_SECTION);
	assert_true(a->flags & IMAP_ARG_F_PARTIAL);
	assert_int_equal(a->section_len, strlen("HEADER.FIELDS (A B)"));
	assert_memory_equal(a->str + a->section_off, "HEADER.FIELDS (A B)",
	    a->section_len);
	assert_int_equal(a->partial_off, 0);
	assert_int_equal(a->partial_len, 100);
	a = a->next;
	assert_int_equal(a->type, IMAP_ARG_STRING);
	assert_string_equal(a->str, "x\"y");
	assert_int_equal(a->len, 3);
	imap_parser_destroy(&p);
	imap_parser_destroy(&p);
}

/* The parser stops after each command: pipelined bytes stay unread. */
static void
test_stops_after_command(void **state)
{
	static const char in[] = "a STARTTLS\r\n\x16\x03\x01";
	struct imap_parser *p = imap_parser_create(NULL);
	size_t used;

	(void)state;
	assert_int_equal(imap_parser_feed(p, in, sizeof(in) - 1, &used),
	    IMAP_PARSE_COMMAND);
	assert_int_equal(used, strlen("a STARTTLS\r\n"));
	imap_parser_destroy(&p);
}

/* The server refuses a synchronizing literal (say APPEND to a missing
 * mailbox): the next bytes are a new command. */
static void
test_refuse_literal(void **state)
{
	static const char in[] = "a APPEND nowhere {5}\r\n";
	struct imap_parser *p = imap_parser_create(NULL);
	size_t used;

	(void)state;
	assert_int_equal(imap_parser_feed(p, in, sizeof(in) - 1, &used),
	    IMAP_PARSE_CONTINUE);
	assert_string_equal(imap_parser_command(p)->name, "APPEND");
	imap_parser_refuse_literal(p);
	assert_int_equal(imap_parser_feed(p, NOOP, strlen(NOOP), &used),
	    IMAP_PARSE_COMMAND);
	assert_string_equal(imap_parser_command(p)->name, "NOOP");
	imap_parser_destroy(&p);
}

static void
refuse_without_continue(void *arg)
{
	struct imap_parser *p = imap_parser_create(NULL);

	(void)arg;
	imap_parser_refuse_literal(p);
}

static void
test_refuse_panics(void **state)
{
	(void)state;
	expect_panic(refuse_without_continue, NULL);
}

/* FATAL sticks until reset. */
static void
test_fatal_and_reset(void **state)
{
	static const char in[] = "a X {99999999999999999999999+}\r\n";
	struct imap_parser *p = imap_parser_create(NULL);
	size_t used;

	(void)state;
	assert_int_equal(imap_parser_feed(p, in, sizeof(in) - 1, &used),
	    IMAP_PARSE_FATAL);
	assert_int_equal(imap_parser_feed(p, NOOP, strlen(NOOP), &used),
	    IMAP_PARSE_FATAL);
	assert_int_equal(used, 0);
	imap_parser_reset(p);
	assert_int_equal(imap_parser_feed(p, NOOP, strlen(NOOP), &used),
	    IMAP_PARSE_COMMAND);
	imap_parser_destroy(&p);
}

/* Floods stay within the limits: deep nesting, many literals, a long
 * line; memory and time do not grow with the flood. */
static void
test_floods(void **state)
{
	struct imap_parser *p = imap_parser_create(NULL);
	struct buf in;
	size_t used, off, i;
	int rc, bads = 0, conts = 0;

	(void)state;
	buf_init(&in, 16 * 1024 * 1024);
	(void)buf_puts(&in, "a X ");
	for (i = 0; i < 60000; i++)
		(void)buf_putc(&in, '(');
	(void)buf_puts(&in, "\r\nb X");
	for (i = 0; i < 1000; i++)
		(void)buf_puts(&in, " {1+}\r\nx");
	(void)buf_puts(&in, "\r\nc X ");
	for (i = 0; i < 200000; i++)
		(void)buf_putc(&in, 'x');
	(void)buf_puts(&in, "\r\n" NOOP);
	for (off = 0; off < in.len; off += used) {
		rc = imap_parser_feed(p, in.data + off, in.len - off, &used);
		if (rc == IMAP_PARSE_BAD)
			bads++;
		if (rc == IMAP_PARSE_CONTINUE)
			conts++;
		if (rc == IMAP_PARSE_NEED_MORE)
			break;
		if (rc == IMAP_PARSE_COMMAND)
			assert_string_equal(imap_parser_command(p)->tag, "z");
	}
	assert_int_equal(bads, 3);
	assert_int_equal(conts, 0);
	buf_deinit(&in);
	imap_parser_destroy(&p);
}

static void
test_seqset(void **state)
{
	struct imap_seq_range r[8];
	struct imap_seqset *set;
	const char *error = NULL;
	unsigned n;

	(void)state;
	set = imap_seqset_parse("7:5,1,*,2:3,10:*", 16, 8, &error);
	assert_non_null(set);
	assert_int_equal(set->count, 5);
	assert_true(imap_seqset_contains(set, 6, 20));
	assert_true(imap_seqset_contains(set, 15, 20));
	assert_false(imap_seqset_contains(set, 4, 20));
	assert_false(imap_seqset_contains(set, 8, 20));
	n = imap_seqset_resolve(set, 20, r);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].first, 1);
	assert_int_equal(r[0].last, 3);
	assert_int_equal(r[1].first, 5);
	assert_int_equal(r[1].last, 7);
	assert_int_equal(r[2].first, 10);
	assert_int_equal(r[2].last, 20);
	/* "*" below the other end: UID FETCH 30:* with largest UID 20. */
	n = imap_seqset_resolve(set, 8, r);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].first, 5);
	assert_int_equal(r[1].last, 10);
	imap_seqset_free(&set);
	assert_null(set);
	imap_seqset_free(&set);

	set = imap_seqset_parse("4294967295,1:4294967294", 23, 8, &error);
	assert_non_null(set);
	n = imap_seqset_resolve(set, 5, r);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].first, 1);
	assert_int_equal(r[0].last, 4294967295u);
	imap_seqset_free(&set);

	set = imap_seqset_parse("$", 1, 1, &error);
	assert_non_null(set);
	assert_true(set->saved);
	assert_int_equal(imap_seqset_resolve(set, 5, r), 0);
	assert_false(imap_seqset_contains(set, 1, 5));
	imap_seqset_free(&set);

	assert_null(imap_seqset_parse("1,2,3", 5, 2, &error));
	assert_string_equal(error, "too many ranges in sequence set");
	assert_null(imap_seqset_parse("0", 1, 2, &error));
	assert_string_equal(error, "invalid sequence set");
	assert_null(imap_seqset_parse("", 0, 2, &error));
	assert_null(imap_seqset_parse("1:", 2, 2, &error));
	assert_null(imap_seqset_parse("$:1", 3, 2, &error));
	assert_null(imap_seqset_parse("4294967296", 10, 2, &error));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_stops_after_command),
		cmocka_unit_test(test_refuse_literal),
		cmocka_unit_test(test_refuse_panics),
		cmocka_unit_test(test_fatal_and_reset),
		cmocka_unit_test(test_floods),
		cmocka_unit_test(test_seqset),
	};

	init_limits();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
