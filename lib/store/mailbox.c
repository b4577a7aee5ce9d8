/* SPDX-License-Identifier: MIT */
/* mailbox - a view of one Maildir folder in UID order, for POP3 and IMAP:
 * the scan and the list's upkeep. mailbox_msg.c reads a message and
 * changes its flags, mailbox_sync.c looks again (IMAP), mailbox_put.c
 * adds messages. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/mailbox.h"
#include "store/mailbox_impl.h"
#include "store/maildir.h"
#include "store/mflags.h"
#include "store/store_err.h"
#include "store/uidlist.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/htable.h"
#include "util/keysort.h"
#include "util/mem.h"

#define POP3_LOCK_FILE "tern-pop3.lock"

const char *
mbx_sub_path(struct buf *b, const char *path, const char *sub)
{
	buf_reset(b);
	if (sub == NULL)
		buf_puts(b, path);
	else
		buf_printf(b, "%s/%s", path, sub);
	return buf_cstr(b);
}

int
mbx_fsync_dir(const char *path, struct buf *err)
{
	return dir_fsync(path) < 0 ? store_err(err, "fsync %s: %m", path) : 0;
}

/* The Maildir (and its parents) and its cur/ new/ tmp/, created when
 * missing (maildir.h): a user without mail yet has an empty mailbox. */
static int
make_dirs(const char *path, struct buf *err)
{
	const char *error;

	if (maildir_make(path, &error) < 0)
		return store_err(err, "%s", error);
	return 0;
}

/* The POP3 session lock: an flock on tern-pop3.lock, held by the open
 * file description until mailbox_close (so a second open conflicts even
 * in the same process). The file stays: removing it would let a third
 * session lock a new file while the second holds the old one. */
static int
pop3_lock(struct mailbox *mb, struct buf *err)
{
	struct buf b;
	int fd;

	buf_init(&b, BUF_MAX_INTERNAL);
	mbx_sub_path(&b, mb->path, POP3_LOCK_FILE);
	fd = open(buf_cstr(&b), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		store_err(err, "open %s: %m", buf_cstr(&b));
		buf_deinit(&b);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK) {
			store_err(err, "%s: in use", buf_cstr(&b));
			buf_deinit(&b);
			return MAILBOX_IN_USE;
		}
		errno = e;
		store_err(err, "flock %s: %m", buf_cstr(&b));
		buf_deinit(&b);
		return -1;
	}
	buf_deinit(&b);
	mb->lock_fd = fd;
	return 0;
}

/* The base name of a Maildir file name: up to its ":2," info. */
static char *
base_of(const char *name)
{
	return xstrndup(name, strcspn(name, ":"));
}

/* Move everything in new/ to cur/ with ":2," (":2,S" when seen), then
 * fsync cur/ (the new names) and new/ (the old ones gone). A file that
 * vanished meanwhile was moved or expunged by another session. The bases
 * moved go into moved (when not NULL): IMAP's \Recent. Returns how many
 * were moved, or -1 with err. */
static int
move_new(struct mailbox *mb, int flags, struct htable *moved, struct buf *err)
{
	struct buf from, to, dir;
	struct dirent *e;
	DIR *d;
	size_t nmoved = 0;
	int ret = 0;

	buf_init(&from, BUF_MAX_INTERNAL);
	buf_init(&to, BUF_MAX_INTERNAL);
	buf_init(&dir, BUF_MAX_INTERNAL);
	if ((d = opendir(mbx_sub_path(&dir, mb->path, "new"))) == NULL) {
		ret = store_err(err, "opendir %s: %m", buf_cstr(&dir));
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		buf_reset(&from);
		buf_reset(&to);
		buf_printf(&from, "%s/new/%s", mb->path, e->d_name);
		buf_printf(&to, "%s/cur/%.*s:2,%s", mb->path,
		    (int)strcspn(e->d_name, ":"), e->d_name,
		    (flags & MAILBOX_SEEN) ? "S" : "");
		if (rename(buf_cstr(&from), buf_cstr(&to)) == 0) {
			nmoved++;
			if (moved != NULL) {
				char *base = base_of(e->d_name);

				(void)htable_enter(moved, base, moved);
				xfree(base);
			}
		} else if (errno != ENOENT) {
			ret = store_err(err, "rename %s: %m", buf_cstr(&from));
			break;
		}
	}
	closedir(d);
	if (nmoved > 0 &&
	    mbx_fsync_dir(mbx_sub_path(&dir, mb->path, "cur"), err) < 0)
		ret = -1;
	if (nmoved > 0 && ret == 0 &&
	    mbx_fsync_dir(mbx_sub_path(&dir, mb->path, "new"), err) < 0)
		ret = -1;
	if (ret == 0)
		ret = nmoved > INT_MAX ? INT_MAX : (int)nmoved;
out:
	buf_deinit(&from);
	buf_deinit(&to);
	buf_deinit(&dir);
	return ret;
}

/* The value of the ",<key>=<digits>" field of a file name's base, or
 * -1. */
static off_t
name_field(const char *base, char key)
{
	const char *p = base;
	char *end;
	long long v;

	while ((p = strchr(p, ',')) != NULL) {
		p++;
		if (p[0] != key || p[1] != '=' || p[2] < '0' || p[2] > '9')
			continue;
		errno = 0;
		v = strtoll(p + 2, &end, 10);
		if (errno == 0 && (*end == 0 || *end == ','))
			return (off_t)v;
	}
	return -1;
}

struct ent *
mbx_scan_find(const struct scan *s, const char *base)
{
	uintptr_t i =
	    s->bases != NULL ? (uintptr_t)htable_find(s->bases, base) : 0;

	return i == 0 ? NULL : &s->ents[i - 1];
}

void
mbx_scan_free(struct scan *s)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		xfree(s->ents[i].name);
		xfree(s->ents[i].base);
	}
	xfree(s->ents);
	if (s->bases != NULL)
		htable_destroy(&s->bases, NULL);
	memset(s, 0, sizeof(*s));
}

/* Read the names in path/sub into s (bases only when stat is 0; else
 * regular files with their sizes). */
static int
scan_dir(const char *path, const char *sub, struct scan *s, int stat_files,
    struct buf *err)
{
	struct buf dir;
	struct dirent *e;
	struct stat st = { 0 };
	DIR *d;

	if (s->bases == NULL)
		s->bases = htable_create();
	buf_init(&dir, BUF_MAX_INTERNAL);
	if ((d = opendir(mbx_sub_path(&dir, path, sub))) == NULL) {
		store_err(err, "opendir %s: %m", buf_cstr(&dir));
		buf_deinit(&dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		struct ent *x;
		void *prev;
		char *base;

		if (e->d_name[0] == '.')
			continue;
		base = base_of(e->d_name);
		/* A regular file needs no stat: its size is in its name
		 * (",S=", as local and Dovecot name them) or not needed (-1:
		 * the wire size is what POP3 and IMAP show), so a mailbox of
		 * 100,000 messages opens without 100,000 system calls. Only
		 * file systems that do not give d_type are stat'ed. */
		if (stat_files && e->d_type == DT_REG)
			st.st_size = name_field(base, 'S');
		else if (stat_files &&
		    (fstatat(dirfd(d), e->d_name, &st, 0) < 0 ||
			!S_ISREG(st.st_mode))) {
			xfree(base);
			continue; /* gone meanwhile, or not a message */
		}
		/* One file a base: keep the first (one hash operation for
		 * the usual new base, two for a duplicate). */
		prev = htable_enter(s->bases, base,
		    (void *)(uintptr_t)(s->count + 1));
		if (prev != NULL) {
			(void)htable_enter(s->bases, base, prev);
			xfree(base);
			continue;
		}
		if (s->count == s->cap) {
			s->cap = s->cap == 0 ? 64 : s->cap * 2;
			s->ents = xrealloc(s->ents, s->cap * sizeof(*s->ents));
		}
		x = &s->ents[s->count++];
		memset(x, 0, sizeof(*x));
		x->base = base;
		x->name = xmalloc(strlen(sub) + strlen(e->d_name) + 2);
		memcpy(x->name, sub, strlen(sub));
		x->name[strlen(sub)] = '/';
		memcpy(x->name + strlen(sub) + 1, e->d_name,
		    strlen(e->d_name) + 1);
		x->size = stat_files ? st.st_size : 0;
		x->vsize = name_field(base, 'W');
		/* The table holds the index (plus one), not the address: ents
		 * moves as it grows. */
	}
	closedir(d);
	buf_deinit(&dir);
	return 0;
}

int
mbx_find_by_base(const char *path, const char *base, struct buf *out,
    struct buf *err)
{
	static const char *const subs[] = { "cur", "new" };
	struct scan s;
	struct ent *x;
	size_t i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < 2; i++) {
		if (scan_dir(path, subs[i], &s, 0, err) < 0) {
			mbx_scan_free(&s);
			return -1;
		}
		if ((x = mbx_scan_find(&s, base)) != NULL) {
			buf_set(out, x->name);
			mbx_scan_free(&s);
			return 1;
		}
	}
	mbx_scan_free(&s);
	return 0;
}

/* Open path/name for reading; on ENOENT look for base again and update
 * name. Returns 1 with *fd_r, 0 when gone, -1 on error. */
int
mbx_open_msg(const char *path, char **name, const char *base, int *fd_r,
    struct buf *err)
{
	struct buf b, found;
	int tries, ret = 0;

	buf_init(&b, BUF_MAX_INTERNAL);
	buf_init(&found, BUF_MAX_INTERNAL);
	/* Each try follows one rename; a file renamed again between the
	 * scan and the open is followed again, a few times. */
	for (tries = 0; tries < 5; tries++) {
		mbx_sub_path(&b, path, *name);
		if ((*fd_r = open(buf_cstr(&b), O_RDONLY | O_CLOEXEC)) >= 0) {
			ret = 1;
			break;
		}
		if (errno != ENOENT) {
			ret = store_err(err, "open %s: %m", buf_cstr(&b));
			break;
		}
		if ((ret = mbx_find_by_base(path, base, &found, err)) <= 0)
			break;
		xfree(*name);
		*name = xstrdup(buf_cstr(&found));
		ret = 0;
	}
	buf_deinit(&b);
	buf_deinit(&found);
	return ret;
}

/* Read the open message file fd (path/name, for errors) to its end,
 * counting its wire size into *v and its length into *size; closes fd.
 * Returns 0, or -1 with err. */
int
mbx_read_vsize(int fd, const char *path, const char *name, off_t *v,
    off_t *size, struct buf *err)
{
	char chunk[65536];
	ssize_t n;
	int cr = 0;

	*v = *size = 0;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			store_err(err, "read %s/%s: %m", path, name);
			close(fd);
			return -1;
		}
		maildir_vsize_add(chunk, (size_t)n, &cr, v);
		*size += n;
	}
	close(fd);
	return 0;
}

/* Count the wire size of x's file (no ",W=" in its name). Returns 0, or
 * -1 with err; x->gone when it was expunged meanwhile. */
static int
count_vsize(const char *path, struct ent *x, struct buf *err)
{
	off_t v, size;
	int fd, ret;

	if ((ret = mbx_open_msg(path, &x->name, x->base, &fd, err)) <= 0) {
		x->gone = ret == 0;
		return ret;
	}
	if (mbx_read_vsize(fd, path, x->name, &v, &size, err) < 0)
		return -1;
	x->vsize = v;
	x->size = size; /* known now, read whole */
	x->counted = 1;
	return 0;
}

/* The microseconds of a unique name "<sec>.M<usec>P<pid>..." (local's,
 * Dovecot's), or 0. */
static unsigned long
name_usec(const char *base)
{
	const char *p = strchr(base, '.');

	return p != NULL && p[1] == 'M' ? strtoul(p + 2, NULL, 10) : 0;
}

/* Delivery order: the name's leading seconds, its microseconds, then the
 * name. */
static int
cmp_delivery(const void *a, const void *b)
{
	const struct ent *x = ((const struct keysort_item *)a)->p;
	const struct ent *y = ((const struct keysort_item *)b)->p;
	unsigned long long xs = strtoull(x->base, NULL, 10);
	unsigned long long ys = strtoull(y->base, NULL, 10);
	unsigned long xu = name_usec(x->base), yu = name_usec(y->base);

	if (xs != ys)
		return xs < ys ? -1 : 1;
	if (xu != yu)
		return xu < yu ? -1 : 1;
	return strcmp(x->base, y->base);
}

#define USEC_PER_SEC 1000000ULL
/* Seconds from here on share one key (it stays below 2^64). */
#define SEC_CAP 10000000000000ULL

/* Put v (n files of the scan) in delivery order: by one key, seconds *
 * 10^6 + microseconds, in linear time (keysort), then by cmp_delivery
 * within each run of equal keys (the same microsecond, or names whose
 * fields do not fit a key). */
static void
sort_by_delivery(struct keysort_item *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct ent *x = v[i].p;
		unsigned long long sec = strtoull(x->base, NULL, 10);
		unsigned long usec = name_usec(x->base);

		v[i].key = sec >= SEC_CAP ? SEC_CAP * USEC_PER_SEC
					  : sec * USEC_PER_SEC +
			(usec < USEC_PER_SEC ? usec : USEC_PER_SEC - 1);
	}
	keysort(v, n);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j].key == v[i].key; j++)
			;
		if (j - i > 1)
			qsort(v + i, j - i, sizeof(*v), cmp_delivery);
	}
}

struct keep_ctx {
	struct scan *scan;
	struct scan *again; /* a second scan, made on first need */
	const char *path;
	int failed;
};

/* Keep the record of a file the scan found. One it missed is looked for
 * in a second scan of cur/ and new/ before its record goes: readdir may
 * miss a file that another client renames meanwhile (flags), and a
 * dropped record would give that message a new UID. */
static int
keep_scanned(void *ctx, const char *base)
{
	struct keep_ctx *k = ctx;
	struct ent *x = mbx_scan_find(k->scan, base);

	if (x != NULL && !x->gone)
		return 1;
	if (k->again == NULL) {
		k->again = xcalloc(1, sizeof(*k->again));
		if (scan_dir(k->path, "cur", k->again, 0, NULL) < 0 ||
		    scan_dir(k->path, "new", k->again, 0, NULL) < 0)
			k->failed = 1;
	}
	/* Unsure (a scan failed): keep, the next open decides. */
	return k->failed || (x == NULL && htable_find(k->again->bases, base));
}

/* A file of the scan and its UID, for putting the view in UID order. */
struct by_uid {
	uint32_t uid;
	struct ent *x;
};

static int
cmp_uid(const void *a, const void *b)
{
	const struct by_uid *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* Give UIDs to the files of s that the list lacks and keep counted
 * sizes, under the list's lock; write the list. */
static int
update_list(struct mailbox *mb, struct scan *s, struct buf *err)
{
	struct keep_ctx k = { s, NULL, mb->path, 0 };
	struct keysort_item *order;
	size_t i, n = 0;
	int fd, round;

	if ((fd = uidlist_lock(mb->path, err)) < 0)
		return -1;
	/* Another writer may have given UIDs since we read. */
	uidlist_free(&mb->ul);
	if (uidlist_read(mb->path, &mb->ul, NULL) < 0 ||
	    mb->ul.uidvalidity == 0)
		uidlist_reset(&mb->ul, mb->ul.uidvalidity);
	uidlist_retain(&mb->ul, keep_scanned, &k);
	if (k.again != NULL) {
		mbx_scan_free(k.again);
		xfree(k.again);
	}
	order = xcalloc(s->count + 1, sizeof(*order));
	for (i = 0; i < s->count; i++)
		if (!s->ents[i].gone)
			order[n++].p = &s->ents[i];
	sort_by_delivery(order, n);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < n; i++) {
			struct ent *x = order[i].p;
			const struct uidlist_rec *r =
			    uidlist_find(&mb->ul, x->base);

			/* The key is spent: it keeps the record's place. */
			if (r != NULL) {
				order[i].key = (uint64_t)(r - mb->ul.recs);
				if (x->counted && r->vsize < 0)
					mb->ul.recs[r - mb->ul.recs].vsize =
					    x->vsize;
				continue;
			}
			if (uidlist_append(&mb->ul, x->base,
				x->counted ? x->vsize : -1) == 0)
				break;
			order[i].key = mb->ul.count - 1;
		}
		if (i == n)
			break;
		/* UIDs used up: start again under a new UIDVALIDITY. */
		uidlist_reset(&mb->ul, mb->ul.uidvalidity);
	}
	/* Every record is where it stays: each file's, without a lookup
	 * (when both rounds stopped short, with one: some have none). */
	for (i = 0; i < n; i++) {
		struct ent *x = order[i].p;

		x->rec = round < 2 ? &mb->ul.recs[order[i].key]
				   : uidlist_find(&mb->ul, x->base);
	}
	xfree(order);
	return uidlist_commit(mb->path, fd, &mb->ul, err);
}

/* Whether the list must be written: a file without a record, a record
 * without a file, a size counted here. */
static int
list_stale(struct uidlist *ul, struct scan *s)
{
	size_t i, found = 0;

	if (ul->uidvalidity == 0)
		return 1;
	for (i = 0; i < s->count; i++) {
		const struct uidlist_rec *r = s->ents[i].rec;

		if (s->ents[i].gone)
			continue;
		if (r == NULL || (s->ents[i].counted && r->vsize < 0))
			return 1;
		found++;
	}
	return found != ul->count;
}

struct mailbox_msg *
mbx_msg_new(struct mailbox *mb)
{
	struct mailbox_msg *m;

	if (mb->count == mb->cap) {
		mb->cap = mb->cap == 0 ? 64 : mb->cap * 2;
		mb->msgs = xrealloc(mb->msgs, mb->cap * sizeof(*mb->msgs));
	}
	m = &mb->msgs[mb->count++];
	memset(m, 0, sizeof(*m));
	return m;
}

struct mailbox_msg *
mbx_msg_take(struct mailbox *mb, struct ent *x, const struct uidlist_rec *r)
{
	struct mailbox_msg *m = mbx_msg_new(mb);

	m->uid = r->uid;
	m->size = x->size;
	m->vsize = x->vsize >= 0 ? x->vsize : r->vsize;
	m->recent = x->recent != 0;
	/* The strings move to the view. */
	m->base = x->base;
	m->name = x->name;
	x->base = x->name = NULL;
	if (m->uid > mb->max_uid)
		mb->max_uid = m->uid;
	return m;
}

void
mbx_msg_free(struct mailbox_msg *m)
{
	xfree((char *)m->base);
	xfree((char *)m->name);
}

/* The view: every file of s that has a UID, in UID order. UIDs are
 * usually dense (1 to N, a few gaps from expunges): then each file goes
 * straight to its slot, else a sort of (UID, file) pairs puts them in
 * order. UIDs are unique within a list. */
static void
take_snapshot(struct mailbox *mb, struct scan *s)
{
	struct by_uid *v = xcalloc(s->count + 1, sizeof(*v));
	uint32_t lo = UINT32_MAX, hi = 0;
	size_t i, n = 0;

	for (i = 0; i < s->count; i++) {
		struct ent *x = &s->ents[i];

		if (x->gone || x->rec == NULL)
			continue;
		v[n].uid = x->rec->uid;
		v[n++].x = x;
		lo = x->rec->uid < lo ? x->rec->uid : lo;
		hi = x->rec->uid > hi ? x->rec->uid : hi;
	}
	mb->msgs = xrealloc(mb->msgs, (mb->count + n + 1) * sizeof(*mb->msgs));
	mb->cap = mb->count + n + 1;
	if (n > 0 && (size_t)(hi - lo) < 4 * n + 64) {
		struct ent **slot =
		    xcalloc((size_t)(hi - lo) + 1, sizeof(*slot));

		for (i = 0; i < n; i++)
			slot[v[i].uid - lo] = v[i].x;
		for (i = 0; i <= (size_t)(hi - lo); i++)
			if (slot[i] != NULL)
				mbx_msg_take(mb, slot[i], slot[i]->rec);
		xfree(slot);
	} else if (n > 0) {
		qsort(v, n, sizeof(*v), cmp_uid);
		for (i = 0; i < n; i++)
			mbx_msg_take(mb, v[i].x, v[i].x->rec);
	}
	xfree(v);
}

/* The mtime of path/sub into *ts (zero when it cannot be read). */
static void
dir_mtime(const char *path, const char *sub, struct timespec *ts)
{
	struct buf b;
	struct stat st;

	buf_init(&b, BUF_MAX_INTERNAL);
	if (stat(mbx_sub_path(&b, path, sub), &st) == 0)
		*ts = st.st_mtim;
	else
		memset(ts, 0, sizeof(*ts));
	buf_deinit(&b);
}

/* Read the list into mb->ul, with the identity of the file read in
 * mb->ul_st when it is sure (the same file stat'ed before and after). */
static void
read_list(struct mailbox *mb)
{
	struct stat before;
	struct buf b;

	buf_init(&b, BUF_MAX_INTERNAL);
	mbx_sub_path(&b, mb->path, UIDLIST_FILE);
	mb->ul_known = stat(b.data, &before) == 0;
	uidlist_free(&mb->ul);
	if (uidlist_read(mb->path, &mb->ul, NULL) < 0)
		mb->ul.uidvalidity = 0;
	mb->ul_known = mb->ul_known && stat(b.data, &mb->ul_st) == 0 &&
	    before.st_dev == mb->ul_st.st_dev &&
	    before.st_ino == mb->ul_st.st_ino &&
	    before.st_size == mb->ul_st.st_size &&
	    mbx_same_time(&before.st_mtim, &mb->ul_st.st_mtim);
	buf_deinit(&b);
}

int
mbx_scan(struct mailbox *mb, struct scan *s, struct htable *moved,
    struct buf *err)
{
	size_t i, from_new = 0;
	int nmoved = 0, wrote = 0, gone = 0;

	memset(s, 0, sizeof(*s));
	mb->index_ok = 0;
	/* The mtimes before the look, new/'s before anything is moved out
	 * of it: a change made during the look moves them on, and is seen
	 * by the next one (mbx_settled). */
	(void)clock_gettime(CLOCK_REALTIME_COARSE, &mb->scan_t0);
	dir_mtime(mb->path, "new", &mb->new_mtime);
	if (!(mb->flags & MAILBOX_KEEP_NEW) &&
	    (nmoved = move_new(mb, mb->flags, moved, err)) < 0)
		return -1;
	dir_mtime(mb->path, "cur", &mb->cur_mtime);
	mb->scan_settled = mbx_settled(&mb->cur_mtime, &mb->scan_t0) &&
	    mbx_settled(&mb->new_mtime, &mb->scan_t0);
	if (scan_dir(mb->path, "cur", s, 1, err) < 0)
		return -1;
	if (moved != NULL)
		for (i = 0; i < s->count; i++)
			s->ents[i].recent =
			    htable_find(moved, s->ents[i].base) != NULL;
	if (mb->flags & MAILBOX_KEEP_NEW) {
		size_t first = s->count;

		/* What is in new/ stays there, recent for whoever moves it. */
		if (scan_dir(mb->path, "new", s, 1, err) < 0)
			return -1;
		for (i = first; i < s->count; i++)
			s->ents[i].recent = 1;
		from_new = s->count - first;
	}
	/* The list as it is, without the lock: usually nothing changes. A
	 * damaged list is rebuilt below, under the lock. */
	read_list(mb);
	for (i = 0; i < s->count; i++) {
		struct ent *x = &s->ents[i];
		const struct uidlist_rec *r = uidlist_find(&mb->ul, x->base);

		x->rec = r;
		if (x->vsize < 0 && r != NULL)
			x->vsize = r->vsize;
		if (x->vsize < 0 && !(mb->flags & MAILBOX_LAZY_VSIZE) &&
		    count_vsize(mb->path, x, err) < 0)
			return -1;
	}
	if (list_stale(&mb->ul, s)) {
		if (update_list(mb, s, err) < 0)
			return -1;
		wrote = 1;
		/* The list was read again: its records moved (update_list
		 * points the files it kept at theirs). */
		for (i = 0; i < s->count; i++)
			if (s->ents[i].gone)
				s->ents[i].rec =
				    uidlist_find(&mb->ul, s->ents[i].base);
	}
	for (i = 0; i < s->count; i++)
		gone |= s->ents[i].gone;
	mb->index_ok = mb->scan_settled && mb->ul_known &&
	    mbx_settled(&mb->ul_st.st_mtim, &mb->scan_t0) && !wrote && !gone &&
	    nmoved == 0 && from_new == 0;
	return 0;
}

int
mailbox_open(const char *path, int flags, struct mailbox **mb_r,
    struct buf *err)
{
	struct mailbox *mb;
	struct htable *moved = htable_create();
	struct scan s;
	size_t n = strlen(path);
	int ret;

	memset(&s, 0, sizeof(s));
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 0) {
		htable_destroy(&moved, NULL);
		return store_err(err, "empty Maildir path");
	}
	mb = xcalloc(1, sizeof(*mb));
	mb->path = xstrndup(path, n);
	mb->lock_fd = -1;
	mb->flags = flags;
	if ((ret = make_dirs(mb->path, err)) < 0)
		goto fail;
	if ((flags & MAILBOX_POP3_LOCK) && (ret = pop3_lock(mb, err)) < 0)
		goto fail;
	ret = -1;
	/* A folder unchanged since a look that left its view in tern-index
	 * opens from there (mailbox_index.c). */
	if (mbx_index_load(mb) > 0) {
		htable_destroy(&moved, NULL);
		*mb_r = mb;
		return 0;
	}
	if (mbx_scan(mb, &s, moved, err) < 0)
		goto fail;
	take_snapshot(mb, &s);
	mbx_scan_free(&s);
	mbx_index_save(mb);
	htable_destroy(&moved, NULL);
	*mb_r = mb;
	return 0;
fail:
	mbx_scan_free(&s);
	htable_destroy(&moved, NULL);
	mailbox_close(&mb);
	return ret;
}

uint32_t
mailbox_uidvalidity(const struct mailbox *mb)
{
	return mb->ul.uidvalidity;
}

uint32_t
mailbox_uidnext(const struct mailbox *mb)
{
	return mb->ul.nextuid > mb->max_uid ? mb->ul.nextuid : mb->max_uid + 1;
}

size_t
mailbox_count(const struct mailbox *mb)
{
	return mb->count;
}

const struct mailbox_msg *
mailbox_msg(const struct mailbox *mb, size_t i)
{
	return i < mb->count ? &mb->msgs[i] : NULL;
}

const char *
mailbox_path(const struct mailbox *mb)
{
	return mb->path;
}

void
mailbox_close(struct mailbox **mbp)
{
	struct mailbox *mb = *mbp;
	size_t i;

	if (mb == NULL)
		return;
	if (mb->lock_fd >= 0)
		close(mb->lock_fd); /* releases the flock */
	if (mb->path != NULL)
		(void)maildir_sweep_tmp(mb->path,
		    time(NULL) - MAILDIR_TMP_STALE);
	for (i = 0; i < mb->count; i++)
		mbx_msg_free(&mb->msgs[i]);
	xfree(mb->msgs);
	uidlist_free(&mb->ul);
	xfree(mb->path);
	xfree(mb);
	*mbp = NULL;
}
