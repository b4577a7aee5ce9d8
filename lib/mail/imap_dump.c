/* SPDX-License-Identifier: MIT */
/* imap_dump - a canonical rendering of a parsed IMAP command, for tests
 * and debug logs. See imap_parse.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mail/imap_parse.h"
#include "util/buf.h"

/* --- rendering --- */

static int
dump_bytes(struct buf *out, const char *s, size_t n)
{
	size_t i;
	unsigned char c;
	int rc = buf_putc(out, '"');

	for (i = 0; i < n && rc == 0; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			rc = buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			rc = buf_printf(out, "\\x%02x", c);
		else
			rc = buf_putc(out, c);
	}
	return rc < 0 ? -1 : buf_putc(out, '"');
}

static int
dump_arg(const struct imap_arg *a, struct buf *out)
{
	const struct imap_arg *c;
	unsigned i;
	int rc = 0;

	switch (a->type) {
	case IMAP_ARG_ATOM:
		rc = buf_append(out, a->str, a->len);
		if (rc == 0 && (a->flags & IMAP_ARG_F_SECTION))
			rc = buf_printf(out, "/s%zu+%zu", a->section_off,
			    a->section_len);
		if (rc == 0 && (a->flags & IMAP_ARG_F_PARTIAL))
			rc = buf_printf(out, "/p%u.%u", a->partial_off,
			    a->partial_len);
		return rc;
	case IMAP_ARG_NUMBER:
		return buf_printf(out, "#%llu", (unsigned long long)a->num);
	case IMAP_ARG_NIL:
		return buf_puts(out, "NIL");
	case IMAP_ARG_STRING:
		return dump_bytes(out, a->str, a->len);
	case IMAP_ARG_SEQSET:
		rc = buf_puts(out, "seq:");
		if (a->seqset->saved)
			return rc < 0 ? -1 : buf_putc(out, '$');
		for (i = 0; i < a->seqset->count && rc == 0; i++) {
			const struct imap_seq_range *r = &a->seqset->ranges[i];

			rc = buf_printf(out, i > 0 ? ",%u:%u" : "%u:%u",
			    r->first, r->last);
		}
		return rc;
	case IMAP_ARG_LITERAL:
		rc = buf_printf(out, "%s{%zu%s}",
		    (a->flags & IMAP_ARG_F_LITERAL8) ? "~" : "", a->len,
		    (a->flags & IMAP_ARG_F_NONSYNC) ? "+" : "");
		if (rc == 0 && a->str == NULL)
			return buf_puts(out, "...");
		return rc < 0 ? -1 : dump_bytes(out, a->str, a->len);
	case IMAP_ARG_LIST:
		rc = buf_putc(out, '(');
		for (c = a->list; c != NULL && rc == 0; c = c->next) {
			if (c != a->list)
				rc = buf_putc(out, ' ');
			if (rc == 0)
				rc = dump_arg(c, out);
		}
		return rc < 0 ? -1 : buf_putc(out, ')');
	}
	return -1;
}

int
imap_command_dump(const struct imap_command *cmd, struct buf *out)
{
	const struct imap_arg *a;

	if (buf_printf(out, "%s %s", cmd->tag, cmd->name) < 0)
		return -1;
	for (a = cmd->args; a != NULL; a = a->next)
		if (buf_putc(out, ' ') < 0 || dump_arg(a, out) < 0)
			return -1;
	return 0;
}
