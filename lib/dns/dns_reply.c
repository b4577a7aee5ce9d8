/* dns_reply - parse a DNS response message. See dns_reply.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns/dns_reply.h"
#include "util/mem.h"

#define HDR_LEN 12
#define CNAME_CHAIN_MAX 8 /* a longer chain in one answer is refused */

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* RFC 1035 section 4.1.4: a name is a sequence of labels ending in the
 * zero-length root label or in a pointer to an earlier name. A pointer
 * must point strictly before the place it was read from, which bounds the
 * walk and rules out loops. Labels are printed as they are, except that
 * '.' and '\\' inside a label and bytes outside printable ASCII would make
 * the name ambiguous: such a name is refused, since no host or mail
 * exchanger name may carry them. */
int
dns_name_read(const unsigned char *msg, size_t len, size_t *off, char *out)
{
	size_t pos = *off, limit = *off, outlen = 0;
	int jumped = 0;

	for (;;) {
		unsigned lab;

		if (pos >= len)
			return -1;
		lab = msg[pos];
		if ((lab & 0xc0) == 0xc0) {
			size_t to;

			if (pos + 1 >= len)
				return -1;
			to = (size_t)(lab & 0x3f) << 8 | msg[pos + 1];
			if (!jumped)
				*off = pos + 2;
			if (to >= limit)
				return -1;
			jumped = 1;
			limit = to;
			pos = to;
			continue;
		}
		if ((lab & 0xc0) != 0)
			return -1; /* 0x40, 0x80: extended label types */
		if (lab == 0) {
			if (!jumped)
				*off = pos + 1;
			out[outlen] = 0;
			return 0;
		}
		if (pos + 1 + lab > len)
			return -1;
		if (outlen + (outlen > 0) + lab > DNS_NAME_MAX)
			return -1;
		if (outlen > 0)
			out[outlen++] = '.';
		for (unsigned i = 0; i < lab; i++) {
			unsigned char c = msg[pos + 1 + i];

			if (c <= ' ' || c >= 0x7f || c == '.' || c == '\\')
				return -1;
			out[outlen++] = (char)tolower(c);
		}
		pos += 1 + lab;
	}
}

int
dns_name_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* Skip one question entry. */
static int
skip_question(const unsigned char *msg, size_t len, size_t *off)
{
	char name[DNS_NAME_MAX + 1];

	if (dns_name_read(msg, len, off, name) < 0 || *off + 4 > len)
		return -1;
	*off += 4;
	return 0;
}

static void
add_rr(struct dns_reply *r, const struct dns_rr *rr)
{
	r->rr = xrealloc(r->rr, (r->nrr + 1) * sizeof(*r->rr));
	r->rr[r->nrr++] = *rr;
}

int
dns_reply_parse(const unsigned char *msg, size_t len, const char *qname,
    uint16_t qtype, struct dns_reply **reply_r, const char **error_r)
{
	struct dns_reply *r;
	char owner[DNS_NAME_MAX + 1], target[DNS_NAME_MAX + 1];
	char want[DNS_NAME_MAX + 1];
	unsigned qd, an, chain = 0;
	size_t off = HDR_LEN;

	*reply_r = NULL;
	if (len < HDR_LEN) {
		*error_r = "short DNS message";
		return -1;
	}
	if ((msg[2] & 0x80) == 0) {
		*error_r = "DNS message is not a response";
		return -1;
	}
	if (strlen(qname) > DNS_NAME_MAX) {
		*error_r = "query name too long";
		return -1;
	}
	snprintf(want, sizeof(want), "%s", qname);
	r = xcalloc(1, sizeof(*r));
	r->rcode = msg[3] & 0x0f;
	r->truncated = (msg[2] & 0x02) != 0;
	r->authoritative = (msg[2] & 0x04) != 0;
	qd = get16(msg + 4);
	an = get16(msg + 6);
	for (unsigned i = 0; i < qd; i++) {
		if (skip_question(msg, len, &off) < 0) {
			*error_r = "malformed DNS question section";
			goto bad;
		}
	}
	for (unsigned i = 0; i < an; i++) {
		struct dns_rr rr;
		uint16_t type, class, rdlen;
		size_t rd;

		if (dns_name_read(msg, len, &off, owner) < 0 ||
		    off + 10 > len) {
			*error_r = "malformed DNS answer record";
			goto bad;
		}
		type = get16(msg + off);
		class = get16(msg + off + 2);
		memset(&rr, 0, sizeof(rr));
		rr.type = type;
		rr.ttl = get32(msg + off + 4);
		rdlen = get16(msg + off + 8);
		rd = off + 10;
		off = rd + rdlen;
		if (off > len) {
			*error_r = "DNS record data past the message end";
			goto bad;
		}
		if (class != DNS_C_IN || !dns_name_equal(owner, want))
			continue;
		if (type == DNS_T_CNAME && qtype != DNS_T_CNAME) {
			size_t p = rd;

			/* RFC 1034 section 3.6.2: answers for the alias's
			 * target follow in the same message. */
			if (dns_name_read(msg, rd + rdlen, &p, target) < 0 ||
			    p != rd + rdlen || ++chain > CNAME_CHAIN_MAX) {
				*error_r = "malformed DNS CNAME record";
				goto bad;
			}
			memcpy(want, target, sizeof(want));
			continue;
		}
		if (type != qtype)
			continue;
		switch (type) {
		case DNS_T_A:
		case DNS_T_AAAA:
			if (rdlen != (type == DNS_T_A ? 4 : 16)) {
				*error_r = "malformed DNS address record";
				goto bad;
			}
			memcpy(rr.addr, msg + rd, rdlen);
			break;
		case DNS_T_MX:
		case DNS_T_PTR:
		case DNS_T_CNAME: {
			size_t p = rd;

			if (type == DNS_T_MX) {
				if (rdlen < 3) {
					*error_r = "malformed DNS MX record";
					goto bad;
				}
				rr.pref = get16(msg + rd);
				p += 2;
			}
			/* The name must fill the record data exactly; it may
			 * point back into the message for its suffix. */
			if (dns_name_read(msg, rd + rdlen, &p, target) < 0 ||
			    p != rd + rdlen) {
				*error_r = "malformed DNS name in record data";
				goto bad;
			}
			rr.name = xstrdup(target);
			break;
		}
		default:
			continue;
		}
		add_rr(r, &rr);
	}
	*reply_r = r;
	return 0;
bad:
	dns_reply_free(&r);
	return -1;
}

void
dns_reply_free(struct dns_reply **replyp)
{
	struct dns_reply *r = *replyp;

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nrr; i++)
		xfree(r->rr[i].name);
	xfree(r->rr);
	xfree(r);
	*replyp = NULL;
}
