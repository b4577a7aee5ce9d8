/* SPDX-License-Identifier: MIT */
/* imapd_fetch - FETCH and STORE (RFC 9051 6.4.5, 6.4.6, 7.5.2; BINARY
 * from RFC 3516). See imapd_sess.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail/imap_body.h"
#include "mail/imap_parse.h"
#include "mail/mime.h"
#include "store/mailbox.h"
#include "store/maildir.h"
#include "store/mcache.h"
#include "store/mflags.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include "imapd_sess.h"

/* The most of a message FETCH holds in memory at once. Larger messages
 * (beyond any sensible message_size_limit) are answered NO. */
#define FETCH_MSG_MAX ((size_t)512 * 1024 * 1024)
/* Reads of a whole message, and of a header block (more pieces follow
 * until the empty line). */
#define FETCH_HEADER_CHUNK 65536
#define FETCH_HEADER_PIECE 4096

/* The cached views, in the order of cached_fields. */
enum {
	VIEW_ENVELOPE,
	VIEW_BODY,
	VIEW_BODYSTRUCTURE,
	VIEWS
};

static const char cached_fields[VIEWS] = { MCACHE_ENVELOPE, MCACHE_BODY,
	MCACHE_BODYSTRUCTURE };

/* What one FETCH reads and writes through. */
struct fetch_bufs {
	struct buf data;        /* the message, or its header */
	struct buf out;         /* a section */
	struct buf view[VIEWS]; /* ENVELOPE, BODY, BODYSTRUCTURE */
};

/* What one FETCH asks for. */
#define F_UID 0x001
#define F_FLAGS 0x002
#define F_INTERNALDATE 0x004
#define F_SIZE 0x008
#define F_ENVELOPE 0x010
#define F_BODY 0x020          /* BODY (the non-extensible structure) */
#define F_BODYSTRUCTURE 0x040 /* BODYSTRUCTURE */
#define F_SECTIONS 0x080      /* some BODY[...] / BINARY[...] / RFC822.* */

enum item_kind {
	ITEM_UID,
	ITEM_FLAGS,
	ITEM_INTERNALDATE,
	ITEM_SIZE,
	ITEM_ENVELOPE,
	ITEM_BODY,
	ITEM_BODYSTRUCTURE,
	ITEM_SECTION,     /* BODY[...] */
	ITEM_BINARY,      /* BINARY[...] */
	ITEM_BINARY_SIZE, /* BINARY.SIZE[...] */
	ITEM_RFC822,      /* RFC822: BODY[] */
	ITEM_RFC822_HEADER,
	ITEM_RFC822_TEXT,
};

struct item {
	enum item_kind kind;
	int peek; /* .PEEK: \Seen not set */
	struct imap_section sec;
	char *sec_text; /* the section as the client wrote it */
	int partial;
	uint32_t off, len;
};

struct fetch {
	struct item *items;
	size_t n;
	unsigned want;  /* F_* */
	int sets_seen;  /* a non-PEEK body item */
	int need_whole; /* a body item: the whole message */
	int need_tree;  /* an item needs the MIME tree (not BODY[] alone) */
};

static void
fetch_free(struct fetch *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		xfree(f->items[i].sec_text);
	xfree(f->items);
}

static struct item *
add_item(struct fetch *f, enum item_kind kind)
{
	struct item *it;

	f->items = xrealloc(f->items, (f->n + 1) * sizeof(*f->items));
	it = &f->items[f->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	return it;
}

static const struct {
	const char *name;
	enum item_kind kind;
	unsigned want;
} simple_items[] = {
	{ "UID", ITEM_UID, F_UID },
	{ "FLAGS", ITEM_FLAGS, F_FLAGS },
	{ "INTERNALDATE", ITEM_INTERNALDATE, F_INTERNALDATE },
	{ "RFC822.SIZE", ITEM_SIZE, F_SIZE },
	{ "ENVELOPE", ITEM_ENVELOPE, F_ENVELOPE },
	{ "BODY", ITEM_BODY, F_BODY },
	{ "BODYSTRUCTURE", ITEM_BODYSTRUCTURE, F_BODYSTRUCTURE },
	{ "RFC822", ITEM_RFC822, F_SECTIONS },
	{ "RFC822.HEADER", ITEM_RFC822_HEADER, F_SECTIONS },
	{ "RFC822.TEXT", ITEM_RFC822_TEXT, F_SECTIONS },
};

/* Whether sec is the whole message ([], BINARY[]): sent as it is stored,
 * bare LFs as CRLF, without parsing its MIME structure. */
static int
whole_message(const struct imap_section *sec)
{
	return sec->npath == 0 && sec->text == IMAP_SECTION_ALL;
}

/* What wire_copy gathers before an append. */
#define WIRE_BLOCK (16 * 1024)

/* Append the n bytes at p to out as on the wire: a LF without a CR before
 * it is sent as CRLF. Returns 0, or -1 when out is full. */
static int
wire_copy(struct buf *out, const char *p, size_t n)
{
	char block[WIRE_BLOCK];
	const char *end = p + n, *q = p, *nl;
	size_t used = 0;

	/* memchr finds the line ends (most of a message is line text); the
	 * lines gather in block, appended to out a block at a time. */
	while (q < end) {
		size_t len;

		nl = memchr(q, '\n', (size_t)(end - q));
		len = (nl != NULL ? (size_t)(nl - q) : (size_t)(end - q));
		if (used + len + 2 > sizeof(block)) {
			if (buf_append(out, block, used) < 0)
				return -1;
			used = 0;
			if (len + 2 > sizeof(block)) {
				/* A line longer than the block: as it is. */
				if (buf_append(out, q, len) < 0)
					return -1;
				q += len;
				len = 0;
			}
		}
		memcpy(block + used, q, len);
		used += len;
		if (nl == NULL)
			break;
		/* A LF without a CR before it goes out as CRLF. */
		if (nl == p || nl[-1] != '\r')
			block[used++] = '\r';
		block[used++] = '\n';
		q = nl + 1;
	}
	return buf_append(out, block, used);
}

/* One fetch-att (RFC 9051 9). Returns 0, or -1 with s->tmp set. */
static int
parse_item(struct sess *s, struct fetch *f, const struct imap_arg *a)
{
	char name[32];
	size_t n, i;
	struct item *it;

	buf_reset(&s->tmp);
	if (a->type != IMAP_ARG_ATOM) {
		buf_puts(&s->tmp, "Invalid fetch attribute.");
		return -1;
	}
	n = (a->flags & IMAP_ARG_F_SECTION) ? a->section_off - 1 : a->len;
	if (n == 0 || n >= sizeof(name)) {
		buf_puts(&s->tmp, "Unknown fetch attribute.");
		return -1;
	}
	for (i = 0; i < n; i++)
		name[i] = (char)toupper((unsigned char)a->str[i]);
	name[n] = '\0';
	if (!(a->flags & IMAP_ARG_F_SECTION)) {
		for (i = 0; i < sizeof(simple_items) / sizeof(simple_items[0]);
		     i++)
			if (strcmp(name, simple_items[i].name) == 0) {
				it = add_item(f, simple_items[i].kind);
				f->want |= simple_items[i].want;
				if (it->kind == ITEM_RFC822 ||
				    it->kind == ITEM_RFC822_TEXT)
					f->sets_seen = 1;
				if (it->kind >= ITEM_BODY &&
				    it->kind != ITEM_RFC822_HEADER)
					f->need_whole = 1;
				if (it->kind == ITEM_RFC822_HEADER ||
				    it->kind == ITEM_RFC822_TEXT)
					f->need_tree = 1;
				return 0;
			}
		buf_puts(&s->tmp, "Unknown fetch attribute.");
		return -1;
	}
	if (strcmp(name, "BODY") == 0 || strcmp(name, "BODY.PEEK") == 0)
		it = add_item(f, ITEM_SECTION);
	else if (strcmp(name, "BINARY") == 0 ||
	    strcmp(name, "BINARY.PEEK") == 0)
		it = add_item(f, ITEM_BINARY);
	else if (strcmp(name, "BINARY.SIZE") == 0)
		it = add_item(f, ITEM_BINARY_SIZE);
	else {
		buf_puts(&s->tmp, "Unknown fetch attribute.");
		return -1;
	}
	it->peek =
	    strstr(name, ".PEEK") != NULL || it->kind == ITEM_BINARY_SIZE;
	it->sec_text = xstrndup(a->str + a->section_off, a->section_len);
	if (imap_section_parse(a->str + a->section_off, a->section_len,
		&it->sec) < 0 ||
	    (it->kind != ITEM_SECTION && it->sec.text != IMAP_SECTION_ALL)) {
		buf_puts(&s->tmp, "Invalid section.");
		return -1;
	}
	if (a->flags & IMAP_ARG_F_PARTIAL) {
		if (it->kind == ITEM_BINARY_SIZE) {
			buf_puts(&s->tmp, "BINARY.SIZE takes no partial.");
			return -1;
		}
		it->partial = 1;
		it->off = a->partial_off;
		it->len = a->partial_len;
	}
	f->want |= F_SECTIONS;
	f->need_whole = 1;
	if (!whole_message(&it->sec))
		f->need_tree = 1;
	if (!it->peek)
		f->sets_seen = 1;
	return 0;
}

/* The fetch attributes: a macro, one item or a list (RFC 9051 6.4.5). */
static int
parse_fetch(struct sess *s, const struct imap_arg *a, struct fetch *f)
{
	static const struct {
		const char *name, *items[5];
	} macros[] = {
		{ "ALL",
		    { "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE",
			NULL } },
		{ "FAST", { "FLAGS", "INTERNALDATE", "RFC822.SIZE", NULL } },
		{ "FULL",
		    { "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE",
			"BODY" } },
	};
	size_t i, k;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < sizeof(macros) / sizeof(macros[0]); i++) {
		if (!arg_is(a, macros[i].name))
			continue;
		for (k = 0; k < 5 && macros[i].items[k] != NULL; k++) {
			struct imap_arg x = { .type = IMAP_ARG_ATOM,
				.str = macros[i].items[k],
				.len = strlen(macros[i].items[k]) };

			(void)parse_item(s, f, &x);
		}
		return 0;
	}
	if (a->type != IMAP_ARG_LIST)
		return parse_item(s, f, a);
	if (a->list == NULL) {
		buf_set(&s->tmp, "Empty fetch attribute list.");
		return -1;
	}
	for (a = a->list; a != NULL; a = a->next)
		if (parse_item(s, f, a) < 0)
			return -1;
	return 0;
}

int
sess_load(struct sess *s, size_t i, int whole, struct buf *data)
{
	const struct mailbox_msg *m = mailbox_msg(s->sel->mb, i);
	struct buf err;
	char chunk[FETCH_HEADER_CHUNK];
	ssize_t n;
	int fd, ret;

	buf_reset(data);
	buf_init(&err, 1024);
	/* Known too big (the name's size, or the wire size): say so at
	 * once; otherwise data's own limit stops the read. */
	if ((m->size > 0 && (size_t)m->size > FETCH_MSG_MAX) ||
	    (m->vsize > 0 && (size_t)m->vsize > FETCH_MSG_MAX)) {
		buf_deinit(&err);
		return -1;
	}
	ret = mailbox_msg_open(s->sel->mb, i, &fd, &err);
	if (ret < 0)
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(&err));
	buf_deinit(&err);
	if (ret <= 0)
		return ret;
	if (whole == SESS_LOAD_WHOLE_IF_SMALL) {
		struct stat st;

		whole = fstat(fd, &st) == 0 && st.st_size <= SESS_LOAD_SMALL
		    ? SESS_LOAD_WHOLE
		    : SESS_LOAD_HEADER;
		ret = whole == SESS_LOAD_WHOLE ? 2 : 1;
	}
	/* A header is small: read it in small pieces, the rest in big
	 * ones. */
	while ((n = read(fd, chunk,
		    whole ? sizeof(chunk) : FETCH_HEADER_PIECE)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || buf_append(data, chunk, (size_t)n) < 0) {
			close(fd);
			return -1;
		}
		if (!whole &&
		    (memmem(data->data, buf_len(data), "\n\n", 2) ||
			memmem(data->data, buf_len(data), "\n\r\n", 3)))
			break;
	}
	close(fd);
	return ret;
}

size_t
sess_header_len(const char *p, size_t n)
{
	size_t i;

	if (n > 0 && p[0] == '\n')
		return 1;
	if (n > 1 && p[0] == '\r' && p[1] == '\n')
		return 2;
	for (i = 0; i + 1 < n; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
			return i + 3;
	}
	return n;
}

/* INTERNALDATE: "dd-Mon-yyyy hh:mm:ss +zzzz" (RFC 9051 9), local time. */
static void
write_date(struct sess *s, time_t t)
{
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	sess_printf(s, "\"%02d-%s-%04d %02d:%02d:%02d %c%02ld%02ld\"",
	    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 60,
	    labs(off) % 60);
}

/* The section octets (partial applied, RFC 9051 6.4.5) as a literal;
 * literal8 for BINARY with NULs (RFC 3516 4.2). */
static void
write_octets(struct sess *s, const struct item *it, struct buf *b)
{
	if (it->partial)
		imap_partial(b, it->off, it->len);
	sess_printf(s, "%s{%zu}\r\n",
	    it->kind == ITEM_BINARY && memchr(b->data, 0, buf_len(b)) != NULL
		? "~"
		: "",
	    buf_len(b));
	sess_write(s, b->data, buf_len(b));
}

/* One item of one message. Returns 0, or -1 when the message cannot be
 * given (an unknown transfer encoding for BINARY: s->tmp says). */
static int
write_item(struct sess *s, const struct item *it, size_t i,
    struct fetch_bufs *fb, struct mime_message *mime)
{
	const struct buf *data = &fb->data;
	struct buf *out = &fb->out;
	const struct mailbox_msg *m = mailbox_msg(s->sel->mb, i);
	struct mflags fl;
	int r;

	switch (it->kind) {
	case ITEM_UID:
		sess_printf(s, "UID %u", m->uid);
		break;
	case ITEM_FLAGS:
		mflags_parse(m->name, &fl);
		sess_printf(s, "FLAGS ");
		sess_flags(s, &fl, m->recent, NULL);
		break;
	case ITEM_INTERNALDATE:
		sess_printf(s, "INTERNALDATE ");
		write_date(s, m->date);
		break;
	case ITEM_SIZE:
		sess_printf(s, "RFC822.SIZE %llu",
		    (unsigned long long)sess_msg_vsize(s, i));
		break;
	case ITEM_ENVELOPE:
		sess_printf(s, "ENVELOPE ");
		sess_write(s, fb->view[VIEW_ENVELOPE].data,
		    buf_len(&fb->view[VIEW_ENVELOPE]));
		break;
	case ITEM_BODY:
		sess_printf(s, "BODY ");
		sess_write(s, fb->view[VIEW_BODY].data,
		    buf_len(&fb->view[VIEW_BODY]));
		break;
	case ITEM_BODYSTRUCTURE:
		sess_printf(s, "BODYSTRUCTURE ");
		sess_write(s, fb->view[VIEW_BODYSTRUCTURE].data,
		    buf_len(&fb->view[VIEW_BODYSTRUCTURE]));
		break;
	case ITEM_RFC822:
	case ITEM_RFC822_HEADER:
	case ITEM_RFC822_TEXT: {
		struct item x = *it;
		static const char *const sec[] = { "", "HEADER", "TEXT" };
		static const char *const names[] = { "RFC822", "RFC822.HEADER",
			"RFC822.TEXT" };
		int k = (int)(it->kind - ITEM_RFC822);

		(void)imap_section_parse(sec[k], strlen(sec[k]), &x.sec);
		buf_reset(out);
		if (whole_message(&x.sec))
			(void)wire_copy(out, data->data, buf_len(data));
		else
			(void)imap_section_fetch(mime, data->data,
			    buf_len(data), &x.sec, 0, out);
		sess_printf(s, "%s ", names[k]);
		write_octets(s, &x, out);
		break;
	}
	case ITEM_SECTION:
	case ITEM_BINARY:
	case ITEM_BINARY_SIZE:
		buf_reset(out);
		if (whole_message(&it->sec))
			r = wire_copy(out, data->data, buf_len(data));
		else
			r = imap_section_fetch(mime, data->data, buf_len(data),
			    &it->sec, it->kind != ITEM_SECTION, out);
		if (r == IMAP_SECTION_UNKNOWN_CTE)
			return -1;
		if (it->kind == ITEM_BINARY_SIZE) {
			sess_printf(s, "BINARY.SIZE[%s] %zu", it->sec_text,
			    buf_len(out));
			break;
		}
		sess_printf(s, "%s[%s]",
		    it->kind == ITEM_SECTION ? "BODY" : "BINARY", it->sec_text);
		if (it->partial)
			sess_printf(s, "<%u>", it->off);
		sess_write(s, " ", 1);
		write_octets(s, it, out);
		break;
	}
	return 0;
}

/* Give message i \Seen (a body was fetched). Returns 1 when it changed. */
static int
mark_seen(struct sess *s, size_t i)
{
	struct mflags f;
	struct buf err;
	int ret = 0;

	mflags_parse(mailbox_msg(s->sel->mb, i)->name, &f);
	if (f.flags & MFLAG_SEEN)
		return 0;
	buf_init(&err, 1024);
	if (mailbox_add_flags(s->sel->mb, i, MFLAG_SEEN, &err) < 0)
		log_warn("imap(%s): Error: %s", log_str(s->user),
		    buf_cstr(&err));
	else
		ret = 1;
	buf_deinit(&err);
	return ret;
}

/* The views f asks for of message i (ENVELOPE, BODY, BODYSTRUCTURE): from
 * the folder's cache, else made (the message read and parsed) and put in
 * the cache; the message too when sections are asked for. *mime_r gets
 * the parsed message when one was made. Returns 1, 0 when the message
 * is gone, -1 when it could not be read. */
static int
prepare(struct sess *s, const struct fetch *f, size_t i, struct fetch_bufs *fb,
    struct mime_message **mime_r)
{
	static const unsigned wants[VIEWS] = { F_ENVELOPE, F_BODY,
		F_BODYSTRUCTURE };
	const char *base = mailbox_msg(s->sel->mb, i)->base;
	int missing[VIEWS] = { 0 }, need_read = (f->want & F_SECTIONS) != 0;
	int whole = need_read, count, k, ret;
	size_t n;

	for (k = 0; k < VIEWS; k++) {
		const char *v;

		buf_reset(&fb->view[k]);
		if (!(f->want & wants[k]))
			continue;
		v = mcache_get(sel_cache(s), base, cached_fields[k], &n);
		if (v != NULL) {
			(void)buf_append(&fb->view[k], v, n);
			continue;
		}
		missing[k] = need_read = 1;
		whole |= k != VIEW_ENVELOPE;
	}
	if (!need_read)
		return 1;
	/* An RFC822.SIZE not known yet would be counted by reading the
	 * whole file after this read of its header: read it whole once and
	 * count it here, and make the structure while every byte is here
	 * (a client that fetches sizes and envelopes fetches BODYSTRUCTURE
	 * next). A message of more than SESS_LOAD_SMALL is not held for
	 * that: it is counted as it streams by, as before. */
	count = (f->want & F_SIZE) && !sess_msg_vsize_known(s, i);
	ret = sess_load(s, i,
	    whole       ? SESS_LOAD_WHOLE
		: count ? SESS_LOAD_WHOLE_IF_SMALL
			: SESS_LOAD_HEADER,
	    &fb->data);
	if (ret < 0 && count && !whole) {
		count = 0;
		ret = sess_load(s, i, SESS_LOAD_HEADER, &fb->data);
	}
	if (ret <= 0)
		return ret;
	count = count && (whole || ret == 2);
	if (count) {
		off_t v = 0;
		int cr = 0;

		maildir_vsize_add(fb->data.data, buf_len(&fb->data), &cr, &v);
		sess_msg_vsize_counted(s, i, v);
		for (k = VIEW_BODY; k < VIEWS; k++)
			if (!missing[k] &&
			    mcache_get(sel_cache(s), base, cached_fields[k],
				&n) == NULL)
				missing[k] = 1;
	}
	if (f->need_tree || missing[VIEW_BODY] || missing[VIEW_BODYSTRUCTURE])
		*mime_r = mime_parse(fb->data.data, buf_len(&fb->data), NULL);
	/* The header, for SEARCH, now that it is here anyway. */
	if (mcache_get(sel_cache(s), base, MCACHE_HEADER, &n) == NULL &&
	    (n = sess_header_len(fb->data.data, buf_len(&fb->data))) <=
		MCACHE_HEADER_MAX)
		mcache_put(sel_cache(s), base, MCACHE_HEADER, fb->data.data, n);
	for (k = 0; k < VIEWS; k++) {
		if (!missing[k])
			continue;
		if (k == VIEW_ENVELOPE)
			ret = imap_envelope(fb->data.data,
			    sess_header_len(fb->data.data, buf_len(&fb->data)),
			    &fb->view[k]);
		else
			ret = imap_bodystructure(*mime_r, fb->data.data,
			    buf_len(&fb->data), k == VIEW_BODYSTRUCTURE,
			    &fb->view[k]);
		if (ret == 0)
			mcache_put(sel_cache(s), base, cached_fields[k],
			    fb->view[k].data, buf_len(&fb->view[k]));
	}
	return 1;
}

/* One message's FETCH response. Returns 0, 1 when it is gone (skipped),
 * -1 with a NO text in s->tmp. */
static int
fetch_one(struct sess *s, const struct fetch *f, size_t i,
    struct fetch_bufs *fb)
{
	struct mime_message *mime = NULL;
	size_t k;
	int seen_now = 0, unknown_cte = 0, ret;

	if (mailbox_msg(s->sel->mb, i)->expunged)
		return 1;
	if ((f->want & F_INTERNALDATE) && sess_msg_date(s, i) == 0)
		return 1;
	if ((ret = prepare(s, f, i, fb, &mime)) <= 0) {
		mime_destroy(&mime);
		if (ret == 0)
			return 1;
		buf_set(&s->tmp, "[SERVERBUG] A message could not be read.");
		return -1;
	}
	if (f->sets_seen && !s->sel->readonly)
		seen_now = mark_seen(s, i);
	sess_printf(s, "* %zu FETCH (", i + 1);
	for (k = 0; k < f->n; k++) {
		if (k > 0)
			sess_write(s, " ", 1);
		if (write_item(s, &f->items[k], i, fb, mime) < 0) {
			/* RFC 3516 4.3: the FETCH fails; the response
			 * stays well-formed. */
			sess_printf(s, "NIL");
			unknown_cte = 1;
		}
	}
	/* RFC 9051 6.4.5: \Seen set now is reported, FLAGS asked or not. */
	if (seen_now && !(f->want & F_FLAGS)) {
		const struct item flags = { .kind = ITEM_FLAGS };

		sess_write(s, " ", 1);
		(void)write_item(s, &flags, i, fb, mime);
	}
	sess_printf(s, ")\r\n");
	mime_destroy(&mime);
	if (unknown_cte) {
		buf_set(&s->tmp,
		    "[UNKNOWN-CTE] Unknown Content-Transfer-"
		    "Encoding.");
		return -1;
	}
	return 0;
}

int
cmd_fetch(struct sess *s, const struct imap_command *c)
{
	struct fetch f;
	struct fetch_bufs fb;
	size_t *idx = NULL, k;
	int j;
	long n;

	if (c->nargs != 2)
		return sess_bad(s, c, "FETCH needs a set and attributes.");
	if (parse_fetch(s, c->args->next, &f) < 0) {
		fetch_free(&f);
		return sess_bad(s, c, "%s", buf_cstr(&s->tmp));
	}
	if ((n = sel_resolve(s, c->args, s->uid, &idx)) < 0) {
		fetch_free(&f);
		return sess_bad(s, c, "%s", buf_cstr(&s->tmp));
	}
	/* RFC 9051 6.4.9: UID FETCH always gives the UID. */
	if (s->uid && !(f.want & F_UID)) {
		struct item *it = add_item(&f, ITEM_UID);
		struct item uid = *it;

		memmove(f.items + 1, f.items, (f.n - 1) * sizeof(*f.items));
		f.items[0] = uid;
		f.want |= F_UID;
	}
	buf_init(&fb.data, FETCH_MSG_MAX);
	buf_init(&fb.out, FETCH_MSG_MAX * 2);
	for (j = 0; j < VIEWS; j++)
		buf_init(&fb.view[j], BUF_MAX_INTERNAL);
	for (k = 0; k < (size_t)n; k++)
		if (fetch_one(s, &f, idx[k], &fb) < 0)
			break;
	sel_cache_flush(s);
	buf_deinit(&fb.data);
	buf_deinit(&fb.out);
	for (j = 0; j < VIEWS; j++)
		buf_deinit(&fb.view[j]);
	fetch_free(&f);
	xfree(idx);
	if (k < (size_t)n)
		return sess_no(s, c, "%s", buf_cstr(&s->tmp));
	return SESS_OK;
}

/* --- STORE ---------------------------------------------------------- */

int
sess_parse_flags(struct sess *s, const struct imap_arg *a, struct mflags *f,
    struct mkeywords *kws, const char *dir)
{
	const struct imap_arg *x = a;
	struct buf err;
	int bit, kw, changed = 0;

	memset(f, 0, sizeof(*f));
	if (a != NULL && a->type == IMAP_ARG_LIST)
		x = a->list;
	for (; x != NULL; x = x->next) {
		if (x->type != IMAP_ARG_ATOM) {
			buf_set(&s->tmp, "Invalid flag.");
			return -1;
		}
		if ((bit = sess_flag_bit(x->str)) < 0) {
			/* \Recent and unknown system flags: RFC 9051
			 * 2.3.2 makes them the server's. */
			if (strcasecmp(x->str, "\\Recent") == 0)
				continue;
			buf_set(&s->tmp, "Invalid system flag.");
			return -1;
		}
		if (bit > 0) {
			f->flags |= (unsigned)bit;
			continue;
		}
		if (kws == NULL)
			continue;
		if ((kw = mkeywords_find(kws, x->str)) < 0 && dir != NULL) {
			if ((kw = mkeywords_add(kws, x->str)) < 0) {
				buf_set(&s->tmp, "[LIMIT] Too many keywords.");
				return -1;
			}
			changed = 1;
		}
		if (kw >= 0)
			f->keywords |= 1u << kw;
	}
	if (changed) {
		buf_init(&err, 1024);
		if (mkeywords_write(dir, kws, &err) < 0) {
			log_warn("imap(%s): Error: %s", log_str(s->user),
			    buf_cstr(&err));
			buf_set(&s->tmp, "[SERVERBUG] Keywords not saved.");
			buf_deinit(&err);
			return -1;
		}
		buf_deinit(&err);
	}
	return 0;
}

int
cmd_store(struct sess *s, const struct imap_command *c)
{
	const struct imap_arg *item, *flags;
	struct mflags want, f;
	struct buf err;
	char name[32];
	size_t *idx = NULL, k;
	long n;
	int mode, silent, failed = 0;

	if (c->nargs < 3 || c->args->next->type != IMAP_ARG_ATOM)
		return sess_bad(s, c, "STORE needs a set, an item and flags.");
	item = c->args->next;
	flags = item->next;
	snprintf(name, sizeof(name), "%s", item->str);
	for (k = 0; name[k] != '\0'; k++)
		name[k] = (char)toupper((unsigned char)name[k]);
	mode = name[0] == '+' ? 1 : name[0] == '-' ? -1 : 0;
	silent = strstr(name, ".SILENT") != NULL;
	if (strcmp(name + (mode != 0), silent ? "FLAGS.SILENT" : "FLAGS") != 0)
		return sess_bad(s, c, "Invalid STORE item.");
	if (s->sel->readonly)
		return sess_no(s, c, "[READ-ONLY] Mailbox is read-only.");
	sel_keywords(s);
	if (flags->type == IMAP_ARG_LIST && flags->next != NULL)
		return sess_bad(s, c, "Invalid flags.");
	/* -FLAGS of a keyword the folder never had: nothing to add. */
	if (sess_parse_flags(s, flags, &want, &s->sel->kw,
		mode >= 0 ? s->sel->path : NULL) < 0)
		return sess_bad(s, c, "%s", buf_cstr(&s->tmp));
	if ((n = sel_resolve(s, c->args, s->uid, &idx)) < 0)
		return sess_bad(s, c, "%s", buf_cstr(&s->tmp));
	buf_init(&err, 1024);
	for (k = 0; k < (size_t)n; k++) {
		const struct mailbox_msg *m = mailbox_msg(s->sel->mb, idx[k]);

		if (m->expunged)
			continue;
		mflags_parse(m->name, &f);
		if (mode > 0) {
			f.flags |= want.flags;
			f.keywords |= want.keywords;
		} else if (mode < 0) {
			f.flags &= ~want.flags;
			f.keywords &= ~want.keywords;
		} else {
			f.flags = want.flags;
			f.keywords = want.keywords;
		}
		if (mailbox_set_flags(s->sel->mb, idx[k], &f, &err) < 0) {
			log_warn("imap(%s): Error: %s", log_str(s->user),
			    buf_cstr(&err));
			failed = 1;
			continue;
		}
		s->deleted += (f.flags & MFLAG_TRASHED) != 0;
		if (silent)
			continue;
		mflags_parse(m->name, &f);
		sess_printf(s, "* %zu FETCH (FLAGS ", idx[k] + 1);
		sess_flags(s, &f, m->recent, NULL);
		if (s->uid)
			sess_printf(s, " UID %u", m->uid);
		sess_printf(s, ")\r\n");
	}
	buf_deinit(&err);
	xfree(idx);
	if (failed)
		return sess_no(s, c, "[SERVERBUG] Some flags were not stored.");
	return SESS_OK;
}
