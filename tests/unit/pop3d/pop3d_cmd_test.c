/* SPDX-License-Identifier: MIT */
/* pop3d_cmd_test - the command line parser (RFC 1939 3: a keyword of three
 * or four letters in any case, arguments after one space, CRLF or LF),
 * UIDLs under Dovecot's pop3_uidl_format variables, and the peer of a
 * descriptor that is not an IP socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/buf.h"

#include "pop3d.h"

static int
parse(const char *text, struct pop3_cmd *cmd, struct buf *line)
{
	buf_set(line, text);
	return pop3_parse(line, cmd);
}

static void
test_parse(void **state)
{
	struct buf line;
	struct pop3_cmd cmd;

	(void)state;
	buf_init(&line, 1024);
	assert_int_equal(parse("retr 1\r\n", &cmd, &line), 0);
	assert_string_equal(cmd.verb, "RETR");
	assert_string_equal(cmd.args, "1");
	assert_int_equal(parse("QUIT\n", &cmd, &line), 0);
	assert_string_equal(cmd.verb, "QUIT");
	assert_string_equal(cmd.args, "");
	assert_int_equal(parse("PASS two words\r\n", &cmd, &line), 0);
	assert_string_equal(cmd.args, "two words");
	assert_int_equal(parse("Top 1 10", &cmd, &line), 0);
	assert_string_equal(cmd.verb, "TOP");
	/* Not a keyword: empty, too long, not letters, a leading space. */
	assert_int_equal(parse("\r\n", &cmd, &line), -1);
	assert_int_equal(parse("RETRX 1\r\n", &cmd, &line), -1);
	assert_int_equal(parse("RE1R 1\r\n", &cmd, &line), -1);
	assert_int_equal(parse(" STAT\r\n", &cmd, &line), -1);
	buf_deinit(&line);
}

static void
test_uidl(void **state)
{
	struct buf out;
	const char *base = "1700000000.M1P2.host,S=10,W=12";

	(void)state;
	buf_init(&out, 1024);
	/* Dovecot's default, in Dovecot's lower case. */
	pop3_uidl("%08Xu%08Xv", 0x2a, 0x6b14d063, base, &out);
	assert_string_equal(out.data, "0000002a6b14d063");
	pop3_uidl("%u-%v", 42, 1700000000, base, &out);
	assert_string_equal(out.data, "42-1700000000");
	pop3_uidl("%xu.%4v", 255, 1, base, &out);
	assert_string_equal(out.data, "ff.   1");
	pop3_uidl("%f", 1, 1, base, &out);
	assert_string_equal(out.data, base);
	pop3_uidl("%g", 1, 1, base, &out);
	assert_string_equal(out.data, base);
	pop3_uidl("100%% %m%u", 7, 1, base, &out);
	assert_string_equal(out.data, "100% 7");
	/* A lone % at the end, or an absurd width, stays as it is. */
	pop3_uidl("a%", 7, 1, base, &out);
	assert_string_equal(out.data, "a");
	pop3_uidl("%9999999u", 7, 1, base, &out);
	assert_string_equal(out.data, "%9999999u");
	buf_deinit(&out);
}

static void
test_peer_not_ip(void **state)
{
	struct login_peer p;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	login_peer_get(sv[0], &p);
	assert_string_equal(p.rip, "unknown");
	assert_string_equal(p.client, "unknown[unknown]");
	assert_int_equal(p.loopback, 0);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_uidl),
		cmocka_unit_test(test_peer_not_ip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
