/* SPDX-License-Identifier: MIT */
/* mailbox_put - messages added to a folder with their UIDs (IMAP APPEND,
 * COPY, MOVE), as mailbox.h describes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/mailbox.h"
#include "store/mailbox_impl.h"
#include "store/maildir.h"
#include "store/mflags.h"
#include "store/store_err.h"
#include "store/uidlist.h"
#include "util/buf.h"
#include "util/mem.h"

struct put_msg {
	char *path;  /* the file, in cur/ */
	char *base;  /* its base name */
	off_t vsize; /* on the wire */
};

struct mailbox_put {
	char *path;
	struct put_msg *msgs;
	size_t count, cap;
};

/* The name's ",<key>=<digits>" value, or -1 (the commit names its
 * files with S= and W=). */
static off_t
field(const char *name, const char *key)
{
	const char *p = strstr(name, key);

	return p == NULL ? -1 : (off_t)strtoll(p + strlen(key), NULL, 10);
}

struct mailbox_put *
mailbox_put_begin(const char *path)
{
	struct mailbox_put *p = xcalloc(1, sizeof(*p));
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	p->path = xstrndup(path, n);
	return p;
}

int
mailbox_put_start(struct mailbox_put *p, struct maildir_msg **m_r,
    struct buf *err)
{
	const char *error;

	if (maildir_open(p->path, m_r, &error) < 0)
		return store_err(err, "%s", error);
	return 0;
}

/* Count the file at path (in cur/) among the messages added. */
static void
put_add(struct mailbox_put *p, const char *path)
{
	struct put_msg *x;
	const char *file;

	if (p->count == p->cap) {
		p->cap = p->cap == 0 ? 16 : p->cap * 2;
		p->msgs = xrealloc(p->msgs, p->cap * sizeof(*p->msgs));
	}
	x = &p->msgs[p->count++];
	x->path = xstrdup(path);
	file = strrchr(x->path, '/') + 1;
	x->base = xstrndup(file, strcspn(file, ":"));
	x->vsize = field(x->base, ",W=");
}

int
mailbox_put_finish(struct mailbox_put *p, struct maildir_msg *m,
    const struct mflags *f, time_t date, struct buf *err)
{
	struct mflags none = { 0 };
	struct buf info, final;
	const char *error;
	int ret = 0;

	buf_init(&info, 256);
	buf_init(&final, BUF_MAX_INTERNAL);
	/* mflags_name makes "<base>:2,<letters>": the letters alone. */
	if (mflags_name("", f != NULL ? f : &none, &info) < 0) {
		maildir_abort(&m);
		ret = store_err(err, "flags too long");
		goto out;
	}
	if (date != 0)
		maildir_set_mtime(m, date);
	if (maildir_commit_info(m, buf_cstr(&info) + 3, &final, &error) < 0) {
		ret = store_err(err, "%s", error);
		goto out;
	}
	put_add(p, buf_cstr(&final));
out:
	buf_deinit(&info);
	buf_deinit(&final);
	return ret;
}

/* COPY as a hard link where the file system allows it, as Dovecot
 * copies: no bytes move, and the internal date (the mtime) is the
 * source's own. 0 done, 1 copy the bytes instead (no link possible, or
 * the file is not where the view last saw it), -1 with err. */
static int
put_link(struct mailbox_put *p, struct mailbox *src, size_t i,
    const struct mflags *f, struct buf *err)
{
	const struct mailbox_msg *m = mailbox_msg(src, i);
	struct mflags none = { 0 };
	struct buf from, info, final;
	const char *error;
	struct stat st;
	int ret = 1;

	buf_init(&from, BUF_MAX_INTERNAL);
	buf_init(&info, 256);
	buf_init(&final, BUF_MAX_INTERNAL);
	if (m->expunged ||
	    buf_printf(&from, "%s/%s", mailbox_path(src), m->name) < 0 ||
	    lstat(buf_cstr(&from), &st) < 0 || !S_ISREG(st.st_mode) ||
	    mflags_name("", f != NULL ? f : &none, &info) < 0)
		goto out;
	ret = maildir_link_copy(buf_cstr(&from), p->path, st.st_size, m->vsize,
	    buf_cstr(&info) + 3, &final, &error);
	if (ret < 0)
		store_err(err, "%s", error);
	else if (ret == 0)
		put_add(p, buf_cstr(&final));
out:
	buf_deinit(&from);
	buf_deinit(&info);
	buf_deinit(&final);
	return ret;
}

int
mailbox_put_copy(struct mailbox_put *p, struct mailbox *src, size_t i,
    const struct mflags *f, struct buf *err)
{
	struct maildir_msg *m;
	const char *error;
	char chunk[65536];
	ssize_t n;
	int fd, ret;

	if (i >= mailbox_count(src))
		return store_err(err, "no message %zu", i + 1);
	if ((ret = put_link(p, src, i, f, err)) <= 0)
		return ret == 0 ? 1 : -1;
	if ((ret = mailbox_msg_open(src, i, &fd, err)) <= 0)
		return ret;
	if ((ret = mailbox_msg_date(src, i, err)) <= 0) {
		close(fd);
		return ret;
	}
	if (mailbox_put_start(p, &m, err) < 0) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			store_err(err, "read %s/%s: %m", mailbox_path(src),
			    mailbox_msg(src, i)->name);
			break;
		}
		if (maildir_write(m, chunk, (size_t)n, &error) < 0) {
			store_err(err, "%s", error);
			n = -1;
			break;
		}
	}
	close(fd);
	if (n != 0) {
		maildir_abort(&m);
		return -1;
	}
	if (mailbox_put_finish(p, m, f, mailbox_msg(src, i)->date, err) < 0)
		return -1;
	return 1;
}

size_t
mailbox_put_count(const struct mailbox_put *p)
{
	return p->count;
}

static void
put_free(struct mailbox_put *p, int remove)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		if (remove)
			(void)unlink(p->msgs[i].path);
		xfree(p->msgs[i].path);
		xfree(p->msgs[i].base);
	}
	xfree(p->msgs);
	xfree(p->path);
	xfree(p);
}

int
mailbox_put_commit(struct mailbox_put *p, uint32_t *uidvalidity_r,
    uint32_t *uids, struct buf *err)
{
	struct uidlist ul;
	size_t i;
	int fd;

	memset(&ul, 0, sizeof(ul));
	if (p->count == 0) {
		*uidvalidity_r = 0;
		put_free(p, 0);
		return 0;
	}
	if ((fd = uidlist_lock(p->path, err)) < 0)
		goto fail;
	/* A damaged list: rebuilt as mailbox_open would, the folder's
	 * other messages getting UIDs at their next scan. */
	if (uidlist_read(p->path, &ul, NULL) < 0 || ul.uidvalidity == 0)
		uidlist_reset(&ul, ul.uidvalidity);
	for (i = 0; i < p->count; i++) {
		const struct uidlist_rec *r =
		    uidlist_find(&ul, p->msgs[i].base);

		if (r != NULL)
			uids[i] = r->uid; /* a scan was first */
		else if ((uids[i] = uidlist_append(&ul, p->msgs[i].base,
			      p->msgs[i].vsize)) == 0)
			break;
	}
	if (i < p->count) {
		/* UIDs used up: the next open starts a new UIDVALIDITY. */
		uidlist_unlock(p->path, fd);
		store_err(err, "%s: UIDs used up", p->path);
		goto fail;
	}
	*uidvalidity_r = ul.uidvalidity;
	if (uidlist_commit(p->path, fd, &ul, err) < 0)
		goto fail;
	uidlist_free(&ul);
	put_free(p, 0);
	return 0;
fail:
	uidlist_free(&ul);
	put_free(p, 1);
	return -1;
}

void
mailbox_put_abort(struct mailbox_put **pp)
{
	if (*pp != NULL)
		put_free(*pp, 1);
	*pp = NULL;
}
