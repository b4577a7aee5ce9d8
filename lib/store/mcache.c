/* SPDX-License-Identifier: MIT */
/* mcache - a folder's cache file of immutable message facts, read without
 * locks, appended and compacted under an flock. See mcache.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/mcache.h"
#include "store/store_err.h"
#include "util/buf.h"
#include "util/checksum.h"
#include "util/htable.h"
#include "util/mem.h"

#define HEADER "TERNCACHE 2\n"
#define HEADER_LEN (sizeof(HEADER) - 1)
/* "llllllll ssssssss " */
#define PREFIX_LEN 18
/* A record: the field, a base name (a file name), TAB, the value, LF. */
#define RECORD_MAX (1 + 256 + 1 + MCACHE_VALUE_MAX + 1)
/* Compaction: only past this size, and when live records are less than
 * half of it. */
#define COMPACT_MIN (1024 * 1024)

/* Where one value is in the file. */
struct loc {
	off_t rec;      /* where the record starts */
	off_t off;      /* of the value */
	size_t len;     /* of the value */
	size_t rec_len; /* of the whole record, prefix included */
	int checked;    /* its sum held (1) or failed (-1); 0: not seen */
};

/* The fields of one message, in the order of field_slot(). */
#define FIELDS 5

struct entry {
	struct loc f[FIELDS]; /* rec_len 0: not cached */
};

/* The slot of a field, or -1 for one this version does not know (kept in
 * the file, not used). */
static int
field_slot(char field)
{
	static const char fields[FIELDS] = { MCACHE_DATE, MCACHE_ENVELOPE,
		MCACHE_BODY, MCACHE_BODYSTRUCTURE, MCACHE_HEADER };
	const char *p = memchr(fields, field, FIELDS);

	return field != '\0' && p != NULL ? (int)(p - fields) : -1;
}

struct mcache {
	char *path;
	int fd;          /* open for reading, or -1 */
	const char *map; /* the file mapped, map_len bytes (or NULL) */
	size_t map_len;
	dev_t dev;
	ino_t ino;
	off_t good;           /* end of the last record that checked out */
	struct htable *index; /* base -> struct entry */
	size_t nrec;
	struct buf pending;   /* records formatted, not written */
	struct htable *added; /* keys in pending */
};

static void
unmap(struct mcache *c)
{
	if (c->map != NULL)
		munmap((void *)c->map, c->map_len);
	c->map = NULL;
	c->map_len = 0;
}

static void
forget(struct mcache *c)
{
	unmap(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->good = 0;
	c->nrec = 0;
	htable_destroy(&c->index, xfree);
	c->index = htable_create();
}

/* Index the records of the len bytes at p, which start at file offset
 * base; returns the bytes that held whole records. Their sums are checked
 * when they are read (mcache_get): opening a large cache reads only the
 * prefixes and keys. */
static size_t
index_records(struct mcache *c, const char *p, size_t len, off_t base)
{
	size_t at = 0;

	while (len - at >= PREFIX_LEN) {
		const char *r = p + at, *tab;
		char key[1 + 257];
		unsigned long n;
		struct entry *e;
		struct loc *l;
		char *end;
		size_t klen;
		int slot;

		if (r[8] != ' ' || r[17] != ' ')
			break;
		n = strtoul(r, &end, 16);
		if (end != r + 8 || n < 3 || n > RECORD_MAX ||
		    n > len - at - PREFIX_LEN || r[PREFIX_LEN + n - 1] != '\n')
			break;
		klen = n < 259 ? n : 259;
		tab = memchr(r + PREFIX_LEN, '\t', klen);
		if (tab == NULL || (size_t)(tab - (r + PREFIX_LEN)) > 257)
			break;
		memcpy(key, r + PREFIX_LEN, (size_t)(tab - (r + PREFIX_LEN)));
		key[tab - (r + PREFIX_LEN)] = '\0';
		if ((slot = field_slot(key[0])) >= 0 && key[1] != '\0') {
			if ((e = htable_find(c->index, key + 1)) == NULL) {
				e = xcalloc(1, sizeof(*e));
				(void)htable_enter(c->index, key + 1, e);
			}
			l = &e->f[slot];
			memset(l, 0, sizeof(*l));
			l->rec = base + (off_t)at;
			l->off = base + (off_t)(tab + 1 - p);
			l->len = (size_t)(r + PREFIX_LEN + n - 1 - (tab + 1));
			l->rec_len = PREFIX_LEN + n;
		}
		c->nrec++;
		at += PREFIX_LEN + n;
	}
	return at;
}

/* Map the file as it is now and index what it holds past c->good. */
static void
read_on(struct mcache *c)
{
	struct stat st;
	void *map;

	if (c->fd < 0 || fstat(c->fd, &st) < 0 ||
	    (size_t)st.st_size <= c->map_len)
		return;
	/* Readers never touch bytes past good, and writers cut only past
	 * the good end they all agree on: the mapping never loses a page
	 * it reads (no SIGBUS). */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, c->fd, 0);
	if (map == MAP_FAILED)
		return;
	unmap(c);
	c->map = map;
	c->map_len = (size_t)st.st_size;
	c->good += (off_t)index_records(c, c->map + c->good,
	    c->map_len - (size_t)c->good, c->good);
}

/* (Re)open the file from its start. */
static void
load(struct mcache *c)
{
	char head[HEADER_LEN];
	struct stat st;

	forget(c);
	if ((c->fd = open(c->path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (fstat(c->fd, &st) < 0 ||
	    pread(c->fd, head, HEADER_LEN, 0) != (ssize_t)HEADER_LEN ||
	    memcmp(head, HEADER, HEADER_LEN) != 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	c->good = HEADER_LEN;
	read_on(c);
}

struct mcache *
mcache_open(const char *dir)
{
	struct mcache *c = xcalloc(1, sizeof(*c));
	struct buf b;

	buf_init(&b, BUF_MAX_INTERNAL);
	buf_printf(&b, "%s/%s", dir, MCACHE_FILE);
	c->path = buf_steal(&b);
	buf_deinit(&b);
	c->fd = -1;
	c->index = htable_create();
	c->added = htable_create();
	buf_init(&c->pending, BUF_MAX_INTERNAL);
	load(c);
	return c;
}

void
mcache_refresh(struct mcache *c)
{
	struct stat st;

	if (stat(c->path, &st) < 0)
		return;
	if (c->fd < 0 || st.st_dev != c->dev || st.st_ino != c->ino)
		load(c); /* made, or compacted by another session */
	else if (st.st_size > c->good)
		read_on(c);
}

static void
make_key(char *key, const char *base, char field)
{
	key[0] = field;
	snprintf(key + 1, 258, "%s", base);
}

/* The place of base's field, or NULL when it is not cached. */
static struct loc *
find(struct mcache *c, const char *base, char field)
{
	struct entry *e = htable_find(c->index, base);
	int slot = field_slot(field);

	if (e == NULL || slot < 0 || e->f[slot].rec_len == 0)
		return NULL;
	return &e->f[slot];
}

const char *
mcache_get(struct mcache *c, const char *base, char field, size_t *len_r)
{
	struct loc *l;

	if (c->map == NULL || (l = find(c, base, field)) == NULL)
		return NULL;
	if (l->checked == 0) {
		const char *r = c->map + l->rec;
		unsigned long sum = strtoul(r + 9, NULL, 16);

		l->checked =
		    sum == checksum32(r + PREFIX_LEN, l->rec_len - PREFIX_LEN)
		    ? 1
		    : -1;
	}
	if (l->checked < 0)
		return NULL; /* damaged: made again by the caller */
	*len_r = l->len;
	return c->map + l->off;
}

void
mcache_put(struct mcache *c, const char *base, char field, const char *value,
    size_t len)
{
	char key[1 + 258];
	size_t n;

	if (len > MCACHE_VALUE_MAX || strlen(base) > 256 || *base == '\0' ||
	    strchr(base, '\t') != NULL || field_slot(field) < 0)
		return;
	make_key(key, base, field);
	if (find(c, base, field) != NULL || htable_find(c->added, key) != NULL)
		return;
	(void)htable_enter(c->added, key, c);
	n = strlen(key) + 1 + len + 1;
	(void)buf_printf(&c->pending, "%08zx %08x ", n, 0u);
	{
		size_t start = buf_len(&c->pending);
		char sum[9];

		(void)buf_puts(&c->pending, key);
		(void)buf_putc(&c->pending, '\t');
		(void)buf_append(&c->pending, value, len);
		(void)buf_putc(&c->pending, '\n');
		snprintf(sum, sizeof(sum), "%08x",
		    checksum32(c->pending.data + start, n));
		memcpy(c->pending.data + start - 9, sum, 8);
	}
}

size_t
mcache_records(const struct mcache *c)
{
	return c->nrec;
}

struct live_ctx {
	int (*is_live)(void *ctx, const char *base);
	void *ctx;
	size_t live_bytes;
	struct buf *out; /* compaction: live records copied here */
	const char *map;
	int failed;
};

static void
count_live(const char *base, void *value, void *ctx)
{
	struct live_ctx *k = ctx;
	const struct entry *e = value;
	int i;

	if (!k->is_live(k->ctx, base))
		return;
	for (i = 0; i < FIELDS; i++)
		k->live_bytes += e->f[i].rec_len;
}

static void
copy_live(const char *base, void *value, void *ctx)
{
	struct live_ctx *k = ctx;
	const struct entry *e = value;
	int i;

	if (k->failed || !k->is_live(k->ctx, base))
		return;
	/* The whole records, prefix and all, as they stand. */
	for (i = 0; i < FIELDS; i++)
		if (e->f[i].rec_len > 0 &&
		    buf_append(k->out, k->map + e->f[i].rec, e->f[i].rec_len) <
			0)
			k->failed = 1;
}

/* Write the live records to a new file and rename it over the cache,
 * under the lock. */
static int
compact(struct mcache *c, struct live_ctx *k, struct buf *err)
{
	struct buf tmp, out;
	int fd, ret = 0;

	buf_init(&tmp, BUF_MAX_INTERNAL);
	buf_init(&out, BUF_MAX_INTERNAL);
	buf_printf(&tmp, "%s.new", c->path);
	buf_puts(&out, HEADER);
	k->out = &out;
	k->map = c->map;
	htable_walk(c->index, copy_live, k);
	fd = open(buf_cstr(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	if (k->failed || fd < 0 ||
	    write(fd, out.data, buf_len(&out)) != (ssize_t)buf_len(&out) ||
	    rename(buf_cstr(&tmp), c->path) < 0) {
		ret = store_err(err, "compact %s: %m", c->path);
		unlink(buf_cstr(&tmp));
	}
	if (fd >= 0)
		close(fd);
	buf_deinit(&tmp);
	buf_deinit(&out);
	return ret;
}

/* Open and lock the cache file that is at the path now: a compaction
 * between the open and the lock replaces it, and the lock must be the
 * new file's. Returns the descriptor (st its stat), or -1 with err. */
static int
lock_file(struct mcache *c, struct stat *st, struct buf *err)
{
	struct stat now;
	int fd, tries;

	for (tries = 0; tries < 5; tries++) {
		fd = open(c->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
		    0600);
		if (fd < 0 || flock(fd, LOCK_EX) < 0 || fstat(fd, st) < 0) {
			store_err(err, "open %s: %m", c->path);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (stat(c->path, &now) == 0 && now.st_ino == st->st_ino &&
		    now.st_dev == st->st_dev)
			return fd;
		close(fd);
	}
	store_err(err, "%s: replaced too often", c->path);
	return -1;
}

int
mcache_flush(struct mcache *c, int (*is_live)(void *ctx, const char *base),
    void *ctx, struct buf *err)
{
	struct live_ctx k = { is_live, ctx, 0, NULL, NULL, 0 };
	struct stat st;
	int fd, ret = 0;

	if (buf_len(&c->pending) == 0)
		return 0;
	if ((fd = lock_file(c, &st, err)) < 0) {
		ret = -1;
		goto out;
	}
	/* Under the lock: the file as it is (another writer appended, or
	 * compacted), its torn tail cut off. */
	mcache_refresh(c);
	if (c->fd < 0) {
		/* New, or no cache file of ours: start it. */
		if (ftruncate(fd, 0) < 0 ||
		    write(fd, HEADER, HEADER_LEN) != (ssize_t)HEADER_LEN) {
			ret = store_err(err, "write %s: %m", c->path);
			goto out;
		}
		mcache_refresh(c);
	} else if (st.st_size > c->good && ftruncate(fd, c->good) < 0) {
		ret = store_err(err, "ftruncate %s: %m", c->path);
		goto out;
	}
	if (c->fd < 0 ||
	    write(fd, c->pending.data, buf_len(&c->pending)) !=
		(ssize_t)buf_len(&c->pending)) {
		/* A half record left is cut off by the next writer. */
		ret = store_err(err, "write %s: %m", c->path);
		goto out;
	}
	mcache_refresh(c);
	if (is_live != NULL && c->good > COMPACT_MIN) {
		htable_walk(c->index, count_live, &k);
		if ((off_t)(k.live_bytes * 2) < c->good &&
		    compact(c, &k, err) < 0)
			ret = -1;
		else if ((off_t)(k.live_bytes * 2) < c->good)
			load(c);
	}
out:
	if (fd >= 0)
		close(fd); /* releases the lock */
	buf_reset(&c->pending);
	htable_destroy(&c->added, NULL);
	c->added = htable_create();
	return ret;
}

void
mcache_close(struct mcache **cp)
{
	struct mcache *c = *cp;

	if (c == NULL)
		return;
	unmap(c);
	if (c->fd >= 0)
		close(c->fd);
	htable_destroy(&c->index, xfree);
	htable_destroy(&c->added, NULL);
	buf_deinit(&c->pending);
	xfree(c->path);
	xfree(c);
	*cp = NULL;
}
