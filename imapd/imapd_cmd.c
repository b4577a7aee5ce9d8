/* SPDX-License-Identifier: MIT */
/* imapd_cmd - the command reader over imap_parse.h, astring arguments and
 * the pre-login capability list. See imapd.h. */
#include <string.h>

#include "mail/imap_parse.h"
#include "server/login_common.h"
#include "util/buf.h"
#include "util/stream.h"

#include "imapd.h"

/* Bytes one read may add to the chunk: the parser bounds the command,
 * this only the memory of one step. */
#define READ_PIECE_MAX STREAM_BUFSIZE

void
imapd_reader_init(struct imapd_reader *r, struct stream *s,
    const struct imap_parser_limits *lim)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->parser = imap_parser_create(lim);
	buf_init(&r->chunk, READ_PIECE_MAX);
}

void
imapd_reader_deinit(struct imapd_reader *r)
{
	imap_parser_destroy(&r->parser);
	buf_deinit(&r->chunk);
}

void
imapd_reader_reset(struct imapd_reader *r)
{
	imap_parser_reset(r->parser);
	buf_reset(&r->chunk);
	r->off = 0;
}

const char *
imapd_reader_rest(const struct imapd_reader *r, size_t *len_r)
{
	*len_r = buf_len(&r->chunk) - r->off;
	return r->chunk.data + r->off;
}

/* Read the next line, or a piece of a long one, into the empty chunk. */
static int
fill(struct imapd_reader *r, const char **why_r)
{
	const char *error = NULL;
	int ret;

	buf_reset(&r->chunk);
	r->off = 0;
	/* PIPELINING-style: replies go out when no command waits. */
	if (stream_pending(r->s) == 0 && stream_flush(r->s, &error) < 0) {
		*why_r = "Connection closed";
		return IMAPD_READ_EOF;
	}
	ret = stream_get_line(r->s, &r->chunk, READ_PIECE_MAX, &error);
	if (ret == STREAM_LINE || ret == STREAM_PARTIAL)
		return -1;
	if (ret == STREAM_TIMEOUT)
		return IMAPD_READ_TIMEOUT;
	*why_r = ret == STREAM_EOF ? "Connection closed"
				   : (error != NULL ? error : "read error");
	return IMAPD_READ_EOF;
}

int
imapd_read(struct imapd_reader *r, const char **why_r)
{
	const char *error;
	size_t used;
	int ret;

	for (;;) {
		if (r->off == buf_len(&r->chunk) && (ret = fill(r, why_r)) >= 0)
			return ret;
		ret = imap_parser_feed(r->parser, r->chunk.data + r->off,
		    buf_len(&r->chunk) - r->off, &used);
		r->off += used;
		switch (ret) {
		case IMAP_PARSE_COMMAND:
			return IMAPD_READ_COMMAND;
		case IMAP_PARSE_BAD:
			return IMAPD_READ_BAD;
		case IMAP_PARSE_FATAL:
			return IMAPD_READ_FATAL;
		case IMAP_PARSE_CONTINUE:
			/* RFC 9051 7.5: the client waits for this before it
			 * sends the literal. */
			(void)stream_puts(r->s, "+ OK\r\n");
			if (stream_flush(r->s, &error) < 0) {
				*why_r = "Connection closed";
				return IMAPD_READ_EOF;
			}
			break;
		default: /* NEED_MORE; LITERAL (no streaming here) */
			break;
		}
	}
}

const char *
imapd_arg_astring(const struct imap_arg *a)
{
	switch (a->type) {
	case IMAP_ARG_ATOM:
		return (a->flags & IMAP_ARG_F_SECTION) ? NULL : a->str;
	case IMAP_ARG_NUMBER:
	case IMAP_ARG_SEQSET:
	case IMAP_ARG_NIL:
	case IMAP_ARG_STRING:
		return a->str;
	case IMAP_ARG_LITERAL:
		/* literal8 is for binary data (RFC 3516), never an astring;
		 * a plain literal holds no NUL (the parser refuses it). */
		return (a->flags &
			   (IMAP_ARG_F_LITERAL8 | IMAP_ARG_F_STREAMED)) != 0
		    ? NULL
		    : a->str;
	default:
		return NULL;
	}
}

void
imapd_capability_login(const char *mechs, int starttls, int plaintext,
    struct buf *out)
{
	struct buf now;
	const char *p;
	size_t n;

	buf_reset(out);
	/* LITERAL- rather than LITERAL+ before login: non-synchronizing
	 * literals stay small (RFC 7888 4, and 5 on pre-login use). */
	buf_puts(out, "IMAP4rev1 IMAP4rev2 SASL-IR ID ENABLE IDLE LITERAL-");
	if (starttls)
		buf_puts(out, " STARTTLS");
	if (!plaintext)
		buf_puts(out, " LOGINDISABLED");
	buf_init(&now, out->max);
	login_mechs_now(mechs, plaintext, &now);
	for (p = buf_cstr(&now); *(p += strspn(p, " ")) != '\0'; p += n) {
		n = strcspn(p, " ");
		buf_puts(out, " AUTH=");
		buf_append(out, p, n);
	}
	buf_deinit(&now);
}
