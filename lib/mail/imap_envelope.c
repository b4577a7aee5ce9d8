/* SPDX-License-Identifier: MIT */
/* imap_envelope - the ENVELOPE of a message header (RFC 9051 7.5.2). */
#include <stddef.h>
#include <string.h>

#include "mail/imap_body.h"
#include "mail/mime.h"
#include "util/buf.h"

struct env {
	const char *hdr;
	size_t hdr_len;
	struct buf *out;
	struct buf value; /* scratch: one unfolded field */
	int err;
};

static void
put(struct env *e, const char *s)
{
	e->err |= buf_puts(e->out, s) < 0;
}

static void
nstring(struct env *e, const char *s)
{
	e->err |=
	    imap_write_nstring(e->out, s, s != NULL ? strlen(s) : 0, 0) < 0;
}

/* The first field called name into e->value; 0 when there is none. */
static int
field(struct env *e, const char *name)
{
	size_t pos = 0;

	buf_reset(&e->value);
	return mime_header_find(e->hdr, e->hdr_len, name, &pos, &e->value);
}

/* A string member: the field's value, NIL when absent. */
static void
string_field(struct env *e, const char *name)
{
	if (field(e, name))
		e->err |= imap_write_nstring(e->out, e->value.data,
			      e->value.len, 0) < 0;
	else
		put(e, "NIL");
}

/* The address list of field name; returns its entries (0: none). */
static unsigned
addresses(struct env *e, const char *name, struct mime_address **list_r)
{
	*list_r = NULL;
	if (!field(e, name))
		return 0;
	return mime_addr_parse(e->value.data, e->value.len,
	    IMAP_ENVELOPE_MAX_ADDRS, list_r);
}

/* address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")";
 * a group's start is (NIL NIL "name" NIL), its end (NIL NIL NIL NIL)
 * (RFC 3501 7.4.2). An env list is "(" 1*address ")" with nothing
 * between the addresses. A group that a limit left open is closed, so
 * that a client sees the pairs it expects. */
static void
address_list(struct env *e, const struct mime_address *a, unsigned n)
{
	unsigned i;
	int open = 0;

	if (n == 0) {
		put(e, "NIL");
		return;
	}
	put(e, "(");
	for (i = 0; i < n && !e->err; i++) {
		int marker = a[i].host == NULL;

		put(e, "(");
		nstring(e, marker ? NULL : a[i].name);
		put(e, " ");
		nstring(e, marker ? NULL : a[i].route);
		put(e, " ");
		nstring(e, a[i].mailbox);
		put(e, " ");
		nstring(e, a[i].host);
		put(e, ")");
		if (marker)
			open = a[i].mailbox != NULL;
	}
	if (open)
		put(e, "(NIL NIL NIL NIL)");
	put(e, ")");
}

/* An address member; *list_r keeps the entries (for sender and
 * reply-to, which default to from). */
static void
address_field(struct env *e, const char *name, struct mime_address **list_r,
    unsigned *n_r)
{
	*n_r = addresses(e, name, list_r);
	address_list(e, *list_r, *n_r);
}

/* sender and reply-to: from's value when absent or empty (RFC 9051
 * 7.5.2). */
static void
default_from(struct env *e, const char *name, const struct mime_address *from,
    unsigned nfrom)
{
	struct mime_address *a;
	unsigned n = addresses(e, name, &a);

	if (n > 0)
		address_list(e, a, n);
	else
		address_list(e, from, nfrom);
	mime_addr_free(a, n);
}

int
imap_envelope(const char *hdr, size_t hdr_len, struct buf *out)
{
	static const char *const lists[] = { "to", "cc", "bcc" };
	struct env e = { hdr, hdr_len, out, { 0 }, 0 };
	struct mime_address *from, *a;
	unsigned nfrom, n, i;

	buf_init(&e.value, MIME_DEF_MAX_FIELD);
	put(&e, "(");
	string_field(&e, "date");
	put(&e, " ");
	string_field(&e, "subject");
	put(&e, " ");
	address_field(&e, "from", &from, &nfrom);
	put(&e, " ");
	default_from(&e, "sender", from, nfrom);
	put(&e, " ");
	default_from(&e, "reply-to", from, nfrom);
	mime_addr_free(from, nfrom);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		put(&e, " ");
		address_field(&e, lists[i], &a, &n);
		mime_addr_free(a, n);
	}
	put(&e, " ");
	string_field(&e, "in-reply-to");
	put(&e, " ");
	string_field(&e, "message-id");
	put(&e, ")");
	buf_deinit(&e.value);
	return e.err ? -1 : 0;
}
