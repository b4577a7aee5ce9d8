/* SPDX-License-Identifier: MIT */
/* mailbox_sync - an IMAP view of a folder brought up to date: expunges,
 * flag changes and new messages since the last look (mailbox.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/mailbox.h"
#include "store/mailbox_impl.h"
#include "util/buf.h"
#include "util/htable.h"
#include "util/mem.h"

static int
same_mtime(const char *path, const char *sub, const struct timespec *was)
{
	struct buf b;
	struct stat st;
	int same;

	buf_init(&b, BUF_MAX_INTERNAL);
	same = stat(mbx_sub_path(&b, path, sub), &st) == 0 &&
	    mbx_same_time(&st.st_mtim, was);
	buf_deinit(&b);
	return same;
}

/* Whether cur/ or new/ may have changed since the last scan: an unchanged
 * mtime says nothing changed only when that scan was settled (a change in
 * the same clock tick as its look would have left the mtime as it was);
 * an unsettled one is made again, once the tick has passed settled. */
static int
dirs_changed(const struct mailbox *mb)
{
	return !mb->scan_settled ||
	    !same_mtime(mb->path, "cur", &mb->cur_mtime) ||
	    !same_mtime(mb->path, "new", &mb->new_mtime);
}

/* Match the view's messages to the scan's files: a new name is a flag
 * change (its old index into changed), a missing file an expunge. */
static void
match(struct mailbox *mb, struct scan *s, struct mailbox_changes *ch)
{
	size_t i;

	for (i = 0; i < mb->count; i++) {
		struct mailbox_msg *m = &mb->msgs[i];
		struct ent *x = mbx_scan_find(s, m->base);

		if (m->expunged)
			continue;
		if (x == NULL || x->gone) {
			m->expunged = 1;
			continue;
		}
		x->taken = 1;
		if (strcmp(x->name, m->name) != 0) {
			xfree((char *)m->name);
			m->name = x->name;
			x->name = NULL;
			ch->changed = xrealloc(ch->changed,
			    (ch->nchanged + 1) * sizeof(*ch->changed));
			ch->changed[ch->nchanged++] = i;
		}
	}
}

/* Drop the expunged messages from the view, their numbers (1-based,
 * before the removal) into ch in descending order; the changed indices
 * follow the renumbering (a changed message is never expunged: match
 * gives one or the other). */
static void
remove_expunged(struct mailbox *mb, struct mailbox_changes *ch)
{
	size_t i, j = 0, k = 0, n = 0;

	for (i = 0; i < mb->count; i++)
		n += mb->msgs[i].expunged;
	if (n == 0)
		return;
	ch->expunged = xcalloc(n, sizeof(*ch->expunged));
	for (i = 0; i < mb->count; i++) {
		if (mb->msgs[i].expunged) {
			ch->expunged[n - 1 - ch->nexpunged++] = i + 1;
			mbx_msg_free(&mb->msgs[i]);
			continue;
		}
		/* ch->changed is ascending, as match made it. */
		while (k < ch->nchanged && ch->changed[k] < i)
			k++;
		if (k < ch->nchanged && ch->changed[k] == i)
			ch->changed[k++] = j;
		mb->msgs[j++] = mb->msgs[i];
	}
	mb->count = j;
}

static int
cmp_ent_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Append the scan's files with UIDs above the view's to it. */
static void
add_new(struct mailbox *mb, struct scan *s, struct mailbox_changes *ch)
{
	struct {
		uint32_t uid; /* first: cmp_ent_uid */
		struct ent *x;
	} * add;
	size_t i, n = 0;

	add = xcalloc(s->count + 1, sizeof(*add));
	for (i = 0; i < s->count; i++) {
		struct ent *x = &s->ents[i];
		const struct uidlist_rec *r;

		if (x->taken || x->gone)
			continue;
		r = x->rec;
		if (r == NULL || r->uid <= mb->max_uid)
			continue;
		add[n].uid = r->uid;
		add[n++].x = x;
	}
	qsort(add, n, sizeof(*add), cmp_ent_uid);
	for (i = 0; i < n; i++)
		mbx_msg_take(mb, add[i].x, add[i].x->rec);
	ch->added = n;
	xfree(add);
}

int
mailbox_sync(struct mailbox *mb, int flags, struct mailbox_changes *ch,
    struct buf *err)
{
	struct htable *moved;
	struct scan s;

	memset(ch, 0, sizeof(*ch));
	if (dirs_changed(mb)) {
		moved = htable_create();
		if (mbx_scan(mb, &s, moved, err) < 0) {
			mbx_scan_free(&s);
			htable_destroy(&moved, NULL);
			return -1;
		}
		match(mb, &s, ch);
		add_new(mb, &s, ch);
		mbx_scan_free(&s);
		htable_destroy(&moved, NULL);
	}
	if (flags & MAILBOX_SYNC_EXPUNGE)
		remove_expunged(mb, ch);
	return 0;
}

void
mailbox_changes_free(struct mailbox_changes *ch)
{
	xfree(ch->expunged);
	xfree(ch->changed);
	memset(ch, 0, sizeof(*ch));
}
