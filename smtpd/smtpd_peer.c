/* SPDX-License-Identifier: MIT */
/* smtpd_peer - the client's address and its forward-confirmed name. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/params.h"
#include "dns/dns.h"
#include "util/event.h"
#include "util/log.h"

#include "smtpd.h"

/* Per try and tries of one query; the whole lookup is bounded by
 * smtpd_peername_lookup_timeout anyway. */
#define PEER_DNS_TRY_MS 2000
#define PEER_DNS_TRIES 2

static int peer_dns_up;

void
smtpd_peer_init(void)
{
	const char *error;

	if (!var_smtpd_peername_lookup)
		return;
	/* Here, before any chroot: c-ares reads /etc/resolv.conf now. A
	 * resolver that cannot start costs the clients their names, never
	 * their mail. */
	if (dns_init(var_dns_servers, PEER_DNS_TRY_MS, PEER_DNS_TRIES, &error) <
	    0) {
		log_warn("%s = %s: %s; client names will be unknown",
		    VAR_DNS_SERVERS, log_str(var_dns_servers), error);
		return;
	}
	peer_dns_up = 1;
}

/* What one lookup reported: the status, why, and for the forward lookup
 * whether the client's address was among the answers; for the reverse
 * lookup the first name that may be a host's. */
struct peer_lookup {
	int done;
	enum dns_status status;
	const char *why;
	int family;                /* forward: the client's address */
	const unsigned char *want; /* 4 or 16 bytes */
	int matched;
	char name[DNS_NAME_MAX + 1];
};

/* Postfix's valid_hostname, in short; see smtpd.h. An all-digit last
 * label would make an address in disguise, which must never pass for a
 * name. */
int
smtpd_peer_hostname_ok(const char *name, int *numeric_r)
{
	size_t lab = 0, len = strlen(name);
	int digits = 1;

	*numeric_r = 0;
	if (len == 0 || len > DNS_NAME_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.' || c == 0) {
			if (lab == 0 || lab > 63 || name[i - 1] == '-')
				return 0;
			if (c == 0)
				break;
			lab = 0;
			digits = 1;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return 0;
		if (lab++ == 0 && c == '-')
			return 0;
		if (!isdigit(c))
			digits = 0;
	}
	if (digits) {
		*numeric_r = 1;
		return 0;
	}
	return 1;
}

static void
on_names(void *ctx, enum dns_status status, const struct dns_name_list *list,
    const char *why)
{
	struct peer_lookup *pl = ctx;
	int numeric;

	pl->done = 1;
	pl->status = status;
	pl->why = why;
	for (size_t i = 0; i < list->n && pl->name[0] == 0; i++) {
		if (smtpd_peer_hostname_ok(list->name[i], &numeric))
			snprintf(pl->name, sizeof(pl->name), "%s",
			    list->name[i]);
		else if (numeric)
			log_warn("numeric hostname: %s", list->name[i]);
	}
}

static void
on_addrs(void *ctx, enum dns_status status, const struct dns_addr_list *list,
    const char *why)
{
	struct peer_lookup *pl = ctx;
	size_t len = pl->family == AF_INET ? 4 : 16;

	pl->done = 1;
	pl->status = status;
	pl->why = why;
	for (size_t i = 0; i < list->n; i++)
		if (list->addr[i].family == pl->family &&
		    memcmp(list->addr[i].addr, pl->want, len) == 0)
			pl->matched = 1;
}

/* Wait for pl until the deadline; past it, answer what is pending (our
 * callback runs, and writes pl, before dns_cancel returns). */
static void
peer_wait(struct peer_lookup *pl, int64_t deadline)
{
	if (dns_wait(&pl->done, deadline) < 0) {
		dns_cancel();
		pl->status = DNS_RETRY;
		pl->why = "lookup timed out";
	}
}

/* The verified name of the address sa (AF_INET or AF_INET6; want are its
 * 4 or 16 bytes, addr its text) into name, or "unknown". Postfix's rules
 * and warnings (smtpd_peer.c): a name whose own lookup fails or lacks the
 * address is not the client's. */
static void
peer_name(const struct sockaddr *sa, const unsigned char *want,
    const char *addr, char *name, size_t size)
{
	struct peer_lookup rev, fwd;
	int64_t deadline = event_now_ms() + var_smtpd_peername_tmout * 1000;
	const char *error;

	snprintf(name, size, "unknown");
	memset(&rev, 0, sizeof(rev));
	if (dns_lookup_ptr(sa, on_names, &rev, &error) < 0) {
		log_warn("%s: reverse lookup: %s", addr, error);
		return;
	}
	peer_wait(&rev, deadline);
	if (rev.name[0] == 0) {
		log_debug(1, "%s: reverse lookup: %s", addr,
		    rev.why != NULL ? rev.why : "no usable name");
		return;
	}
	memset(&fwd, 0, sizeof(fwd));
	fwd.family = sa->sa_family;
	fwd.want = want;
	if (dns_lookup_addrs(rev.name,
		sa->sa_family == AF_INET ? DNS_INET4 : DNS_INET6, on_addrs,
		&fwd, &error) < 0) {
		log_warn("hostname %s does not resolve to address %s: %s",
		    rev.name, addr, error);
		return;
	}
	peer_wait(&fwd, deadline);
	if (fwd.status != DNS_OK) {
		log_warn("hostname %s does not resolve to address %s: %s",
		    rev.name, addr, fwd.why);
		return;
	}
	if (!fwd.matched) {
		log_warn("hostname %s does not resolve to address %s", rev.name,
		    addr);
		return;
	}
	snprintf(name, size, "%s", rev.name);
}

void
smtpd_peer(struct smtpd_session *ss, int fd)
{
	struct sockaddr_storage sa;
	struct sockaddr_in *in = (struct sockaddr_in *)&sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;
	socklen_t len = sizeof(sa);
	int loopback = 0;

	snprintf(ss->client_name, sizeof(ss->client_name), "unknown");
	snprintf(ss->client_addr, sizeof(ss->client_addr), "unknown");
	memset(&sa, 0, sizeof(sa));
	if (getpeername(fd, (struct sockaddr *)&sa, &len) < 0)
		goto done;
	/* An IPv4 client of an IPv6 socket is an IPv4 client, as Postfix
	 * shows it. */
	if (sa.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		struct in_addr v4;

		memcpy(&v4, in6->sin6_addr.s6_addr + 12, sizeof(v4));
		memset(&sa, 0, sizeof(sa));
		in->sin_family = AF_INET;
		in->sin_addr = v4;
	}
	if (sa.ss_family == AF_INET) {
		inet_ntop(AF_INET, &in->sin_addr, ss->client_addr,
		    sizeof(ss->client_addr));
		loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else if (sa.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &in6->sin6_addr, ss->client_addr,
		    sizeof(ss->client_addr));
		loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	} else {
		/* A local socket has no address to show. */
		if (sa.ss_family == AF_UNIX)
			snprintf(ss->client_name, sizeof(ss->client_name),
			    "localhost");
		goto done;
	}
	if (!var_smtpd_peername_lookup) {
		/* No DNS: only the loopback name is certain. */
		if (loopback)
			snprintf(ss->client_name, sizeof(ss->client_name),
			    "localhost");
	} else if (peer_dns_up) {
		peer_name((struct sockaddr *)&sa,
		    sa.ss_family == AF_INET
			? (const unsigned char *)&in->sin_addr
			: in6->sin6_addr.s6_addr,
		    ss->client_addr, ss->client_name, sizeof(ss->client_name));
	}
done:
	snprintf(ss->client, sizeof(ss->client), "%s[%s]", ss->client_name,
	    ss->client_addr);
}
