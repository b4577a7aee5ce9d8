/* SPDX-License-Identifier: MIT */
/* smtpd_peer_test - which PTR names may be host names, and the client's
 * name without DNS: a local socket, a loopback client with lookups off,
 * and with lookups on but no resolver ("unknown", never a failure). The
 * lookups themselves run against dnsmasq in
 * tests/integration/test_smtpd_peername.py. */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/params.h"

#include "smtpd.h"

#define A32 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void
test_hostname_ok(void **state)
{
	static const struct {
		const char *name;
		int ok, numeric;
	} cases[] = {
		{ "mail.example.org", 1, 0 },
		{ "a", 1, 0 },
		{ "host_1.x-y.example", 1, 0 },
		{ "123.example", 1, 0 },
		{ "", 0, 0 },
		{ "a..b", 0, 0 },
		{ ".a", 0, 0 },
		{ "a.", 0, 0 },
		{ "-a.example", 0, 0 },
		{ "a-.example", 0, 0 },
		{ "a b.example", 0, 0 },
		{ "a\\.example", 0, 0 },
		{ "caf\xc3\xa9.example", 0, 0 },
		{ "10.0.0.5", 0, 1 },
		{ "host.42", 0, 1 },
		/* Labels of 63 and 64 octets. */
		{ "x." A32 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1, 0 },
		{ "x." A32 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, 0 },
	};
	int numeric;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		numeric = -1;
		assert_int_equal(smtpd_peer_hostname_ok(cases[i].name,
				     &numeric),
		    cases[i].ok);
		assert_int_equal(numeric, cases[i].numeric);
	}
}

/* The identity smtpd gives the far end of a loopback TCP connection. */
static void
tcp_peer(struct smtpd_session *ss)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int lfd, cfd, sfd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((lfd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	assert_true((cfd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_true((sfd = accept(lfd, NULL, NULL)) >= 0);
	memset(ss, 0, sizeof(*ss));
	smtpd_peer(ss, sfd);
	close(sfd);
	close(cfd);
	close(lfd);
}

static void
test_without_dns(void **state)
{
	struct smtpd_session ss;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(&ss, 0, sizeof(ss));
	smtpd_peer(&ss, sv[0]);
	assert_string_equal(ss.client, "localhost[unknown]");
	close(sv[0]);
	close(sv[1]);

	/* Not a socket (smtpd -S on a pipe or a file). */
	memset(&ss, 0, sizeof(ss));
	smtpd_peer(&ss, -1);
	assert_string_equal(ss.client, "unknown[unknown]");

	var_smtpd_peername_lookup = 0;
	tcp_peer(&ss);
	assert_string_equal(ss.client, "localhost[127.0.0.1]");

	/* smtpd_peer_init was never called: no resolver, no name. */
	var_smtpd_peername_lookup = 1;
	tcp_peer(&ss);
	assert_string_equal(ss.client, "unknown[127.0.0.1]");
	assert_string_equal(ss.client_name, "unknown");
	assert_string_equal(ss.client_addr, "127.0.0.1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostname_ok),
		cmocka_unit_test(test_without_dns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
