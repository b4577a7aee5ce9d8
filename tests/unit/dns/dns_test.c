/* SPDX-License-Identifier: MIT */
/* dns_test - the resolver against a real DNS server: dnsmasq on a free
 * loopback port serving a test zone. MX order, implicit MX, null MX,
 * NXDOMAIN, A and AAAA together, reverse (PTR) lookups of IPv4 and IPv6
 * addresses, and the temporary failures (a silent
 * server, a closed port), all answered on the event loop. Skipped when
 * dnsmasq is not installed (scripts/setup installs it). */
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
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns/dns.h"
#include "util/event.h"

#include "../dnsmasq.h"

static pid_t dnsmasq_pid;
static char servers[64];

/* What one lookup reported. */
struct seen {
	int done;
	enum dns_status status;
	char text[512];
	const char *why;
};

/* A callback's common part: what it was told; text is filled after. */
static void
seen_start(struct seen *s, enum dns_status status, const char *why)
{
	s->done = 1;
	s->status = status;
	s->why = why;
	s->text[0] = 0;
}

static void
on_mx(void *ctx, enum dns_status status, const struct dns_mx_list *list,
    const char *why)
{
	struct seen *s = ctx;
	size_t off = 0;

	seen_start(s, status, why);
	for (size_t i = 0; i < list->n; i++)
		off += (size_t)snprintf(s->text + off, sizeof(s->text) - off,
		    "%s%u:%s", i ? " " : "", list->mx[i].pref,
		    list->mx[i].host);
	if (list->implicit)
		snprintf(s->text + off, sizeof(s->text) - off, " implicit");
	if (list->nullmx)
		snprintf(s->text + off, sizeof(s->text) - off, "nullmx");
}

static void
on_addrs(void *ctx, enum dns_status status, const struct dns_addr_list *list,
    const char *why)
{
	struct seen *s = ctx;
	size_t off = 0;

	seen_start(s, status, why);
	for (size_t i = 0; i < list->n; i++) {
		const unsigned char *a = list->addr[i].addr;

		if (list->addr[i].family == AF_INET)
			off += (size_t)snprintf(s->text + off,
			    sizeof(s->text) - off, "%s%u.%u.%u.%u",
			    i ? " " : "", a[0], a[1], a[2], a[3]);
		else
			off += (size_t)snprintf(s->text + off,
			    sizeof(s->text) - off, "%s6:%02x%02x", i ? " " : "",
			    a[14], a[15]);
	}
}

static void
on_names(void *ctx, enum dns_status status, const struct dns_name_list *list,
    const char *why)
{
	struct seen *s = ctx;
	size_t off = 0;

	seen_start(s, status, why);
	for (size_t i = 0; i < list->n; i++)
		off += (size_t)snprintf(s->text + off, sizeof(s->text) - off,
		    "%s%s", i ? " " : "", list->name[i]);
}

/* A socket address from its text form, either family. */
static struct sockaddr_storage
sockaddr_of(const char *text)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1)
		in->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1)
		in6->sin6_family = AF_INET6;
	else
		fail_msg("bad address %s", text);
	return ss;
}

static void
wait_for(struct seen *s)
{
	assert_int_equal(dns_wait(&s->done, event_now_ms() + 10000), 0);
}

/* Look up and wait for the answer. */
static struct seen
mx_of(const char *domain)
{
	struct seen s = { 0 };
	const char *error;

	if (dns_lookup_mx(domain, on_mx, &s, &error) < 0)
		fail_msg("dns_lookup_mx %s: %s", domain, error);
	assert_int_equal(s.done, 0); /* never answered from the call */
	wait_for(&s);
	return s;
}

static struct seen
addrs_of(const char *host, int families)
{
	struct seen s = { 0 };
	const char *error;

	if (dns_lookup_addrs(host, families, on_addrs, &s, &error) < 0)
		fail_msg("dns_lookup_addrs %s: %s", host, error);
	wait_for(&s);
	return s;
}

static struct seen
names_of(const char *addr)
{
	struct sockaddr_storage sa = sockaddr_of(addr);
	struct seen s = { 0 };
	const char *error;

	if (dns_lookup_ptr((struct sockaddr *)&sa, on_names, &s, &error) < 0)
		fail_msg("dns_lookup_ptr %s: %s", addr, error);
	assert_int_equal(s.done, 0);
	wait_for(&s);
	return s;
}

static int
setup(void **state)
{
	static const char *const records[] = {
		"--mx-host=mail.test,mx2.mail.test,20",
		"--mx-host=mail.test,mx1.mail.test,10",
		"--host-record=mx1.mail.test,127.0.0.2",
		"--host-record=mx2.mail.test,127.0.0.3",
		"--host-record=both.test,127.0.0.4,::1",
		"--host-record=v6.test,::1",
		"--host-record=plain.test,127.0.0.5",
		"--dns-rr=nomail.test,15,000000",
		"--ptr-record=9.0.0.127.in-addr.arpa,Ptr.Test",
		"--host-record=six.test,fd00::6",
		"--local=/127.in-addr.arpa/",
		NULL,
	};
	const char *error;

	(void)state;
	dnsmasq_pid = test_dnsmasq_start(records, servers, sizeof(servers));
	if (dnsmasq_pid == 0)
		return 0;
	if (dnsmasq_pid < 0)
		return -1;
	if (dns_init(servers, 500, 2, &error) < 0)
		fail_msg("dns_init: %s", error);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dns_shutdown();
	test_dnsmasq_stop(dnsmasq_pid);
	return 0;
}

#define NEED_DNSMASQ()                \
	do {                          \
		if (dnsmasq_pid <= 0) \
			skip();       \
	} while (0)

static void
test_mx_order(void **state)
{
	struct seen s;

	(void)state;
	NEED_DNSMASQ();
	s = mx_of("Mail.TEST");
	assert_int_equal(s.status, DNS_OK);
	assert_string_equal(s.text, "10:mx1.mail.test 20:mx2.mail.test");
	s = mx_of("plain.test");
	assert_int_equal(s.status, DNS_OK);
	assert_string_equal(s.text, "0:plain.test implicit");
}

static void
test_null_mx_and_nxdomain(void **state)
{
	struct seen s;

	(void)state;
	NEED_DNSMASQ();
	s = mx_of("nomail.test");
	assert_int_equal(s.status, DNS_NOTFOUND);
	assert_string_equal(s.text, "nullmx");
	assert_string_equal(s.why, "domain does not accept mail (null MX)");
	s = mx_of("nosuch.test");
	assert_int_equal(s.status, DNS_NOTFOUND);
	assert_string_equal(s.why, "Host not found");
	s = addrs_of("nosuch.test", DNS_INET4 | DNS_INET6);
	assert_int_equal(s.status, DNS_NOTFOUND);
}

static void
test_addrs(void **state)
{
	struct seen s;

	(void)state;
	NEED_DNSMASQ();
	s = addrs_of("both.test", DNS_INET4 | DNS_INET6);
	assert_int_equal(s.status, DNS_OK);
	assert_string_equal(s.text, "127.0.0.4 6:0001");
	/* Only the families asked for. */
	s = addrs_of("both.test", DNS_INET6);
	assert_string_equal(s.text, "6:0001");
	/* An IPv6-only host asked for IPv4: it exists, no address. */
	s = addrs_of("v6.test", DNS_INET4);
	assert_int_equal(s.status, DNS_NODATA);
}

static void
test_bad_names(void **state)
{
	const char *error = NULL;
	struct seen s = { 0 };

	(void)state;
	NEED_DNSMASQ();
	assert_int_equal(dns_lookup_mx("a..test", on_mx, &s, &error), -1);
	assert_string_equal(error, "Malformed domain name");
	assert_int_equal(dns_lookup_mx("", on_mx, &s, &error), -1);
	assert_int_equal(dns_lookup_addrs("sp ace.test", DNS_INET4, on_addrs,
			     &s, &error),
	    -1);
	assert_int_equal(s.done, 0);
}

/* A server that never answers, and a port where nothing listens: both
 * are "try again", never "not found". */
static void
test_temporary_failures(void **state)
{
	struct seen s = { 0 };
	const char *error;
	char list[64];
	int silent_fd = -1, port;

	(void)state;
	if ((port = test_free_port(SOCK_DGRAM, &silent_fd)) < 0)
		fail();
	snprintf(list, sizeof(list), "127.0.0.1:%d", port);
	assert_int_equal(dns_init(list, 200, 1, &error), 0);
	s = mx_of("mail.test");
	assert_int_equal(s.status, DNS_RETRY);
	assert_string_equal(s.why, "Host not found, try again");
	close(silent_fd);

	if ((port = test_free_port(SOCK_DGRAM, NULL)) < 0)
		fail();
	snprintf(list, sizeof(list), "127.0.0.1:%d", port);
	assert_int_equal(dns_init(list, 200, 1, &error), 0);
	assert_int_equal(addrs_of("plain.test", DNS_INET4).status, DNS_RETRY);

	/* Shutting down answers what is pending with "try again". */
	memset(&s, 0, sizeof(s));
	assert_int_equal(dns_init(list, 5000, 1, &error), 0);
	assert_int_equal(dns_lookup_mx("mail.test", on_mx, &s, &error), 0);
	dns_shutdown();
	wait_for(&s);
	assert_int_equal(s.status, DNS_RETRY);
	assert_int_equal(dns_lookup_mx("mail.test", on_mx, &s, &error), -1);

	assert_int_equal(dns_init("not an address", 200, 1, &error), -1);
	assert_string_equal(error, "bad DNS server list");
	/* Back to the test server for whatever runs next. */
	assert_int_equal(dns_init(servers, 500, 2, &error), 0);
}

static void
test_ptr_names(void **state)
{
	static const struct {
		const char *addr, *name;
	} cases[] = {
		{ "192.0.2.1", "1.2.0.192.in-addr.arpa" },
		{ "::ffff:10.1.2.3", "3.2.1.10.in-addr.arpa" },
		{ "2001:db8::567:89ab",
		    "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1."
		    "0.0.2.ip6.arpa" },
	};
	char name[DNS_PTR_NAME_SIZE];
	struct sockaddr_storage sa;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sa = sockaddr_of(cases[i].addr);
		assert_int_equal(dns_ptr_name((struct sockaddr *)&sa, name,
				     sizeof(name)),
		    0);
		assert_string_equal(name, cases[i].name);
		/* One byte short of the name and its NUL. */
		assert_int_equal(dns_ptr_name((struct sockaddr *)&sa, name,
				     strlen(cases[i].name)),
		    -1);
	}
	sa.ss_family = AF_UNIX;
	assert_int_equal(dns_ptr_name((struct sockaddr *)&sa, name,
			     sizeof(name)),
	    -1);
}

static void
test_ptr_lookup(void **state)
{
	static const struct {
		const char *addr;
		enum dns_status status;
		const char *names;
	} cases[] = {
		{ "127.0.0.9", DNS_OK, "ptr.test" },
		/* --host-record makes the PTR record too. */
		{ "127.0.0.5", DNS_OK, "plain.test" },
		{ "fd00::6", DNS_OK, "six.test" },
		{ "127.0.0.77", DNS_NOTFOUND, "" },
	};
	struct sockaddr_storage sa;
	struct seen s;
	const char *error;

	(void)state;
	NEED_DNSMASQ();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = names_of(cases[i].addr);
		assert_int_equal(s.status, cases[i].status);
		assert_string_equal(s.text, cases[i].names);
	}
	sa.ss_family = AF_UNIX;
	assert_int_equal(dns_lookup_ptr((struct sockaddr *)&sa, on_names, &s,
			     &error),
	    -1);
	assert_string_equal(error, "address family not supported");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mx_order),
		cmocka_unit_test(test_null_mx_and_nxdomain),
		cmocka_unit_test(test_addrs),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_ptr_names),
		cmocka_unit_test(test_ptr_lookup),
		cmocka_unit_test(test_temporary_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
