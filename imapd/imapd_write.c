/* SPDX-License-Identifier: MIT */
/* imapd_write - how the session writes values: strings quoted or as
 * literals, flag lists; and how it reads simple arguments. See
 * imapd_sess.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail/imap_body.h"
#include "mail/imap_parse.h"
#include "store/mflags.h"
#include "util/buf.h"
#include "util/stream.h"

#include "imapd_sess.h"

void
sess_write(struct sess *s, const void *p, size_t n)
{
	(void)stream_write(s->out, p, n);
	s->out_bytes += n;
}

void
sess_printf(struct sess *s, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&s->pbuf);
	va_start(ap, fmt);
	(void)buf_vprintf(&s->pbuf, fmt, ap);
	va_end(ap);
	sess_write(s, s->pbuf.data, buf_len(&s->pbuf));
}

void
sess_string(struct sess *s, const char *p, size_t n)
{
	struct buf b;

	buf_init(&b, n + 64);
	(void)imap_write_nstring(&b, p, n, 0);
	sess_write(s, b.data, buf_len(&b));
	buf_deinit(&b);
}

static const struct {
	unsigned bit;
	const char *name;
} system_flags[] = {
	{ MFLAG_REPLIED, "\\Answered" },
	{ MFLAG_FLAGGED, "\\Flagged" },
	{ MFLAG_TRASHED, "\\Deleted" },
	{ MFLAG_SEEN, "\\Seen" },
	{ MFLAG_DRAFT, "\\Draft" },
	{ MFLAG_PASSED, "$Forwarded" },
};

void
sess_flags(struct sess *s, const struct mflags *f, int recent,
    const char *extra)
{
	const char *sep = "";
	size_t i;

	sess_write(s, "(", 1);
	for (i = 0; i < sizeof(system_flags) / sizeof(system_flags[0]); i++)
		if (f->flags & system_flags[i].bit) {
			sess_printf(s, "%s%s", sep, system_flags[i].name);
			sep = " ";
		}
	for (i = 0; i < MFLAG_KEYWORDS_MAX && s->sel != NULL; i++)
		if ((f->keywords & (1u << i)) && s->sel->kw.names[i] != NULL) {
			sess_printf(s, "%s%s", sep, s->sel->kw.names[i]);
			sep = " ";
		}
	if (recent && !(s->enabled & SESS_ENABLED_REV2)) {
		sess_printf(s, "%s\\Recent", sep);
		sep = " ";
	}
	if (extra != NULL)
		sess_printf(s, "%s%s", sep, extra);
	sess_write(s, ")", 1);
}

/* The MFLAG_* bit of a system flag name, 0 when it is none (a keyword),
 * -1 for \Recent or an unknown backslash flag (RFC 9051 2.3.2: the
 * client cannot set them). */
int
sess_flag_bit(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(system_flags) / sizeof(system_flags[0]); i++)
		if (strcasecmp(name, system_flags[i].name) == 0)
			return (int)system_flags[i].bit;
	return name[0] == '\\' ? -1 : 0;
}

const char *
arg_text(const struct imap_arg *a)
{
	if (a == NULL)
		return NULL;
	switch (a->type) {
	case IMAP_ARG_ATOM:
	case IMAP_ARG_NUMBER:
	case IMAP_ARG_STRING:
	case IMAP_ARG_SEQSET:
		return a->str;
	case IMAP_ARG_LITERAL:
		/* A name holds no NUL. */
		return a->str != NULL && strlen(a->str) == a->len ? a->str
								  : NULL;
	default:
		return NULL;
	}
}

int
arg_is(const struct imap_arg *a, const char *word)
{
	return a != NULL && a->type == IMAP_ARG_ATOM &&
	    strcasecmp(a->str, word) == 0;
}

void
uidset_to_buf(struct buf *out, const uint32_t *v, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		for (j = i; j + 1 < n && v[j + 1] == v[j] + 1; j++)
			;
		if (i > 0)
			(void)buf_putc(out, ',');
		if (j == i)
			(void)buf_printf(out, "%u", v[i]);
		else
			(void)buf_printf(out, "%u:%u", v[i], v[j]);
		i = j + 1;
	}
}
