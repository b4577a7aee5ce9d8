/* SPDX-License-Identifier: MIT */
/* smtp_connect_test - from a next hop to a session, against dnsmasq and a
 * small SMTP server on loopback: next-hop syntax, MX order with a dead
 * first exchanger, [host]:port without MX lookup, and the failures that
 * bounce (no such domain, null MX, mail looping back to us) or defer (no
 * server listening). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns/dns.h"
#include "smtp.h"
#include "util/event.h"

#include "../dnsmasq.h"

static pid_t dnsmasq_pid, smtp_pid;
static char servers[64];
static int smtp_port; /* the same port on 127.0.0.2 and .3 */

static const struct smtp_conf conf_base = {
	.helo_name = "client.test",
	.myhostname = "me.test",
	.families = DNS_INET4,
	.connect_timeout = 5,
	.dns_timeout = 10,
	.t = { 5, 5, 5, 5, 5, 5, 5, 5 },
};

/* Greets every client on 127.0.0.3 and answers EHLO and QUIT; nothing
 * listens on 127.0.0.2. */
static void
smtp_server(int lfd)
{
	for (;;) {
		char buf[512];
		int fd = accept(lfd, NULL, NULL);
		ssize_t n;

		if (fd < 0)
			continue;
		if (write(fd, "220 mx2.mail.test ESMTP\r\n", 25) < 0)
			_exit(1);
		while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
			buf[n] = 0;
			if (strncmp(buf, "EHLO", 4) == 0 &&
			    write(fd, "250 mx2.mail.test\r\n", 19) < 0)
				break;
			if (strncmp(buf, "QUIT", 4) == 0) {
				if (write(fd, "221 bye\r\n", 9) < 0)
					break;
				break;
			}
		}
		close(fd);
	}
}

static int
setup(void **state)
{
	static const char *const records[] = {
		"--mx-host=mail.test,mx2.mail.test,20",
		"--mx-host=mail.test,mx1.mail.test,10",
		"--host-record=mx1.mail.test,127.0.0.2",
		"--host-record=mx2.mail.test,127.0.0.3",
		"--mx-host=self.test,other.test,20",
		"--mx-host=self.test,me.test,10",
		"--mx-host=gone.test,nowhere.test,10",
		"--host-record=plain.test,127.0.0.3",
		"--dns-rr=nomail.test,15,000000",
		NULL,
	};
	struct sockaddr_in sin;
	const char *error;
	int lfd;

	(void)state;
	dnsmasq_pid = test_dnsmasq_start(records, servers, sizeof(servers));
	if (dnsmasq_pid <= 0)
		return dnsmasq_pid;
	if (dns_init(servers, 500, 3, &error) < 0)
		return -1;
	/* A port free on 127.0.0.3 is what both addresses use: nothing
	 * else binds 127.0.0.2 in a test run. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.3", &sin.sin_addr);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(lfd, 8) < 0)
		return -1;
	{
		socklen_t len = sizeof(sin);

		getsockname(lfd, (struct sockaddr *)&sin, &len);
		smtp_port = ntohs(sin.sin_port);
	}
	if ((smtp_pid = fork()) == 0) {
		/* Gone with the test, however the test ends. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		smtp_server(lfd);
	}
	close(lfd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dns_shutdown();
	test_dnsmasq_stop(dnsmasq_pid);
	test_dnsmasq_stop(smtp_pid);
	return 0;
}

static void
test_dest_parse(void **state)
{
	struct smtp_dest d;
	const char *error;

	(void)state;
	assert_int_equal(smtp_dest_parse("example.com", 25, &d, &error), 0);
	assert_string_equal(d.host, "example.com");
	assert_int_equal(d.port, 25);
	assert_int_equal(d.no_mx, 0);
	smtp_dest_free(&d);
	assert_int_equal(smtp_dest_parse("[mx.example.com]:2525", 25, &d,
			     &error),
	    0);
	assert_string_equal(d.host, "mx.example.com");
	assert_int_equal(d.port, 2525);
	assert_int_equal(d.no_mx, 1);
	smtp_dest_free(&d);
	assert_int_equal(smtp_dest_parse("[ipv6:::1]", 25, &d, &error), 0);
	assert_string_equal(d.host, "::1");
	smtp_dest_free(&d);
	assert_int_equal(smtp_dest_parse("example.com:26", 25, &d, &error), 0);
	assert_int_equal(d.port, 26);
	smtp_dest_free(&d);
	assert_int_equal(smtp_dest_parse("[x", 25, &d, &error), -1);
	assert_int_equal(smtp_dest_parse("[x]y", 25, &d, &error), -1);
	assert_int_equal(smtp_dest_parse("x:0", 25, &d, &error), -1);
	assert_int_equal(smtp_dest_parse("x:", 25, &d, &error), -1);
	assert_int_equal(smtp_dest_parse("", 25, &d, &error), -1);
}

/* Connect to nexthop; returns the session's host label or the failure
 * as "P dsn text" / "T dsn text". */
static void
expect(const char *nexthop, const char *want)
{
	struct smtp_dest d;
	struct smtp_fail f;
	struct smtp_sess *s;
	const char *error;
	char got[1200];

	assert_int_equal(smtp_dest_parse(nexthop, smtp_port, &d, &error), 0);
	s = smtp_connect(&d, &conf_base, &f);
	if (s != NULL) {
		snprintf(got, sizeof(got), "%s", smtp_sess_host(s));
		smtp_sess_close(&s, 1);
	} else {
		snprintf(got, sizeof(got), "%c %s %s", f.permanent ? 'P' : 'T',
		    f.dsn, f.text);
	}
	smtp_dest_free(&d);
	assert_string_equal(got, want);
}

static void
test_mx_fallback(void **state)
{
	char want[256];

	(void)state;
	if (dnsmasq_pid <= 0)
		skip();
	/* mx1 (127.0.0.2) refuses; mx2 answers. */
	expect("mail.test", "mx2.mail.test[127.0.0.3]");
	/* No MX: the domain's own address. */
	expect("plain.test", "plain.test[127.0.0.3]");
	expect("[127.0.0.3]", "127.0.0.3[127.0.0.3]");
	snprintf(want, sizeof(want),
	    "T 4.4.1 connect to "
	    "mx1.mail.test[127.0.0.2]:%d: Connection refused",
	    smtp_port);
	expect("[mx1.mail.test]", want);
}

static void
test_permanent_and_temporary(void **state)
{
	(void)state;
	if (dnsmasq_pid <= 0)
		skip();
	expect("nosuch.test",
	    "P 5.1.2 Host or domain name not found. Name "
	    "service error for name=nosuch.test type=MX: Host not found");
	expect("nomail.test",
	    "P 5.1.10 Domain nomail.test does not accept "
	    "mail (nullMX)");
	expect("self.test",
	    "P 5.4.6 mail for self.test loops back to "
	    "myself");
	/* An exchanger without an address may be fixed by its owner. */
	expect("gone.test",
	    "T 4.4.3 Host or domain name not found. Name "
	    "service error for name=nowhere.test type=A: Host not found");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dest_parse),
		cmocka_unit_test(test_mx_fallback),
		cmocka_unit_test(test_permanent_and_temporary),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
