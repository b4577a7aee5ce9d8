/* cidr - IPv4 and IPv6 network patterns ("192.0.2.0/24", "[2001:db8::]/32",
 * "::1", "127.0.0.1") and matching client addresses against them.
 * A pattern with host bits set beyond its prefix is refused, as Postfix
 * does: "192.0.2.1/24" is almost always a typo for a single host or the
 * whole network, and guessing would open or close a relay by accident.
 * IPv6 patterns may be written in brackets, as in main.cf's mynetworks.
 * An IPv4-mapped IPv6 address (::ffff:192.0.2.1) matches the IPv4
 * patterns that its IPv4 address matches. Pure functions, re-entrant;
 * nothing here allocates or fails except by return value. */
#ifndef TERN_UTIL_CIDR_H
#define TERN_UTIL_CIDR_H

struct cidr {
	int family;            /* AF_INET or AF_INET6 */
	unsigned char net[16]; /* network bits; host bits are zero */
	int bits;              /* prefix length */
};

/* Parse one pattern. Returns 0, or -1 with *error_r (static text): not an
 * address, a prefix length out of range, host bits set. */
int cidr_parse(const char *text, struct cidr *c, const char **error_r);

/* 1 when the address addr (text, no brackets; IPv4 or IPv6) lies in c,
 * else 0 (also for text that is not an address). */
int cidr_match(const struct cidr *c, const char *addr);

#endif
