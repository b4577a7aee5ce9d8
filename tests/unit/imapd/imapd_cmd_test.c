/* SPDX-License-Identifier: MIT */
/* imapd_cmd_test - the command reader (commands, a synchronizing literal
 * answered with "+ OK", BAD and the command after it, the end of input, a
 * timeout, and above all nothing read past the command it returns: the
 * next line is still in the stream), astring arguments, and the pre-login
 * capability list (STARTTLS, LOGINDISABLED, AUTH= without the password
 * mechanisms before TLS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "mail/imap_parse.h"
#include "util/buf.h"
#include "util/stream.h"

#include "imapd.h"

/* A reader over one end of a socket pair; the test writes the client's
 * bytes into the other (sp[1]). */
struct fixture {
	int sp[2];
	struct stream *s;
	struct imapd_reader r;
};

static void
setup(struct fixture *f, const char *client)
{
	static const struct imap_parser_limits lim = {
		.line_max = IMAPD_LOGIN_LINE_MAX,
		.literal_max = IMAPD_LOGIN_LITERAL_MAX,
		.literal_policy = IMAP_LITERAL_MINUS,
	};

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, f->sp), 0);
	f->s = stream_create(f->sp[0], 0);
	stream_set_timeout(f->s, 5);
	imapd_reader_init(&f->r, f->s, &lim);
	assert_int_equal(write(f->sp[1], client, strlen(client)),
	    (ssize_t)strlen(client));
}

static void
teardown(struct fixture *f)
{
	imapd_reader_deinit(&f->r);
	stream_destroy(&f->s);
	close(f->sp[1]);
}

/* The next event must be a command named name with tag. */
static const struct imap_command *
expect_command(struct fixture *f, const char *tag, const char *name)
{
	const struct imap_command *c;
	const char *why = NULL;
	size_t rest;

	assert_int_equal(imapd_read(&f->r, &why), IMAPD_READ_COMMAND);
	c = imap_parser_command(f->r.parser);
	assert_non_null(c);
	assert_string_equal(c->tag, tag);
	assert_string_equal(c->name, name);
	/* Nothing was read past the command. */
	(void)imapd_reader_rest(&f->r, &rest);
	assert_int_equal(rest, 0);
	return c;
}

static void
test_reads_no_further(void **state)
{
	struct fixture f;
	const struct imap_command *c;
	struct buf line;
	const char *error;

	(void)state;
	setup(&f,
	    "a1 NOOP\r\n"
	    "a2 LOGIN {5+}\r\nal\nce pw\r\n"
	    "a3 LOGOUT\r\n");
	expect_command(&f, "a1", "NOOP");
	c = expect_command(&f, "a2", "LOGIN");
	assert_int_equal(c->nargs, 2);
	assert_string_equal(imapd_arg_astring(c->args), "al\nce");
	assert_string_equal(imapd_arg_astring(c->args->next), "pw");
	/* a3 is still the stream's, whole: what a relay would pass on. */
	buf_init(&line, 1024);
	assert_int_equal(stream_get_line(f.s, &line, 1024, &error),
	    STREAM_LINE);
	assert_string_equal(buf_cstr(&line), "a3 LOGOUT\r\n");
	buf_deinit(&line);
	teardown(&f);
}

static void
test_sync_literal_gets_continuation(void **state)
{
	struct fixture f;
	const struct imap_command *c;
	char got[16] = { 0 };

	(void)state;
	/* The literal is there already; the "+ OK" must go out all the
	 * same (a real client waits for it). */
	setup(&f, "b1 LOGIN {3}\r\nbob \"x y\"\r\n");
	c = expect_command(&f, "b1", "LOGIN");
	assert_string_equal(imapd_arg_astring(c->args), "bob");
	assert_string_equal(imapd_arg_astring(c->args->next), "x y");
	assert_int_equal(read(f.sp[1], got, sizeof(got) - 1), 6);
	assert_string_equal(got, "+ OK\r\n");
	teardown(&f);
}

static void
test_bad_then_next(void **state)
{
	struct fixture f;
	const char *why = NULL;

	(void)state;
	setup(&f, "c1 LOGIN (\r\nc2 NOOP\r\n");
	assert_int_equal(imapd_read(&f.r, &why), IMAPD_READ_BAD);
	assert_string_equal(imap_parser_tag(f.r.parser), "c1");
	expect_command(&f, "c2", "NOOP");
	teardown(&f);
}

static void
test_too_long_line_is_bad(void **state)
{
	struct fixture f;
	const char *why = NULL;
	struct buf in;

	(void)state;
	buf_init(&in, 3 * IMAPD_LOGIN_LINE_MAX);
	buf_puts(&in, "d1 LOGIN ");
	while (buf_len(&in) < 2 * IMAPD_LOGIN_LINE_MAX)
		buf_puts(&in, "xxxxxxxx");
	buf_puts(&in, " pw\r\nd2 NOOP\r\n");
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, f.sp), 0);
	f.s = stream_create(f.sp[0], 0);
	stream_set_timeout(f.s, 5);
	imapd_reader_init(&f.r, f.s,
	    &(struct imap_parser_limits){ .line_max = IMAPD_LOGIN_LINE_MAX });
	assert_int_equal(write(f.sp[1], in.data, buf_len(&in)),
	    (ssize_t)buf_len(&in));
	assert_int_equal(imapd_read(&f.r, &why), IMAPD_READ_BAD);
	assert_string_equal(imap_parser_tag(f.r.parser), "d1");
	expect_command(&f, "d2", "NOOP");
	buf_deinit(&in);
	teardown(&f);
}

static void
test_end_and_timeout(void **state)
{
	struct fixture f;
	const char *why = NULL;

	(void)state;
	setup(&f, "e1 NOOP\r\ne2 NOO");
	stream_set_timeout(f.s, 1);
	expect_command(&f, "e1", "NOOP");
	assert_int_equal(imapd_read(&f.r, &why), IMAPD_READ_TIMEOUT);
	(void)shutdown(f.sp[1], SHUT_WR);
	assert_int_equal(imapd_read(&f.r, &why), IMAPD_READ_EOF);
	assert_string_equal(why, "Connection closed");
	teardown(&f);
}

static void
test_fatal(void **state)
{
	struct fixture f;
	const char *why = NULL;

	(void)state;
	/* Too big to read and drop (imap_parse.h): the end. */
	setup(&f, "f1 LOGIN {99999999999+}\r\n");
	assert_int_equal(imapd_read(&f.r, &why), IMAPD_READ_FATAL);
	teardown(&f);
}

static void
test_astring_kinds(void **state)
{
	struct fixture f;
	const struct imap_command *c;
	const struct imap_arg *a;

	(void)state;
	setup(&f, "g1 X NIL 1:2 42 (a) ~{1+}\r\nz atom BODY[1]\r\n");
	c = expect_command(&f, "g1", "X");
	a = c->args;
	assert_string_equal(imapd_arg_astring(a), "NIL");
	a = a->next;
	assert_string_equal(imapd_arg_astring(a), "1:2");
	a = a->next;
	assert_string_equal(imapd_arg_astring(a), "42");
	a = a->next;
	assert_null(imapd_arg_astring(a)); /* a list */
	a = a->next;
	assert_null(imapd_arg_astring(a)); /* literal8 */
	a = a->next;
	assert_string_equal(imapd_arg_astring(a), "atom");
	a = a->next;
	assert_null(imapd_arg_astring(a)); /* a section */
	teardown(&f);
}

static void
test_capability(void **state)
{
	static const char base[] =
	    "IMAP4rev1 IMAP4rev2 SASL-IR ID ENABLE IDLE LITERAL-";
	static const struct {
		const char *mechs;
		int starttls, plaintext;
		const char *want; /* after base */
	} cases[] = {
		{ "SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5", 1, 0,
		    " STARTTLS LOGINDISABLED AUTH=SCRAM-SHA-256 "
		    "AUTH=CRAM-MD5" },
		{ "SCRAM-SHA-256 PLAIN LOGIN", 0, 1,
		    " AUTH=SCRAM-SHA-256 AUTH=PLAIN AUTH=LOGIN" },
		{ "  plain  PLAINX ", 0, 0, " LOGINDISABLED AUTH=PLAINX" },
		{ "", 1, 1, " STARTTLS" },
		{ NULL, 0, 0, " LOGINDISABLED" },
	};
	struct buf out, want;

	(void)state;
	buf_init(&out, 1024);
	buf_init(&want, 1024);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_set(&out, "junk");
		imapd_capability_login(cases[i].mechs, cases[i].starttls,
		    cases[i].plaintext, &out);
		buf_set(&want, base);
		buf_puts(&want, cases[i].want);
		assert_string_equal(buf_cstr(&out), buf_cstr(&want));
	}
	buf_deinit(&out);
	buf_deinit(&want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_no_further),
		cmocka_unit_test(test_sync_literal_gets_continuation),
		cmocka_unit_test(test_bad_then_next),
		cmocka_unit_test(test_too_long_line_is_bad),
		cmocka_unit_test(test_end_and_timeout),
		cmocka_unit_test(test_fatal),
		cmocka_unit_test(test_astring_kinds),
		cmocka_unit_test(test_capability),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
