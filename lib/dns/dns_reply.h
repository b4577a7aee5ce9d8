/* dns_reply - parse a DNS response message as it came off the wire.
 * The parser reads the header and the answer section of one message (RFC
 * 1035 section 4.1) and returns the records of the asked-for type whose
 * owner name is the queried name or reached from it through CNAMEs in the
 * same answer (RFC 1034 section 3.6.2): MX as preference and exchange, A
 * and AAAA as addresses, PTR and CNAME as names. Names are returned in
 * presentation form, lower case, without the final dot; the root name is
 * "" (a null MX, RFC 7505, has the exchange ""). Compression pointers are
 * followed only backwards, so every name ends (RFC 1035 section 4.1.4).
 * The caller owns the result and frees it with dns_reply_free. Pure: no
 * I/O, no globals; safe on any input (a fuzz harness runs it). */
#ifndef TERN_DNS_DNS_REPLY_H
#define TERN_DNS_DNS_REPLY_H

#include <stddef.h>
#include <stdint.h>

/* Record types and the one class we ask for (RFC 1035 section 3.2.2,
 * RFC 3596). */
#define DNS_T_A 1
#define DNS_T_CNAME 5
#define DNS_T_PTR 12
#define DNS_T_MX 15
#define DNS_T_AAAA 28
#define DNS_C_IN 1

/* Response codes (RFC 1035 section 4.1.1). */
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP 4
#define DNS_RCODE_REFUSED 5

/* A domain name in presentation form is at most 253 octets (RFC 1035
 * section 2.3.4 less the final dot). */
#define DNS_NAME_MAX 253

struct dns_rr {
	uint16_t type;
	uint32_t ttl;
	uint16_t pref;          /* MX only */
	char *name;             /* MX exchange, PTR or CNAME target */
	unsigned char addr[16]; /* A: 4 octets, AAAA: 16 */
};

struct dns_reply {
	int rcode;
	int truncated;     /* TC bit */
	int authoritative; /* AA bit */
	struct dns_rr *rr; /* answers of the asked type, in wire order */
	size_t nrr;
};

/* Parse msg (len octets), the answer to a question for qname and qtype.
 * Returns 0 with *reply_r set (possibly with no records), or -1 with
 * *error_r set to a static description when the message is malformed.
 * Records of other types, other classes or other owners are skipped. */
int dns_reply_parse(const unsigned char *msg, size_t len, const char *qname,
    uint16_t qtype, struct dns_reply **reply_r, const char **error_r);
void dns_reply_free(struct dns_reply **replyp);

/* Read the name at offset *off of msg into out (DNS_NAME_MAX + 1 bytes),
 * advancing *off past it in the message. Returns 0, or -1 when the name
 * is malformed. Exposed for the tests. */
int dns_name_read(const unsigned char *msg, size_t len, size_t *off, char *out);

/* Compare two presentation-form names ignoring case and one final dot.
 * Returns 1 when they name the same node. */
int dns_name_equal(const char *a, const char *b);

#endif
