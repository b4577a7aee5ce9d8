/* SPDX-License-Identifier: MIT */
/* cidr - network patterns and address matching. See cidr.h. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/cidr.h"

/* Address text into family and 16 bytes. 0, or -1 when not an address. */
static int
parse_addr(const char *text, size_t len, int *family, unsigned char *out)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = 0;
	memset(out, 0, 16);
	if (inet_pton(AF_INET, buf, out) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (strchr(buf, ':') != NULL && inet_pton(AF_INET6, buf, out) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

int
cidr_parse(const char *text, struct cidr *c, const char **error_r)
{
	const char *addr = text, *slash, *end;
	size_t len;
	int max, bits;

	memset(c, 0, sizeof(*c));
	slash = strchr(text, '/');
	end = slash != NULL ? slash : text + strlen(text);
	if (*addr == '[') {
		if (end - addr < 2 || end[-1] != ']') {
			*error_r = "missing \"]\" in address";
			return -1;
		}
		addr++;
		end--;
	}
	len = (size_t)(end - addr);
	if (parse_addr(addr, len, &c->family, c->net) < 0 ||
	    (text[0] == '[' && c->family != AF_INET6)) {
		*error_r = "not an IPv4 or IPv6 address";
		return -1;
	}
	max = c->family == AF_INET ? 32 : 128;
	bits = max;
	if (slash != NULL) {
		char *e;
		long v;

		if (slash[1] < '0' || slash[1] > '9') {
			*error_r = "bad prefix length";
			return -1;
		}
		v = strtol(slash + 1, &e, 10);
		if (*e != 0 || v < 0 || v > max) {
			*error_r = "bad prefix length";
			return -1;
		}
		bits = (int)v;
	}
	c->bits = bits;
	for (int i = 0; i < max / 8; i++) {
		int keep = bits - i * 8;
		unsigned char mask = keep >= 8 ? 0xff
		    : keep <= 0                ? 0
				: (unsigned char)(0xff << (8 - keep));

		if ((c->net[i] & (unsigned char)~mask) != 0) {
			*error_r = "address has bits set beyond the prefix "
				   "length";
			return -1;
		}
	}
	return 0;
}

static int
match_bits(const unsigned char *net, const unsigned char *a, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(net, a, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((net[full] ^ a[full]) & (0xff << (8 - rest))) == 0;
}

int
cidr_match(const struct cidr *c, const char *addr)
{
	static const unsigned char mapped[12] = {
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0xff,
		0xff,
	};
	unsigned char a[16];
	int family;

	if (parse_addr(addr, strlen(addr), &family, a) < 0)
		return 0;
	if (family == AF_INET6 && c->family == AF_INET &&
	    memcmp(a, mapped, sizeof(mapped)) == 0) {
		memmove(a, a + 12, 4);
		family = AF_INET;
	}
	return family == c->family && match_bits(c->net, a, c->bits);
}
