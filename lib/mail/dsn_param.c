/* SPDX-License-Identifier: MIT */
/* dsn_param - RFC 3461 parameters and xtext. */
#include <string.h>
#include <strings.h>

#include "mail/dsn_param.h"
#include "util/buf.h"

static const struct {
	const char *name;
	int bit;
} notify_words[] = {
	{ "SUCCESS", DSN_NOTIFY_SUCCESS },
	{ "FAILURE", DSN_NOTIFY_FAILURE },
	{ "DELAY", DSN_NOTIFY_DELAY },
	{ "NEVER", DSN_NOTIFY_NEVER },
};
#define NOTIFY_WORDS (sizeof(notify_words) / sizeof(notify_words[0]))

int
dsn_notify_parse(const char *value)
{
	const char *p = value;
	int mask = 0;

	/* notify-esmtp-value = "NEVER" / 1#notify-list-element */
	for (;;) {
		size_t len = strcspn(p, ","), i;
		int bit = 0;

		for (i = 0; i < NOTIFY_WORDS; i++)
			if (strlen(notify_words[i].name) == len &&
			    strncasecmp(p, notify_words[i].name, len) == 0)
				bit = notify_words[i].bit;
		if (bit == 0 || (mask & bit) != 0)
			return -1;
		mask |= bit;
		p += len;
		if (*p == 0)
			break;
		p++;
	}
	if ((mask & DSN_NOTIFY_NEVER) && mask != DSN_NOTIFY_NEVER)
		return -1;
	return mask;
}

int
dsn_notify_format(int mask, struct buf *out)
{
	size_t i;
	int bad = 0;

	buf_reset(out);
	for (i = 0; i < NOTIFY_WORDS; i++) {
		if (!(mask & notify_words[i].bit))
			continue;
		if (out->len > 0)
			bad |= buf_putc(out, ',');
		bad |= buf_puts(out, notify_words[i].name);
	}
	return bad ? -1 : 0;
}

int
dsn_notify_wants(int mask, int kind)
{
	if (mask == 0)
		mask = DSN_NOTIFY_DEFAULT;
	return (mask & kind) != 0;
}

int
dsn_ret_parse(const char *value)
{
	if (strcasecmp(value, "FULL") == 0)
		return DSN_RET_FULL;
	if (strcasecmp(value, "HDRS") == 0)
		return DSN_RET_HDRS;
	return -1;
}

const char *
dsn_ret_name(int ret)
{
	return ret == DSN_RET_FULL ? "FULL"
	    : ret == DSN_RET_HDRS  ? "HDRS"
				   : NULL;
}

static int
hexval(int c)
{
	/* RFC 3461 4: "two upper case hexadecimal digits". */
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
dsn_xtext_decode(const char *in, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)in;

	buf_reset(out);
	for (; *p != 0; p++) {
		int c = *p;

		if (c == '+') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);

			if (lo < 0)
				return -1;
			c = hi * 16 + lo;
			p += 2;
		} else if (c < '!' || c > '~' || c == '=') {
			return -1;
		}
		/* Nothing decoded may break a line or a field later. */
		if (c < 0x20 || c == 0x7f)
			return -1;
		if (buf_putc(out, c) < 0)
			return -1;
	}
	return 0;
}

int
dsn_xtext_encode(const char *in, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)in;
	int bad = 0;

	for (; *p != 0; p++) {
		if (*p >= '!' && *p <= '~' && *p != '+' && *p != '=') {
			bad |= buf_putc(out, *p);
		} else {
			bad |= buf_putc(out, '+');
			bad |= buf_putc(out, hex[*p >> 4]);
			bad |= buf_putc(out, hex[*p & 15]);
		}
	}
	return bad ? -1 : 0;
}

int
dsn_envid_parse(const char *value, struct buf *out)
{
	size_t i;

	if (strlen(value) > DSN_ENVID_MAX || dsn_xtext_decode(value, out) < 0)
		return -1;
	/* RFC 3461 4.4: printable US-ASCII. */
	for (i = 0; i < out->len; i++)
		if ((unsigned char)out->data[i] < 0x20 ||
		    (unsigned char)out->data[i] > 0x7e)
			return -1;
	return 0;
}

int
dsn_orcpt_parse(const char *value, struct buf *out)
{
	struct buf addr;
	const char *semi = strchr(value, ';'), *p;
	int ret = -1;

	/* RFC 3461 4.2: orcpt-parameter = addr-type ";" xtext */
	if (semi == NULL || semi == value || strlen(value) > DSN_ORCPT_MAX)
		return -1;
	for (p = value; p < semi; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '-'))
			return -1;
	buf_init(&addr, DSN_ORCPT_MAX + 1);
	if (dsn_xtext_decode(semi + 1, &addr) == 0 && addr.len > 0) {
		buf_reset(out);
		ret = 0;
		for (p = value; p < semi; p++)
			ret |= buf_putc(out,
			    *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		ret |= buf_putc(out, ';');
		ret |= buf_append(out, addr.data, addr.len);
		ret = ret ? -1 : 0;
	}
	buf_deinit(&addr);
	return ret;
}

int
dsn_orcpt_format(const char *stored, struct buf *out)
{
	const char *semi = strchr(stored, ';');

	buf_reset(out);
	if (semi == NULL || semi == stored)
		return -1;
	if (buf_append(out, stored, (size_t)(semi - stored) + 1) < 0)
		return -1;
	return dsn_xtext_encode(semi + 1, out);
}
