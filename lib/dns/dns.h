/* dns - asynchronous DNS lookups on the event loop, over c-ares.
 * One resolver per process, set up by dns_init with the servers to ask
 * (main.cf dns_servers: "addr[:port], ..."; empty: /etc/resolv.conf).
 * Queries never block: c-ares's sockets are watched by lib/util/event and
 * its retransmissions run from an event timer, so a daemon keeps serving
 * while it waits. A program without its own loop (smtpd's one session)
 * waits for an answer with dns_wait, bounded by a deadline.
 *
 * Every answer is classified so that callers never decide from c-ares's
 * codes: DNS_OK (records), DNS_NODATA (the name exists, no record of the
 * type), DNS_NOTFOUND (NXDOMAIN: permanent), DNS_RETRY (SERVFAIL, refused,
 * timeout, no server reachable: try again later) and DNS_FAIL (a malformed
 * answer or an impossible name: permanent). The answer itself is parsed
 * by dns_reply.c, our own parser, from the wire form: with c-ares 1.18
 * (Debian 12) it comes from ares_query, with 1.28 and later (Debian 13
 * ships 1.34, where ares_query and its parsers are deprecated) from
 * ares_query_dnsrec and ares_dns_write. That choice is the only version
 * check, and it lives in dns.c.
 *
 * Callbacks run from the event loop, never from within the call that
 * started the query; the reply passed to them lives until they return.
 * Not thread-safe. Allocation failure is fatal (mem.h). */
#ifndef TERN_DNS_DNS_H
#define TERN_DNS_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns_reply.h"

enum dns_status {
	DNS_OK,
	DNS_NODATA,
	DNS_NOTFOUND,
	DNS_RETRY,
	DNS_FAIL,
};

/* Address families to look up (main.cf inet_protocols). */
#define DNS_INET4 0x1
#define DNS_INET6 0x2

/* Set up the resolver. servers: NULL or "" for the system's resolv.conf,
 * else a list of "addr", "addr:port" or "[v6addr]:port" separated by
 * commas or spaces. timeout_ms is the wait per try; tries is how many
 * times each server is asked. Returns 0, or -1 with *error_r (static
 * text) when c-ares cannot start or the server list does not parse.
 * Calling it again replaces the resolver (pending queries get DNS_RETRY). */
int
dns_init(const char *servers, long timeout_ms, int tries, const char **error_r);
/* Cancel every pending query (each callback gets DNS_RETRY, "resolver
 * shut down") and release c-ares. */
void dns_shutdown(void);

/* Answer every pending query now with DNS_RETRY ("lookup cancelled");
 * the resolver stays up. A caller that stops waiting (dns_wait's deadline)
 * calls this before the memory its callbacks write to goes away. */
void dns_cancel(void);

/* One query. why is a short human reason for anything but DNS_OK ("Host
 * not found", "Host not found, try again", ...); reply is NULL unless the
 * status is DNS_OK or DNS_NODATA. */
typedef void dns_fn(void *ctx, enum dns_status status,
    const struct dns_reply *reply, const char *why);
/* Ask for the records of type (DNS_T_*) of name, class IN, without
 * search-list expansion. Returns 0 (fn will be called exactly once), or
 * -1 with *error_r when the name is not a valid domain name or the
 * resolver is not set up (fn is not called). */
int dns_query(const char *name, uint16_t type, dns_fn *fn, void *ctx,
    const char **error_r);

/* Run the event loop until *done becomes non-zero or deadline_ms (on the
 * event_now_ms clock) passes. Returns 0 when done, -1 on the deadline. */
int dns_wait(const int *done, int64_t deadline_ms);

/* Mail exchangers of a domain (RFC 5321 section 5.1): sorted by
 * preference, equal preferences shuffled. A domain that exists with no
 * MX record has one implicit exchanger, the domain itself (implicit = 1;
 * whether it has an address is then dns_lookup_addrs's answer). A null
 * MX (RFC 7505: one MX with exchange ".") gives DNS_NOTFOUND with why
 * "domain does not accept mail (null MX)" and nullmx = 1. */
struct dns_mx {
	char *host;
	uint16_t pref;
};
struct dns_mx_list {
	struct dns_mx *mx;
	size_t n;
	int implicit;
	int nullmx;
};
typedef void dns_mx_fn(void *ctx, enum dns_status status,
    const struct dns_mx_list *list, const char *why);
int dns_lookup_mx(const char *domain, dns_mx_fn *fn, void *ctx,
    const char **error_r);

/* Sort mx[0..n) by preference and shuffle each run of equal preferences
 * with rnd (a function returning a value in [0, bound)). Exposed for the
 * tests; dns_lookup_mx uses it with random(). */
void dns_mx_sort(struct dns_mx *mx, size_t n, unsigned (*rnd)(unsigned bound));

/* The addresses of a host, A and AAAA asked at once as families says.
 * DNS_OK when either family has an address (the A records first, each in
 * the server's order); otherwise the worse of the two outcomes, RETRY
 * before NOTFOUND before NODATA, so that a failing AAAA query never turns
 * a temporary failure into a bounce. */
struct dns_addr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
};
struct dns_addr_list {
	struct dns_addr *addr;
	size_t n;
};
typedef void dns_addr_fn(void *ctx, enum dns_status status,
    const struct dns_addr_list *list, const char *why);
int dns_lookup_addrs(const char *host, int families, dns_addr_fn *fn, void *ctx,
    const char **error_r);

/* Reverse lookups (RFC 1035 section 3.5, RFC 3596 section 2.5). The
 * node of an address: "4.3.2.1.in-addr.arpa", or 32 nibbles under
 * "ip6.arpa" (an IPv4-mapped IPv6 address is looked up as IPv4). Puts it
 * into buf (DNS_PTR_NAME_SIZE bytes suffice) and returns 0, or -1 when sa
 * is neither AF_INET nor AF_INET6 or buf is too small. */
#define DNS_PTR_NAME_SIZE 74
struct sockaddr;
int dns_ptr_name(const struct sockaddr *sa, char *buf, size_t size);

/* The names (PTR records) of an address, in the server's order, each in
 * presentation form, lower case, without the final dot; the caller
 * checks that a name is a usable host name. The names are the caller's
 * only during the callback. Returns 0, or -1 with *error_r when the
 * family is not supported or the resolver is not set up. */
struct dns_name_list {
	char **name;
	size_t n;
};
typedef void dns_name_fn(void *ctx, enum dns_status status,
    const struct dns_name_list *list, const char *why);
int dns_lookup_ptr(const struct sockaddr *sa, dns_name_fn *fn, void *ctx,
    const char **error_r);

#endif
