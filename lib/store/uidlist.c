/* SPDX-License-Identifier: MIT */
/* uidlist - Dovecot's dovecot-uidlist (version 3): read, lock, write. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_err.h"
#include "store/uidlist.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/fdio.h"
#include "util/htable.h"
#include "util/mem.h"

/* A list larger than this is taken as damaged (some 100 bytes a message:
 * far beyond any real folder). */
#define UIDLIST_MAX_SIZE ((size_t)256 * 1024 * 1024)

/* Prefix err's text with "what: " (the file or line it is about). */
static void
err_prefix(struct buf *err, const char *what)
{
	char *old;

	if (err == NULL)
		return;
	old = buf_steal(err);
	(void)buf_printf(err, "%s: %s", what, old);
	xfree(old);
}

static void
index_drop(struct uidlist *ul)
{
	if (ul->index != NULL)
		htable_destroy(&ul->index, NULL);
}

void
uidlist_free(struct uidlist *ul)
{
	size_t i;

	for (i = 0; i < ul->count; i++) {
		xfree(ul->recs[i].base);
		xfree(ul->recs[i].ext);
	}
	xfree(ul->recs);
	xfree(ul->hdr_extra);
	index_drop(ul);
	memset(ul, 0, sizeof(*ul));
}

/* A decimal number of 1..max, digits only, the whole of [p, end). */
static int
parse_num(const char *p, const char *end, uint64_t max, uint64_t *val_r)
{
	uint64_t v = 0;

	if (p == end || end - p > 20)
		return -1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return -1;
	}
	*val_r = v;
	return 0;
}

static int
is_hex32(const char *p, size_t n)
{
	size_t i;

	if (n != 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
			(p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

/* Append " tok" (or "tok" to an empty string) to *sp. */
static void
join(char **sp, const char *tok, size_t n)
{
	size_t old = *sp == NULL ? 0 : strlen(*sp);
	char *s = xmalloc(old + n + 2);

	if (old > 0) {
		memcpy(s, *sp, old);
		s[old++] = ' ';
	}
	memcpy(s + old, tok, n);
	s[old + n] = 0;
	xfree(*sp);
	*sp = s;
}

/* "3 V<n> N<n> G<hex> ..." in [p, end). */
static int
parse_header(struct uidlist *ul, const char *p, const char *end,
    struct buf *err)
{
	uint64_t v;

	if (end - p < 2 || p[0] != '3' || p[1] != ' ')
		return store_err(err, "not a version 3 uidlist");
	p += 2;
	while (p < end) {
		const char *tok = p, *val = p + 1;

		while (p < end && *p != ' ')
			p++;
		if (p == tok) { /* runs of spaces, as Dovecot allows */
			p++;
			continue;
		}
		switch (*tok) {
		case 'V':
		case 'N':
			if (parse_num(val, p, UINT32_MAX, &v) < 0 || v == 0)
				return store_err(err, "bad header field %c",
				    *tok);
			if (*tok == 'V')
				ul->uidvalidity = (uint32_t)v;
			else
				ul->nextuid = (uint32_t)v;
			break;
		case 'G':
			if (!is_hex32(val, (size_t)(p - val)))
				return store_err(err, "bad mailbox GUID");
			memcpy(ul->guid, val, 32);
			ul->guid[32] = 0;
			break;
		default:
			join(&ul->hdr_extra, tok, (size_t)(p - tok));
			break;
		}
	}
	if (ul->uidvalidity == 0 || ul->nextuid == 0)
		return store_err(err, "header without V or N");
	return 0;
}

static struct uidlist_rec *
rec_new(struct uidlist *ul)
{
	if (ul->count == ul->cap) {
		ul->cap = ul->cap == 0 ? 64 : ul->cap * 2;
		ul->recs = xrealloc(ul->recs, ul->cap * sizeof(*ul->recs));
	}
	memset(&ul->recs[ul->count], 0, sizeof(*ul->recs));
	return &ul->recs[ul->count++];
}

/* "<uid>[ <ext>...] :<base>" in [p, end). */
static int
parse_record(struct uidlist *ul, const char *p, const char *end,
    struct buf *err)
{
	struct uidlist_rec *r;
	const char *num = p, *base;
	uint64_t uid, v;
	off_t vsize = -1;
	char *ext = NULL;

	while (p < end && *p != ' ')
		p++;
	/* UINT32_MAX is never a UID: nextuid must stay above every UID. */
	if (parse_num(num, p, UINT32_MAX - 1, &uid) < 0 || uid == 0)
		return store_err(err, "bad UID");
	if (ul->count > 0 && uid <= ul->recs[ul->count - 1].uid)
		return store_err(err, "UIDs not in ascending order");
	if (p == end)
		return store_err(err, "no file name");
	while (p < end && *p != ':') {
		const char *tok = p;

		while (p < end && *p != ' ')
			p++;
		if (p == tok) {
			p++;
			continue;
		}
		if (*tok < 'A' || *tok > 'Z') {
			xfree(ext);
			return store_err(err, "bad extension");
		}
		if (*tok == 'W') {
			if (parse_num(tok + 1, p, INT64_MAX / 2, &v) < 0) {
				xfree(ext);
				return store_err(err, "bad W extension");
			}
			vsize = (off_t)v;
		} else
			join(&ext, tok, (size_t)(p - tok));
	}
	base = p + 1;
	if (p == end || base == end ||
	    memchr(base, '/', (size_t)(end - base))) {
		xfree(ext);
		return store_err(err, "bad file name");
	}
	r = rec_new(ul);
	r->uid = (uint32_t)uid;
	r->base = xstrndup(base, (size_t)(end - base));
	r->vsize = vsize;
	r->ext = ext;
	/* nextuid must be above every UID; Dovecot, too, only checks this in
	 * version 1 lists, so mend it rather than fail. */
	if (uid >= ul->nextuid)
		ul->nextuid = (uint32_t)uid + 1;
	return 0;
}

int
uidlist_parse(const char *text, size_t len, struct uidlist *ul, struct buf *err)
{
	const char *p = text, *end = text + len, *nl;
	size_t line = 0;
	uint32_t uidvalidity = 0;
	char where[32], guid[33] = "";
	int ret = 0;

	memset(ul, 0, sizeof(*ul));
	if (len == 0 || text[len - 1] != '\n') {
		ret = store_err(err, "empty or cut short (no final newline)");
		snprintf(where, sizeof(where), "line %zu", line + 1);
	}
	while (ret == 0 && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		snprintf(where, sizeof(where), "line %zu", ++line);
		if (memchr(p, 0, (size_t)(nl - p)) != NULL)
			ret = store_err(err, "NUL byte");
		else if (line == 1) {
			if ((ret = parse_header(ul, p, nl, err)) == 0) {
				uidvalidity = ul->uidvalidity;
				memcpy(guid, ul->guid, sizeof(guid));
			}
		} else
			ret = parse_record(ul, p, nl, err);
		p = nl + 1;
	}
	/* The index for uidlist_find, built at once: a file name twice
	 * would make it ambiguous (the error names the first line). */
	for (line = 0; ret == 0 && line < ul->count; line++) {
		void *was;

		if (ul->index == NULL)
			ul->index = htable_create();
		was = htable_enter(ul->index, ul->recs[line].base,
		    (void *)(uintptr_t)(line + 1));
		if (was != NULL) {
			ret = store_err(err, "file name twice: %s",
			    ul->recs[line].base);
			snprintf(where, sizeof(where), "line %zu",
			    (size_t)(uintptr_t)was + 1);
		}
	}
	if (ret < 0) {
		err_prefix(err, where);
		uidlist_free(ul);
		ul->uidvalidity = uidvalidity;
		ul->nextuid = 1;
		memcpy(ul->guid, guid, sizeof(guid));
	}
	return ret;
}

int
uidlist_read(const char *dir, struct uidlist *ul, struct buf *err)
{
	struct buf path, text;
	struct stat st;
	ssize_t n;
	int fd, ret = -1;

	memset(ul, 0, sizeof(*ul));
	ul->nextuid = 1;
	buf_init(&path, BUF_MAX_INTERNAL);
	buf_printf(&path, "%s/%s", dir, UIDLIST_FILE);
	buf_init(&text, UIDLIST_MAX_SIZE);
	if ((fd = open(buf_cstr(&path), O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			ret = 0;
		else
			store_err(err, "open %s: %m", buf_cstr(&path));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		store_err(err, "fstat %s: %m", buf_cstr(&path));
		goto out;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size >= UIDLIST_MAX_SIZE) {
		store_err(err, "%s: too large", buf_cstr(&path));
		goto out;
	}
	/* Read to the end, not to st_size. Dovecot appends records in place
	 * (under the lock), so a reader without the lock may see a cut last
	 * line: taken as damage, which callers check again under the lock
	 * before they rebuild. */
	for (;;) {
		char chunk[8192];

		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			store_err(err, "read %s: %m", buf_cstr(&path));
			goto out;
		}
		if (n == 0)
			break;
		if (buf_append(&text, chunk, (size_t)n) < 0) {
			store_err(err, "%s: too large", buf_cstr(&path));
			goto out;
		}
	}
	ret = uidlist_parse(buf_cstr(&text), buf_len(&text), ul, err);
	if (ret < 0)
		err_prefix(err, buf_cstr(&path));
out:
	if (fd >= 0)
		close(fd);
	buf_deinit(&text);
	buf_deinit(&path);
	return ret;
}

/* A mailbox GUID: 128 random bits in hex, as Dovecot's guid_128. */
static void
make_guid(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[16];
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		/* Not secret, only unique: time and pid will do. */
		uint64_t t = (uint64_t)time(NULL), pid = (uint64_t)getpid();

		memcpy(raw, &t, 8);
		memcpy(raw + 8, &pid, 8);
	}
	for (i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[32] = 0;
}

/* Append prefix (a few bytes) and v in decimal: "%s%llu" without a
 * format's cost, for the lines of a list of 100,000s of records. */
static int
put_num(struct buf *out, const char *prefix, unsigned long long v)
{
	char tmp[32];
	size_t p = sizeof(tmp), n = strlen(prefix);

	do {
		tmp[--p] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	p -= n;
	memcpy(tmp + p, prefix, n);
	return buf_append(out, tmp + p, sizeof(tmp) - p);
}

int
uidlist_format(const struct uidlist *ul, struct buf *out)
{
	char guid[33];
	size_t i;
	int ret;

	if (ul->uidvalidity == 0 || ul->nextuid == 0)
		return -1;
	if (ul->guid[0] != 0)
		memcpy(guid, ul->guid, sizeof(guid));
	else
		make_guid(guid);
	ret = buf_printf(out, "3 V%u N%u G%s", ul->uidvalidity, ul->nextuid,
	    guid);
	if (ret == 0 && ul->hdr_extra != NULL)
		ret = buf_printf(out, " %s", ul->hdr_extra);
	if (ret == 0)
		ret = buf_putc(out, '\n');
	for (i = 0; ret == 0 && i < ul->count; i++) {
		const struct uidlist_rec *r = &ul->recs[i];

		ret = put_num(out, "", r->uid);
		if (ret == 0 && r->ext != NULL)
			ret = buf_printf(out, " %s", r->ext);
		if (ret == 0 && r->vsize >= 0)
			ret = put_num(out, " W", (unsigned long long)r->vsize);
		if (ret == 0)
			ret = buf_append(out, " :", 2);
		if (ret == 0)
			ret = buf_puts(out, r->base);
		if (ret == 0)
			ret = buf_putc(out, '\n');
	}
	return ret;
}

static int lock_wait(const char *dir, int wait_s, struct buf *err);

static void
lock_path(struct buf *b, const char *dir, const char *name)
{
	buf_reset(b);
	buf_printf(b, "%s/%s", dir, name);
}

int
uidlist_lock(const char *dir, struct buf *err)
{
	return lock_wait(dir, UIDLIST_LOCK_WAIT, err);
}

static int
lock_wait(const char *dir, int wait_s, struct buf *err)
{
	struct buf path;
	struct stat st;
	time_t start = time(NULL);
	int fd;

	buf_init(&path, BUF_MAX_INTERNAL);
	lock_path(&path, dir, UIDLIST_LOCK);
	for (;;) {
		fd = open(buf_cstr(&path),
		    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
		/* A lock left by a crash: Dovecot takes a lock file not
		 * touched for its stale timeout as dead; so do we. */
		if (stat(buf_cstr(&path), &st) == 0 &&
		    st.st_mtime + UIDLIST_STALE_LOCK < time(NULL)) {
			(void)unlink(buf_cstr(&path));
			continue;
		}
		if (time(NULL) - start >= wait_s) {
			errno = EWOULDBLOCK;
			break;
		}
		usleep(50 * 1000);
	}
	if (fd < 0)
		store_err(err, "lock %s: %m", buf_cstr(&path));
	buf_deinit(&path);
	return fd;
}

/* Whether the lock file at path is still the one open at fd (another
 * process may have removed it as stale and taken the lock). */
static int
lock_is_ours(const char *path, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void
uidlist_unlock(const char *dir, int lock_fd)
{
	struct buf path;

	if (lock_fd < 0)
		return;
	buf_init(&path, BUF_MAX_INTERNAL);
	lock_path(&path, dir, UIDLIST_LOCK);
	if (lock_is_ours(buf_cstr(&path), lock_fd))
		(void)unlink(buf_cstr(&path));
	close(lock_fd);
	buf_deinit(&path);
}

int
uidlist_commit(const char *dir, int lock_fd, const struct uidlist *ul,
    struct buf *err)
{
	struct buf text, lock, list;
	int ret = -1;

	buf_init(&text, UIDLIST_MAX_SIZE);
	buf_init(&lock, BUF_MAX_INTERNAL);
	buf_init(&list, BUF_MAX_INTERNAL);
	lock_path(&lock, dir, UIDLIST_LOCK);
	lock_path(&list, dir, UIDLIST_FILE);
	if (uidlist_format(ul, &text) < 0) {
		store_err(err, "%s: list too large or without UIDVALIDITY",
		    buf_cstr(&list));
		goto fail;
	}
	if (ftruncate(lock_fd, 0) < 0 || lseek(lock_fd, 0, SEEK_SET) < 0 ||
	    fd_write_all(lock_fd, buf_cstr(&text), buf_len(&text)) < 0) {
		store_err(err, "write %s: %m", buf_cstr(&lock));
		goto fail;
	}
	/* The data is durable before it gets the name readers look for. */
	if (fsync(lock_fd) < 0) {
		store_err(err, "fsync %s: %m", buf_cstr(&lock));
		goto fail;
	}
	if (!lock_is_ours(buf_cstr(&lock), lock_fd)) {
		store_err(err, "%s: lock taken over as stale", buf_cstr(&lock));
		close(lock_fd);
		goto out;
	}
	if (rename(buf_cstr(&lock), buf_cstr(&list)) < 0) {
		store_err(err, "rename %s: %m", buf_cstr(&lock));
		goto fail;
	}
	close(lock_fd);
	if (dir_fsync(dir) < 0)
		store_err(err, "fsync %s: %m", dir);
	else
		ret = 0;
	goto out;
fail:
	uidlist_unlock(dir, lock_fd);
out:
	buf_deinit(&text);
	buf_deinit(&lock);
	buf_deinit(&list);
	return ret;
}

uint32_t
uidlist_append(struct uidlist *ul, const char *base, off_t vsize)
{
	struct uidlist_rec *r;

	if (ul->nextuid == 0 || ul->nextuid == UINT32_MAX)
		return 0;
	r = rec_new(ul);
	r->uid = ul->nextuid++;
	r->base = xstrdup(base);
	r->vsize = vsize;
	if (ul->index != NULL)
		htable_enter(ul->index, r->base, (void *)(uintptr_t)ul->count);
	return r->uid;
}

const struct uidlist_rec *
uidlist_find(struct uidlist *ul, const char *base)
{
	void *v;
	size_t i;

	if (ul->index == NULL) {
		ul->index = htable_create();
		/* Values are positions plus one: NULL means "not there". */
		for (i = 0; i < ul->count; i++)
			htable_enter(ul->index, ul->recs[i].base,
			    (void *)(uintptr_t)(i + 1));
	}
	if ((v = htable_find(ul->index, base)) == NULL)
		return NULL;
	return &ul->recs[(uintptr_t)v - 1];
}

void
uidlist_retain(struct uidlist *ul, int (*keep)(void *ctx, const char *base),
    void *ctx)
{
	size_t i, n = 0;

	for (i = 0; i < ul->count; i++) {
		if (keep(ctx, ul->recs[i].base))
			ul->recs[n++] = ul->recs[i];
		else {
			xfree(ul->recs[i].base);
			xfree(ul->recs[i].ext);
		}
	}
	if (n != ul->count)
		index_drop(ul);
	ul->count = n;
}

void
uidlist_reset(struct uidlist *ul, uint32_t old_uidvalidity)
{
	char guid[33];
	uint32_t v = (uint32_t)time(NULL);

	memcpy(guid, ul->guid, sizeof(guid));
	uidlist_free(ul);
	/* Above the old value even when the clock went back; past 2^32-1
	 * there is nothing above, and 1 is the least bad. */
	if (old_uidvalidity != 0 && v <= old_uidvalidity)
		v = old_uidvalidity == UINT32_MAX ? 1 : old_uidvalidity + 1;
	ul->uidvalidity = v;
	ul->nextuid = 1;
	if (is_hex32(guid, strnlen(guid, sizeof(guid))))
		memcpy(ul->guid, guid, sizeof(guid));
}

/* The UID after the last record of the list open at fd (of size bytes),
 * from its header's N and its last line: 0 when the list does not end
 * in a whole record line (it is left to a writer that reads it all). */
static uint32_t
next_after_tail(int fd, off_t size)
{
	char tail[UIDLIST_TAIL];
	struct uidlist ul;
	const char *line, *nl;
	off_t off = size > (off_t)sizeof(tail) ? size - (off_t)sizeof(tail) : 0;
	ssize_t n;
	uint32_t next;

	n = pread(fd, tail, sizeof(tail), off);
	if (n <= 0 || tail[n - 1] != '\n')
		return 0;
	/* The header, for N. */
	memset(&ul, 0, sizeof(ul));
	{
		char head[512];
		ssize_t h = pread(fd, head, sizeof(head), 0);
		const char *e = h > 0 ? memchr(head, '\n', (size_t)h) : NULL;

		if (e == NULL || parse_header(&ul, head, e, NULL) < 0) {
			uidlist_free(&ul);
			return 0;
		}
	}
	next = ul.nextuid;
	uidlist_free(&ul);
	/* The last line: "<uid> ... :<base>". */
	for (line = tail + n - 1; line > tail && line[-1] != '\n'; line--)
		;
	nl = tail + n - 1;
	if (line == tail && off > 0)
		return 0; /* a line longer than the tail */
	if (line > tail || off > 0) {
		uint64_t uid;
		const char *sp = memchr(line, ' ', (size_t)(nl - line));

		if (sp == NULL || parse_num(line, sp, UINT32_MAX - 1, &uid) < 0)
			return 0;
		if (uid >= next)
			next = (uint32_t)uid + 1;
	}
	return next;
}

int
uidlist_add_delivered(const char *dir, const char *base, struct buf *err)
{
	struct buf path, line;
	struct stat st;
	uint32_t uid;
	int lock, fd = -1, ret = 0;

	buf_init(&path, BUF_MAX_INTERNAL);
	buf_init(&line, BUF_MAX_INTERNAL);
	lock_path(&path, dir, UIDLIST_FILE);
	if (access(buf_cstr(&path), F_OK) < 0) {
		buf_deinit(&path);
		buf_deinit(&line);
		return 0; /* no list yet: the first open numbers */
	}
	if ((lock = lock_wait(dir, UIDLIST_DELIVERY_WAIT, err)) < 0) {
		buf_deinit(&path);
		buf_deinit(&line);
		return -1;
	}
	fd = open(buf_cstr(&path), O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = store_err(err, "open %s: %m", buf_cstr(&path));
		goto out;
	}
	if ((uid = next_after_tail(fd, st.st_size)) == 0 ||
	    uid >= UINT32_MAX - 1)
		goto out; /* left to the next open */
	buf_printf(&line, "%u :%s\n", uid, base);
	/* Durable before the lock goes: a UID a reader saw must never be
	 * given again (RFC 9051 2.3.1.1). A failed write leaves at worst
	 * a cut line, which readers take as damage and rebuild. */
	if (fd_write_all(fd, buf_cstr(&line), buf_len(&line)) < 0 ||
	    fdatasync(fd) < 0)
		ret = store_err(err, "write %s: %m", buf_cstr(&path));
out:
	if (fd >= 0)
		close(fd);
	uidlist_unlock(dir, lock);
	buf_deinit(&path);
	buf_deinit(&line);
	return ret;
}
