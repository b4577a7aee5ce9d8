/* SPDX-License-Identifier: MIT */
/* mailbox_msg - one message of a mailbox view (mailbox.h): reading its
 * file, its flags, its internal date and wire size, keeping counted sizes
 * in the list, and expunges. mailbox.c opens the view. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/mailbox.h"
#include "store/mailbox_impl.h"
#include "store/mflags.h"
#include "store/store_err.h"
#include "store/uidlist.h"
#include "util/buf.h"
#include "util/htable.h"
#include "util/mem.h"

int
mailbox_msg_open(struct mailbox *mb, size_t i, int *fd_r, struct buf *err)
{
	struct mailbox_msg *m;
	char *name;
	int ret;

	if (i >= mb->count)
		return store_err(err, "no message %zu", i + 1);
	m = &mb->msgs[i];
	if (m->expunged)
		return 0;
	name = (char *)m->name;
	ret = mbx_open_msg(mb->path, &name, m->base, fd_r, err);
	m->name = name;
	return ret;
}

/* Rename message i's file in cur/ to the flags fn makes of its current
 * ones; each try follows one rename by another client, as open_msg.
 * Expunged meanwhile: nothing to do. */
static int
change_flags(struct mailbox *mb, size_t i,
    int (*fn)(struct mflags *f, const void *arg), const void *arg,
    struct buf *err)
{
	struct mailbox_msg *m;
	struct mflags f;
	struct buf from, to, found;
	int tries, ret = 0;

	if (i >= mb->count)
		return store_err(err, "no message %zu", i + 1);
	m = &mb->msgs[i];
	buf_init(&from, BUF_MAX_INTERNAL);
	buf_init(&to, BUF_MAX_INTERNAL);
	buf_init(&found, BUF_MAX_INTERNAL);
	for (tries = 0; tries < 5 && !m->expunged; tries++) {
		char *name;

		mflags_parse(m->name, &f);
		if (!fn(&f, arg))
			break; /* there already */
		/* m->name is "cur/<file>"; the new file is there too. */
		if (mflags_name(m->base, &f, &found) < 0) {
			ret = store_err(err, "%s: name too long", m->base);
			break;
		}
		mbx_sub_path(&from, mb->path, m->name);
		buf_reset(&to);
		buf_printf(&to, "%s/cur/%s", mb->path, buf_cstr(&found));
		if (rename(buf_cstr(&from), buf_cstr(&to)) == 0) {
			name = xstrdup(buf_cstr(&to) + strlen(mb->path) + 1);
			xfree((char *)m->name);
			m->name = name;
			break;
		}
		if (errno != ENOENT) {
			ret = store_err(err, "rename %s: %m", buf_cstr(&from));
			break;
		}
		if ((ret = mbx_find_by_base(mb->path, m->base, &found, err)) <=
		    0)
			break; /* expunged meanwhile: nothing to flag */
		xfree((char *)m->name);
		m->name = xstrdup(buf_cstr(&found));
		ret = 0;
	}
	buf_deinit(&from);
	buf_deinit(&to);
	buf_deinit(&found);
	return ret < 0 ? -1 : 0;
}

/* change_flags: add the MFLAG_* bits at arg; 0 when all are there. */
static int
add_bits(struct mflags *f, const void *arg)
{
	unsigned flags = *(const unsigned *)arg;

	if ((f->flags & flags) == flags)
		return 0;
	f->flags |= flags;
	return 1;
}

/* change_flags: flags and keywords as in arg; 0 when they are so. */
static int
set_bits(struct mflags *f, const void *arg)
{
	const struct mflags *want = arg;

	if (f->flags == want->flags && f->keywords == want->keywords)
		return 0;
	f->flags = want->flags;
	f->keywords = want->keywords;
	return 1;
}

int
mailbox_add_flags(struct mailbox *mb, size_t i, unsigned flags, struct buf *err)
{
	return change_flags(mb, i, add_bits, &flags, err);
}

int
mailbox_set_flags(struct mailbox *mb, size_t i, const struct mflags *f,
    struct buf *err)
{
	return change_flags(mb, i, set_bits, f, err);
}

int
mailbox_msg_date(struct mailbox *mb, size_t i, struct buf *err)
{
	struct mailbox_msg *m;
	struct buf b, found;
	struct stat st;
	int tries, ret = -1;

	if (i >= mb->count)
		return store_err(err, "no message %zu", i + 1);
	m = &mb->msgs[i];
	if (m->date != 0)
		return 1;
	buf_init(&b, BUF_MAX_INTERNAL);
	buf_init(&found, BUF_MAX_INTERNAL);
	for (tries = 0; tries < 5; tries++) {
		if (stat(mbx_sub_path(&b, mb->path, m->name), &st) == 0) {
			/* 1970-01-01T00:00:00 itself reads as unknown: a
			 * second later says the same to a client. */
			m->date = st.st_mtime != 0 ? st.st_mtime : 1;
			ret = 1;
			break;
		}
		if (errno != ENOENT) {
			store_err(err, "stat %s: %m", buf_cstr(&b));
			break;
		}
		if ((ret = mbx_find_by_base(mb->path, m->base, &found, err)) <=
		    0)
			break;
		xfree((char *)m->name);
		m->name = xstrdup(buf_cstr(&found));
		ret = -1;
	}
	if (tries == 5)
		store_err(err, "%s: renamed too often", m->base);
	buf_deinit(&b);
	buf_deinit(&found);
	return ret;
}

void
mailbox_msg_set_date(struct mailbox *mb, size_t i, time_t date)
{
	if (i < mb->count && date > 0)
		mb->msgs[i].date = date;
}

int
mailbox_msg_vsize(struct mailbox *mb, size_t i, struct buf *err)
{
	struct mailbox_msg *m;
	off_t v, size;
	int fd, ret;

	if (i >= mb->count)
		return store_err(err, "no message %zu", i + 1);
	m = &mb->msgs[i];
	if (m->vsize >= 0)
		return 1;
	if ((ret = mailbox_msg_open(mb, i, &fd, err)) <= 0)
		return ret;
	if (mbx_read_vsize(fd, mb->path, m->name, &v, &size, err) < 0)
		return -1;
	m->vsize = v;
	mb->lazy_counted++;
	return 1;
}

int
mailbox_save_sizes(struct mailbox *mb, struct buf *err)
{
	size_t i;
	int fd;

	if (mb->lazy_counted == 0)
		return 0;
	mb->lazy_counted = 0;
	if ((fd = uidlist_lock(mb->path, err)) < 0)
		return -1;
	/* Another writer may have changed it since we read. */
	uidlist_free(&mb->ul);
	if (uidlist_read(mb->path, &mb->ul, NULL) < 0 ||
	    mb->ul.uidvalidity == 0) {
		/* Damaged: the next open rebuilds it; nothing to add to. */
		uidlist_unlock(mb->path, fd);
		return 0;
	}
	for (i = 0; i < mb->count; i++) {
		const struct uidlist_rec *r;

		if (mb->msgs[i].vsize < 0 || mb->msgs[i].expunged ||
		    (r = uidlist_find(&mb->ul, mb->msgs[i].base)) == NULL ||
		    r->vsize >= 0)
			continue;
		mb->ul.recs[r - mb->ul.recs].vsize = mb->msgs[i].vsize;
	}
	return uidlist_commit(mb->path, fd, &mb->ul, err);
}

void
mailbox_msg_set_vsize(struct mailbox *mb, size_t i, off_t vsize)
{
	if (i < mb->count && vsize >= 0 && mb->msgs[i].vsize < 0)
		mb->msgs[i].vsize = vsize;
}

void
mailbox_msg_counted_vsize(struct mailbox *mb, size_t i, off_t vsize)
{
	if (i < mb->count && vsize >= 0 && mb->msgs[i].vsize < 0) {
		mb->msgs[i].vsize = vsize;
		mb->lazy_counted++;
	}
}

static int
not_removed(void *ctx, const char *base)
{
	return htable_find(ctx, base) == NULL;
}

int
mailbox_expunge(struct mailbox *mb, const size_t *idx, size_t n,
    struct buf *err)
{
	struct htable *removed = htable_create();
	struct buf b, found;
	size_t i;
	int fd, ret = 0, tries, gone, found_ret;

	buf_init(&b, BUF_MAX_INTERNAL);
	buf_init(&found, BUF_MAX_INTERNAL);
	for (i = 0; i < n; i++) {
		struct mailbox_msg *m;

		if (idx[i] >= mb->count) {
			ret = store_err(err, "no message %zu", idx[i] + 1);
			continue;
		}
		m = &mb->msgs[idx[i]];
		gone = 0;
		for (tries = 0; tries < 5; tries++) {
			mbx_sub_path(&b, mb->path, m->name);
			if (unlink(buf_cstr(&b)) == 0) {
				gone = 1;
				break;
			}
			if (errno != ENOENT) {
				ret = store_err(err, "unlink %s: %m",
				    buf_cstr(&b));
				break;
			}
			/* Renamed (flags) or expunged by another session. */
			if ((found_ret = mbx_find_by_base(mb->path, m->base,
				 &found, err)) < 0) {
				ret = -1;
				break;
			}
			if (found_ret == 0) {
				gone = 1;
				break;
			}
			xfree((char *)m->name);
			m->name = xstrdup(buf_cstr(&found));
		}
		if (gone)
			htable_enter(removed, m->base, m);
	}
	/* The unlinks durable (new/ too: a message found again there)
	 * before the list forgets them. */
	if (htable_count(removed) > 0 &&
	    (mbx_fsync_dir(mbx_sub_path(&b, mb->path, "cur"), err) < 0 ||
		mbx_fsync_dir(mbx_sub_path(&b, mb->path, "new"), err) < 0))
		ret = -1;
	else if (htable_count(removed) > 0) {
		if ((fd = uidlist_lock(mb->path, err)) < 0)
			ret = -1;
		else {
			uidlist_free(&mb->ul);
			if (uidlist_read(mb->path, &mb->ul, NULL) < 0) {
				/* Damaged: the next open rebuilds it. */
				uidlist_unlock(mb->path, fd);
			} else {
				uidlist_retain(&mb->ul, not_removed, removed);
				if (uidlist_commit(mb->path, fd, &mb->ul, err) <
				    0)
					ret = -1;
			}
		}
	}
	htable_destroy(&removed, NULL);
	buf_deinit(&b);
	buf_deinit(&found);
	return ret;
}
