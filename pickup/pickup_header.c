/* SPDX-License-Identifier: MIT */
/* pickup_header - what the header section of a submission holds, and the
 * fields pickup adds. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mail/msg_header.h"
#include "util/buf.h"

#include "pickup.h"

static int
named(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k && p[k] == ':' && strncasecmp(p, name, k) == 0;
}

static void
keep_message_id(struct pickup_header *h, const char *p, size_t n)
{
	size_t len;

	p += 11;
	n -= 11;
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	len = n < sizeof(h->message_id_value) - 1
	    ? n
	    : sizeof(h->message_id_value) - 1;
	/* Up to the line end: the log shows the first line only. */
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == ' '))
		len--;
	memcpy(h->message_id_value, p, len);
	h->message_id_value[len] = 0;
}

void
pickup_header_scan(const char *p, size_t n, struct pickup_header *h)
{
	size_t off = 0;

	memset(h, 0, sizeof(*h));
	while (off < n) {
		const char *line = p + off;
		const char *nl = memchr(line, '\n', n - off);
		size_t len = nl != NULL ? (size_t)(nl - line) + 1 : n - off;

		if (len == 1 && line[0] == '\n') {
			h->complete = 1;
			h->body_sep = 1;
			break;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			/* A continuation; before any field it is body. */
			if (off == 0) {
				h->complete = 1;
				break;
			}
		} else if (msg_header_name(line, len) != MSG_HEADER_FIELD) {
			h->complete = 1;
			break;
		} else if (named(line, len, "Date"))
			h->date = 1;
		else if (named(line, len, "From"))
			h->from = 1;
		else if (named(line, len, "Message-ID")) {
			if (!h->message_id)
				keep_message_id(h, line, len);
			h->message_id = 1;
		}
		if (nl == NULL)
			break;
		off += len;
		h->len = off;
	}
	if (off >= n)
		h->complete = 1;
}

int
pickup_from_field(struct buf *out, const char *name, const char *addr)
{
	const char *s;
	int ret = 0;

	if (name == NULL || *name == 0)
		return buf_puts(out, addr);
	ret |= buf_putc(out, '"');
	for (s = name; *s != 0; s++) {
		if (*s == '"' || *s == '\\')
			ret |= buf_putc(out, '\\');
		ret |= buf_putc(out, *s);
	}
	ret |= buf_printf(out, "\" <%s>", addr);
	return ret < 0 ? -1 : 0;
}
