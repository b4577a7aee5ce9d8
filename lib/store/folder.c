/* SPDX-License-Identifier: MIT */
/* folder - IMAP mailbox names, their Maildir++ storage names and
 * directories, LIST patterns. */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/folder.h"
#include "store/folder_impl.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/mutf7.h"

#define INBOX "INBOX"
#define INBOX_LEN 5
#define HIER_SEP '/'    /* IMAP hierarchy separator */
#define STORAGE_SEP '.' /* Maildir++'s */
#define ASCII_DEL 0x7f

int
folder_fail(struct buf *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	buf_reset(err);
	va_start(ap, fmt);
	(void)buf_vprintf(err, fmt, ap);
	va_end(ap);
	return code;
}

int
folder_names_add(struct folder_names *l, const char *s, size_t len)
{
	if (l->n >= FOLDER_COUNT_MAX)
		return -1;
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 16 : l->cap * 2;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xstrndup(s, len);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
folder_names_sort(struct folder_names *l)
{
	size_t i, j = 0;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (i = 1; i < l->n; i++) {
		if (strcmp(l->v[i], l->v[j]) == 0)
			xfree(l->v[i]);
		else
			l->v[++j] = l->v[i];
	}
	l->n = j + 1;
}

void
folder_names_free(struct folder_names *l)
{
	for (size_t i = 0; i < l->n; i++)
		xfree(l->v[i]);
	xfree(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Whether the first level of the len bytes at s (levels split by sep) is
 * INBOX without case; exact: in upper case. */
static int
first_is_inbox(const char *s, size_t len, char sep, int exact)
{
	if (len < INBOX_LEN || (len > INBOX_LEN && s[INBOX_LEN] != sep))
		return 0;
	return exact ? memcmp(s, INBOX, INBOX_LEN) == 0
		     : strncasecmp(s, INBOX, INBOX_LEN) == 0;
}

/* Check the levels of the UTF-8 name s (len bytes, levels split by sep):
 * none empty, none with "." or the other separator, none starting with
 * "~", no control character. Returns 0 or FOLDER_BADNAME. */
static int
check_levels(const char *s, size_t len, char sep, struct buf *err)
{
	size_t i, level = 0;

	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : 0;

		if (i == len || c == sep) {
			if (i == level)
				return folder_fail(err, FOLDER_BADNAME,
				    "empty level in mailbox name");
			level = i + 1;
			continue;
		}
		if (c < ' ' || c == ASCII_DEL)
			return folder_fail(err, FOLDER_BADNAME,
			    "control character in mailbox name");
		/* "." is Maildir++'s separator, "/" the directory's. */
		if (c == STORAGE_SEP || c == HIER_SEP)
			return folder_fail(err, FOLDER_BADNAME,
			    "\"%c\" in a level of a mailbox name", c);
		/* Dovecot keeps "~" first for home directory paths. */
		if (c == '~' && i == level)
			return folder_fail(err, FOLDER_BADNAME,
			    "mailbox name level starts with \"~\"");
	}
	return 0;
}

static void
replace_byte(struct buf *b, char old, char new)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == old)
			b->data[i] = new;
}

int
folder_storage_name(const char *name, int flags, struct buf *storage_r,
    struct buf *err)
{
	size_t len = strlen(name);
	const char *why;
	struct buf utf8;
	int ret;

	if (len > FOLDER_NAME_MAX)
		return folder_fail(err, FOLDER_BADNAME,
		    "mailbox name too long");
	buf_init(&utf8, FOLDER_NAME_BUF);
	if (flags & FOLDER_UTF8)
		(void)buf_append(&utf8, name, len);
	else if (mutf7_to_utf8(name, len, &utf8, &why) < 0) {
		buf_deinit(&utf8);
		return folder_fail(err, FOLDER_BADNAME,
		    "mailbox name not modified UTF-7: %s", why);
	}
	if ((ret = check_levels(utf8.data, utf8.len, HIER_SEP, err)) < 0) {
		buf_deinit(&utf8);
		return ret;
	}
	/* RFC 3501 5.1: INBOX without case; Dovecot also for the first
	 * level of its inferiors. */
	if (first_is_inbox(utf8.data, utf8.len, HIER_SEP, 0))
		memcpy(utf8.data, INBOX, INBOX_LEN);
	buf_reset(storage_r);
	if (mutf7_from_utf8(utf8.data, utf8.len, storage_r, &why) < 0) {
		buf_deinit(&utf8);
		return folder_fail(err, FOLDER_BADNAME, "mailbox name: %s",
		    why);
	}
	buf_deinit(&utf8);
	if (storage_r->len > FOLDER_STORAGE_MAX) {
		buf_reset(storage_r);
		return folder_fail(err, FOLDER_BADNAME,
		    "mailbox name too long");
	}
	/* "/" and "." are printable: never inside base64 (whose alphabet
	 * here has "," for "/"). */
	replace_byte(storage_r, HIER_SEP, STORAGE_SEP);
	return 0;
}

int
folder_imap_name(const char *storage, int flags, struct buf *name_r,
    struct buf *err)
{
	size_t len = strlen(storage);
	const char *why;
	struct buf utf8;
	int ret;

	if (len > FOLDER_STORAGE_MAX)
		return folder_fail(err, FOLDER_BADNAME,
		    "storage name too long");
	buf_init(&utf8, FOLDER_NAME_BUF);
	if (mutf7_to_utf8(storage, len, &utf8, &why) < 0) {
		buf_deinit(&utf8);
		return folder_fail(err, FOLDER_BADNAME,
		    "storage name not modified UTF-7: %s", why);
	}
	ret = check_levels(utf8.data, utf8.len, STORAGE_SEP, err);
	/* ".inbox.x" is a folder no IMAP name reaches (it would be
	 * INBOX/x, which is ".INBOX.x"). */
	if (ret == 0 && first_is_inbox(utf8.data, utf8.len, STORAGE_SEP, 0) &&
	    !first_is_inbox(utf8.data, utf8.len, STORAGE_SEP, 1))
		ret = folder_fail(err, FOLDER_BADNAME,
		    "storage name with INBOX not in upper case");
	buf_reset(name_r);
	if (ret == 0 &&
	    ((flags & FOLDER_UTF8) ? buf_append(name_r, utf8.data, utf8.len)
				   : buf_append(name_r, storage, len)) < 0)
		ret = folder_fail(err, FOLDER_ERROR, "mailbox name too long");
	replace_byte(name_r, STORAGE_SEP, HIER_SEP);
	buf_deinit(&utf8);
	return ret;
}

int
folder_storage_path(const char *maildir, const char *storage, struct buf *path,
    struct buf *err)
{
	int ret;

	buf_reset(path);
	if (strcmp(storage, INBOX) == 0)
		ret = buf_puts(path, maildir);
	else
		ret =
		    buf_printf(path, "%s/%c%s", maildir, STORAGE_SEP, storage);
	if (ret < 0 || path->len >= PATH_MAX)
		return folder_fail(err, FOLDER_ERROR, "%s: path too long",
		    maildir);
	return 0;
}

int
folder_path(const char *maildir, const char *name, int flags,
    struct buf *path_r, struct buf *err)
{
	struct buf storage;
	int ret;

	buf_init(&storage, FOLDER_NAME_BUF);
	ret = folder_storage_name(name, flags, &storage, err);
	if (ret == 0)
		ret = folder_storage_path(maildir, storage.data, path_r, err);
	buf_deinit(&storage);
	return ret;
}

int
folder_pattern(const char *ref, const char *pattern, struct buf *out,
    struct buf *err)
{
	buf_reset(out);
	if (buf_puts(out, ref) < 0 || buf_puts(out, pattern) < 0 ||
	    out->len > FOLDER_PATTERN_MAX) {
		buf_reset(out);
		return folder_fail(err, FOLDER_BADNAME, "pattern too long");
	}
	return 0;
}

static int
is_wild(char c)
{
	return c == '*' || c == '%';
}

/* Copy pattern p into q with each run of wildcards made one ("*" when
 * the run holds one, else "%"). Returns q's length; *literals_r counts
 * the other characters. */
static size_t
collapse(const char *p, char *q, size_t *literals_r)
{
	size_t n = 0;

	*literals_r = 0;
	for (; *p != 0; p++) {
		if (!is_wild(*p)) {
			q[n++] = *p;
			(*literals_r)++;
		} else if (n > 0 && is_wild(q[n - 1])) {
			if (*p == '*')
				q[n - 1] = '*';
		} else
			q[n++] = *p;
	}
	q[n] = 0;
	return n;
}

/* pc in upper case when it is an ASCII letter. */
static unsigned char
upper(char pc)
{
	return pc >= 'a' && pc <= 'z' ? (unsigned char)(pc - 'a' + 'A')
				      : (unsigned char)pc;
}

/* One row of the table: next[j] says whether the pattern's first j
 * characters match the name up to and including c, given row (the same
 * up to the character before); fold: c is part of the name's first level
 * INBOX, which patterns match without case. Returns whether any is
 * set. */
static int
match_row(const char *q, size_t m, const unsigned char *row,
    unsigned char *next, unsigned char c, int fold)
{
	int any = 0;

	next[0] = 0;
	for (size_t j = 1; j <= m; j++) {
		char pc = q[j - 1];

		if (pc == '*')
			next[j] = next[j - 1] || row[j];
		else if (pc == '%')
			next[j] = next[j - 1] || (row[j] && c != HIER_SEP);
		else
			next[j] = row[j - 1] &&
			    (fold ? upper(pc) : (unsigned char)pc) == c;
		any |= next[j];
	}
	return any;
}

int
folder_match(const char *pattern, const char *name)
{
	unsigned char rows[2][FOLDER_PATTERN_MAX + 2], *row, *next;
	char q[FOLDER_PATTERN_MAX + 1];
	size_t m, literals, len = strlen(name), fold, i, j;

	if (strlen(pattern) > FOLDER_PATTERN_MAX)
		return 0;
	m = collapse(pattern, q, &literals);
	if (literals > len)
		return 0;
	/* RFC 3501 5.1: INBOX without case. The name has it in upper
	 * case; its first five characters then match a pattern's letters
	 * in either case. */
	fold = first_is_inbox(name, len, HIER_SEP, 1) ? INBOX_LEN : 0;
	row = rows[0];
	next = rows[1];
	row[0] = 1;
	for (j = 1; j <= m; j++)
		row[j] = row[j - 1] && is_wild(q[j - 1]);
	for (i = 0; i < len; i++) {
		unsigned char *t;

		if (!match_row(q, m, row, next, (unsigned char)name[i],
			i < fold))
			return 0;
		t = row;
		row = next;
		next = t;
	}
	return row[m];
}
