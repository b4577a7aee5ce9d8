/* SPDX-License-Identifier: MIT */
/* folder_list - LIST: the Maildir++ folders of a Maildir, their implicit
 * parents and attributes, matched against a pattern. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/folder.h"
#include "store/folder_impl.h"
#include "util/buf.h"
#include "util/htable.h"
#include "util/mem.h"

#define INBOX "INBOX"
#define HIER_SEP '/'

/* RFC 6154 special-use attributes of top-level folders, by name. */
static const struct {
	const char *name;
	unsigned attr;
} special_use[] = {
	{ "Sent", FOLDER_SENT },
	{ "Drafts", FOLDER_DRAFTS },
	{ "Trash", FOLDER_TRASH },
	{ "Junk", FOLDER_JUNK },
	{ "Archive", FOLDER_ARCHIVE },
};

/* Whether "<maildir>/<entry>" is a directory (holding cur/ when
 * need_cur). */
static int
is_folder_dir(const char *maildir, const char *entry, int need_cur,
    struct buf *path)
{
	struct stat st;

	buf_reset(path);
	if (buf_printf(path, "%s/%s%s", maildir, entry,
		need_cur ? "/cur" : "") < 0)
		return 0;
	return stat(path->data, &st) == 0 && S_ISDIR(st.st_mode);
}

int
folder_scan(const char *maildir, int need_cur, struct folder_names *out,
    struct buf *err)
{
	struct buf path;
	struct dirent *e;
	DIR *d;
	int ret = 0;

	if ((d = opendir(maildir)) == NULL)
		return errno == ENOENT
		    ? 0
		    : folder_fail(err, FOLDER_ERROR, "opendir %s: %m", maildir);
	buf_init(&path, BUF_MAX_INTERNAL);
	for (;;) {
		errno = 0;
		if ((e = readdir(d)) == NULL) {
			if (errno != 0)
				ret = folder_fail(err, FOLDER_ERROR,
				    "readdir %s: %m", maildir);
			break;
		}
		if (e->d_name[0] != '.' || e->d_name[1] == 0 ||
		    strcmp(e->d_name, "..") == 0 ||
		    strlen(e->d_name + 1) > FOLDER_STORAGE_MAX ||
		    !is_folder_dir(maildir, e->d_name, need_cur, &path))
			continue;
		if (folder_names_add(out, e->d_name + 1,
			strlen(e->d_name + 1)) < 0) {
			ret = folder_fail(err, FOLDER_ERROR,
			    "%s: more than %d folders", maildir,
			    FOLDER_COUNT_MAX);
			break;
		}
	}
	closedir(d);
	buf_deinit(&path);
	if (ret < 0)
		folder_names_free(out);
	return ret;
}

void
folder_set_free(struct folder_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		xfree(set->items[i].name);
	xfree(set->items);
	set->items = NULL;
	set->count = 0;
}

/* The names being listed (at most FOLDER_COUNT_MAX), each once: index
 * maps a name to its position in v, plus one. */
struct listing {
	struct folder_info *v;
	size_t n, cap;
	struct htable *index;
};

/* The entry of the len bytes of name, or NULL. */
static struct folder_info *
listing_find(const struct listing *l, const char *name, size_t len)
{
	char *key = xstrndup(name, len);
	uintptr_t i = (uintptr_t)htable_find(l->index, key);

	xfree(key);
	return i == 0 ? NULL : &l->v[i - 1];
}

/* Add name with attrs, or add attrs to the name listed already (an
 * existing folder is no longer implicit). Returns 0, or -1 when the
 * listing is full. */
static int
listing_add(struct listing *l, const char *name, size_t len, unsigned attrs)
{
	struct folder_info *f = listing_find(l, name, len);

	if (f != NULL) {
		if (!(attrs & FOLDER_NONEXISTENT_ATTR))
			f->attrs &= ~FOLDER_NONEXISTENT_ATTR;
		f->attrs |= attrs & ~FOLDER_NONEXISTENT_ATTR;
		return 0;
	}
	if (l->n >= FOLDER_COUNT_MAX)
		return -1;
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 32 : l->cap * 2;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].name = xstrndup(name, len);
	l->v[l->n].attrs = attrs;
	l->n++;
	(void)htable_enter(l->index, l->v[l->n - 1].name,
	    (void *)(uintptr_t)l->n);
	return 0;
}

static void
listing_free(struct listing *l)
{
	struct folder_set set = { l->v, l->n };

	folder_set_free(&set);
	htable_destroy(&l->index, NULL);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* The existing folders of maildir and INBOX. */
static int
add_existing(struct listing *l, const char *maildir, int flags, struct buf *err)
{
	struct folder_names dirs = { 0 };
	struct buf name;
	int ret;

	if ((ret = folder_scan(maildir, 1, &dirs, err)) < 0)
		return ret;
	buf_init(&name, FOLDER_NAME_BUF);
	(void)listing_add(l, INBOX, strlen(INBOX), 0);
	for (size_t i = 0; i < dirs.n && ret == 0; i++) {
		/* ".INBOX" would be a second INBOX: not listed. */
		if (strcmp(dirs.v[i], INBOX) == 0 ||
		    folder_imap_name(dirs.v[i], flags, &name, NULL) < 0)
			continue;
		if (listing_add(l, name.data, name.len, 0) < 0)
			ret = folder_fail(err, FOLDER_ERROR,
			    "%s: too many folders", maildir);
	}
	buf_deinit(&name);
	folder_names_free(&dirs);
	return ret;
}

/* Add the implicit parents (RFC 5258 \NonExistent) of the existing
 * names, then mark who has children. */
static int
add_parents(struct listing *l, struct buf *err)
{
	size_t n = l->n, i;
	const char *slash;

	for (i = 0; i < n; i++) {
		/* l->v moves as it grows: take the name again each time. */
		for (size_t off = 0;
		     (slash = strchr(l->v[i].name + off, HIER_SEP)) != NULL;) {
			off = (size_t)(slash - l->v[i].name);
			if (listing_add(l, l->v[i].name, off,
				FOLDER_NONEXISTENT_ATTR) < 0)
				return folder_fail(err, FOLDER_ERROR,
				    "too many folders");
			off++;
		}
	}
	for (i = 0; i < l->n; i++) {
		slash = strrchr(l->v[i].name, HIER_SEP);
		if (slash != NULL)
			listing_find(l, l->v[i].name,
			    (size_t)(slash - l->v[i].name))
			    ->attrs |= FOLDER_HASCHILDREN;
	}
	return 0;
}

/* Mark the subscribed names; with FOLDER_LIST_SUBSCRIBED also add those
 * that do not exist (RFC 5258 3: \NonExistent \Subscribed). */
static int
add_subscribed(struct listing *l, const char *maildir, int flags,
    struct buf *err)
{
	struct folder_set subs = { 0 };
	int ret;

	if ((ret = folder_subscriptions(maildir, flags & FOLDER_UTF8, &subs,
		 err)) < 0)
		return ret;
	for (size_t i = 0; i < subs.count && ret == 0; i++) {
		const char *name = subs.items[i].name;
		struct folder_info *f = listing_find(l, name, strlen(name));

		if (f != NULL)
			f->attrs |= FOLDER_SUBSCRIBED;
		else if ((flags & FOLDER_LIST_SUBSCRIBED) &&
		    listing_add(l, name, strlen(name),
			FOLDER_SUBSCRIBED | FOLDER_NONEXISTENT_ATTR) < 0)
			ret = folder_fail(err, FOLDER_ERROR,
			    "too many subscriptions");
	}
	folder_set_free(&subs);
	return ret;
}

static unsigned
final_attrs(const struct folder_info *f)
{
	unsigned attrs = f->attrs;
	size_t i;

	if (!(attrs & FOLDER_HASCHILDREN))
		attrs |= FOLDER_HASNOCHILDREN;
	if (attrs & FOLDER_NONEXISTENT_ATTR)
		return attrs;
	for (i = 0; i < sizeof(special_use) / sizeof(special_use[0]); i++)
		if (strcmp(f->name, special_use[i].name) == 0)
			attrs |= special_use[i].attr;
	return attrs;
}

/* INBOX first, then byte order. */
static int
cmp_output(const void *a, const void *b)
{
	const struct folder_info *x = a, *y = b;
	int xi = strcmp(x->name, INBOX) == 0, yi = strcmp(y->name, INBOX) == 0;

	if (xi != yi)
		return yi - xi;
	return strcmp(x->name, y->name);
}

/* Move the names that match pattern (and are subscribed, when asked)
 * from l into out. */
static void
select_matching(struct listing *l, const char *pattern, int flags,
    struct folder_set *out)
{
	size_t i;

	out->items = xcalloc(l->n == 0 ? 1 : l->n, sizeof(*out->items));
	out->count = 0;
	for (i = 0; i < l->n; i++) {
		struct folder_info *f = &l->v[i];

		if (((flags & FOLDER_LIST_SUBSCRIBED) &&
			!(f->attrs & FOLDER_SUBSCRIBED)) ||
		    !folder_match(pattern, f->name))
			continue;
		out->items[out->count].name = f->name;
		out->items[out->count].attrs = final_attrs(f);
		out->count++;
		f->name = NULL;
	}
	qsort(out->items, out->count, sizeof(*out->items), cmp_output);
}

int
folder_list(const char *maildir, const char *ref, const char *pattern,
    int flags, struct folder_set *out, struct buf *err)
{
	struct listing l = { 0 };
	struct buf joined;
	int ret;

	out->items = NULL;
	out->count = 0;
	l.index = htable_create();
	buf_init(&joined, FOLDER_PATTERN_MAX * 2);
	if ((ret = folder_pattern(ref, pattern, &joined, err)) == 0 &&
	    (ret = add_existing(&l, maildir, flags, err)) == 0 &&
	    (ret = add_parents(&l, err)) == 0 &&
	    (ret = add_subscribed(&l, maildir, flags, err)) == 0)
		select_matching(&l, joined.data, flags, out);
	listing_free(&l);
	buf_deinit(&joined);
	return ret;
}
