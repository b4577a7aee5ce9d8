/* smtp_body - encode message content for the wire. See smtp.h. */
#include "smtp.h"
#include "util/buf.h"

void
smtp_body_init(struct smtp_body *e)
{
	e->bol = 1;
	e->cr = 0;
}

/* RFC 5321 section 4.5.2: before sending a line, a "." at its start is
 * doubled; section 2.3.8: CR and LF appear only together as CRLF. */
int
smtp_body_put(struct smtp_body *e, const char *p, size_t n, struct buf *out)
{
	size_t start = out->len;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (e->cr) {
			/* A CR ends the line whatever follows it; a LF
			 * right after it belongs to the same line end. */
			e->cr = 0;
			if (buf_append(out, "\r\n", 2) < 0)
				goto full;
			e->bol = 1;
			if (c == '\n')
				continue;
		}
		if (c == '\r') {
			e->cr = 1;
			continue;
		}
		if (c == '\n') {
			if (buf_append(out, "\r\n", 2) < 0)
				goto full;
			e->bol = 1;
			continue;
		}
		if (e->bol && c == '.' && buf_putc(out, '.') < 0)
			goto full;
		if (buf_putc(out, c) < 0)
			goto full;
		e->bol = 0;
	}
	return 0;
full:
	buf_truncate(out, start);
	return -1;
}

int
smtp_body_end(struct smtp_body *e, struct buf *out)
{
	size_t start = out->len;

	if ((e->cr || !e->bol) && buf_append(out, "\r\n", 2) < 0)
		goto full;
	if (buf_append(out, ".\r\n", 3) < 0)
		goto full;
	e->cr = 0;
	e->bol = 1;
	return 0;
full:
	buf_truncate(out, start);
	return -1;
}
