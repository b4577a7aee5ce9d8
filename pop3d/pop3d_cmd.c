/* SPDX-License-Identifier: MIT */
/* pop3d_cmd - what the login and session processes share: the command
 * line, the peer's addresses, the UIDL format. See pop3d.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/stream.h"

#include "pop3d.h"

void
pop3_chomp(struct buf *line)
{
	size_t n = buf_len(line);

	/* RFC 1939 3: CRLF ends a command; a bare LF is taken too. */
	if (n > 0 && line->data[n - 1] == '\n')
		n--;
	if (n > 0 && line->data[n - 1] == '\r')
		n--;
	buf_truncate(line, n);
}

int
pop3_parse(struct buf *line, struct pop3_cmd *cmd)
{
	char *p;
	size_t n, i;

	pop3_chomp(line);
	p = line->data;
	n = buf_len(line);
	for (i = 0; i < n && p[i] != ' '; i++) {
		if (i >= sizeof(cmd->verb) - 1 || !isalpha((unsigned char)p[i]))
			return -1;
		cmd->verb[i] = (char)toupper((unsigned char)p[i]);
	}
	if (i == 0 || i > 4)
		return -1;
	cmd->verb[i] = '\0';
	cmd->args = i < n ? p + i + 1 : "";
	return 0;
}

int
pop3_read_line(struct stream *s, struct buf *line, size_t max,
    const char **why_r)
{
	const char *error = NULL;
	int too_long = 0, ret;

	buf_reset(line);
	for (;;) {
		ret = stream_get_line(s, line, max - buf_len(line), &error);
		if (ret == STREAM_LINE)
			return too_long ? 0 : 1;
		if (ret == STREAM_PARTIAL) {
			/* Drop what is over the limit, keep reading to the
			 * end of the line (bounded by the timeouts). */
			too_long = 1;
			buf_reset(line);
			continue;
		}
		if (ret == STREAM_EOF)
			*why_r = "Connection closed";
		else if (ret == STREAM_TIMEOUT)
			*why_r = "Disconnected for inactivity";
		else
			*why_r = error != NULL ? error : "read error";
		return -1;
	}
}

int
pop3_next(struct stream *s, struct buf *line, const struct pop3_command *table,
    size_t n, void *ctx, int *bad, const char **why_r)
{
	struct pop3_cmd cmd;
	const char *error;
	int got, known = 0, ret = 0;

	if (stream_pending(s) == 0 && stream_flush(s, &error) < 0) {
		*why_r = "Connection closed";
		return POP3_END_INPUT;
	}
	if ((got = pop3_read_line(s, line, POP3_LINE_MAX, why_r)) < 0) {
		if (strcmp(*why_r, "Disconnected for inactivity") == 0) {
			(void)stream_puts(s,
			    "-ERR Disconnected for inactivity.\r\n");
			(void)stream_flush(s, &error);
		}
		return POP3_END_INPUT;
	}
	if (got != 0 && pop3_parse(line, &cmd) == 0) {
		for (size_t i = 0; i < n && !known; i++)
			if (strcmp(cmd.verb, table[i].verb) == 0) {
				known = 1;
				ret = table[i].fn(ctx, cmd.args);
			}
	}
	if (known)
		return ret;
	/* One reply a command: the last bad one gets only the farewell. */
	if (++*bad < POP3_BAD_MAX) {
		(void)stream_puts(s,
		    got == 0 ? "-ERR Line too long.\r\n"
			     : "-ERR Unknown command.\r\n");
		return 0;
	}
	(void)stream_puts(s, "-ERR Too many bad commands.\r\n");
	(void)stream_flush(s, &error);
	*why_r = "Too many bad commands";
	return POP3_END_BAD;
}

/* One number under a Dovecot modifier: zero-padded or not, width, hex
 * or decimal. Dovecot's X modifier writes lower-case digits (its POP3
 * server answers UIDL with "0000002a6b14d063" under %08Xu%08Xv), and so
 * must we, or clients moved between the two would fetch all again. */
static void
put_number(struct buf *out, unsigned v, int zero, int width, int hex)
{
	if (hex)
		buf_printf(out, zero ? "%0*x" : "%*x", width, v);
	else
		buf_printf(out, zero ? "%0*u" : "%*u", width, v);
}

void
pop3_uidl(const char *format, unsigned uid, unsigned uidvalidity,
    const char *base, struct buf *out)
{
	const char *p = format;

	buf_reset(out);
	while (*p != '\0') {
		const char *q = p + 1;
		size_t w;
		char hex = 0, var;

		if (*p != '%') {
			buf_append(out, p++, 1);
			continue;
		}
		/* %[0][width][X|x]<variable>: Dovecot's modifiers, as far
		 * as UIDLs use them. */
		w = strspn(q, "0123456789");
		/* At most 6 digits: the width is then below 10^6, and the
		 * strtol below cannot overflow. */
		if (w > 6) {
			buf_append(out, p++, 1);
			continue;
		}
		if (q[w] == 'X' || q[w] == 'x')
			hex = q[w];
		var = q[w + (hex != 0)];
		if (var == '\0')
			break;
		switch (var) {
		case 'u':
		case 'v':
			put_number(out, var == 'u' ? uid : uidvalidity,
			    w > 0 && q[0] == '0',
			    w > 0 ? (int)strtol(q, NULL, 10) : 0, hex != 0);
			break;
		case 'f': /* the file name; in a Maildir also the GUID */
		case 'g':
			buf_puts(out, base);
			break;
		case '%':
			buf_append(out, "%", 1);
			break;
		default: /* %m (Dovecot: mbox only) and others: nothing */
			break;
		}
		p = q + w + (hex != 0) + 1;
	}
}
