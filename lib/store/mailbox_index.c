/* SPDX-License-Identifier: MIT */
/* mailbox_index - a folder's view kept on disk, so that a folder that has
 * not changed since the last look opens without reading cur/ (10,000
 * names are 10,000 directory entries, allocations and table insertions)
 * or parsing dovecot-uidlist: the file is read in one go and is already
 * in UID order.
 *
 * The file is tern-index in the folder's directory (Dovecot ignores it):
 *
 *     TERNINDEX 1 <sum: 8 hex> <length>\n
 *     <uidvalidity> <nextuid> <count> <cur/ mtime> <new/ mtime>
 *         <list dev> <list ino> <list size> <list mtime>\n
 *     <uid> <size> <vsize> <file name in cur/>\n     (count lines)
 *
 * with mtimes as <seconds>.<nanoseconds>, -1 for a size not known, the
 * records in ascending UID order, and length and sum (util/checksum.h) taken over
 * everything after the first line.
 *
 * Why an equal stamp means an equal folder: the view is made from cur/
 * (names and flags), new/ (empty: nothing was moved at that look) and the
 * list (UIDs, sizes). Any change to the names in a directory moves its
 * mtime, and the list is either replaced (a new inode) or appended to in
 * place (a new size). The index is only written by a look whose mtimes
 * were all behind the clock file times come from when it stat'ed them
 * (mbx_settled): a change after that look gets a later mtime, never the
 * same one. Stat'ing the three again and finding them exactly as written
 * therefore finds the folder as it was. New/ is stat'ed before anything
 * is moved out of it, so that a delivery during a look is not covered by
 * its stamp.
 *
 * Writing: the whole file into the folder's tmp/tern-index.<pid> (out of
 * every reader's way; a crash's leftover there is overwritten by the next
 * writer of that pid, or swept with tmp/'s old files at a close,
 * maildir_sweep_tmp, as Dovecot sweeps them), renamed
 * over the old one; not fsync'ed. A torn or stale file fails its length, its sum or
 * its stamp and is simply not used: the folder is scanned as without an
 * index, and a settled scan writes a new one. Nothing in it is trusted
 * beyond what a scan would have found: names with '/' or control
 * characters, UIDs out of order or not below nextuid make it unusable. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/mailbox.h"
#include "store/mailbox_impl.h"
#include "util/buf.h"
#include "util/checksum.h"
#include "util/fdio.h"
#include "util/hex.h"
#include "util/mem.h"

#define INDEX_MAGIC "TERNINDEX 1 "
/* A larger index (some 200,000 messages) is neither written nor read. */
#define INDEX_MAX ((size_t)32 * 1024 * 1024)
/* The coarse clock's tick is at most 10 ms (HZ=100); a margin over it. */
#define SETTLE_NS 20000000L

int
mbx_settled(const struct timespec *m, const struct timespec *t0)
{
	long long d;

	if (m->tv_nsec == 0) /* whole seconds, most likely */
		return t0->tv_sec > m->tv_sec + 1;
	d = (long long)(t0->tv_sec - m->tv_sec) * 1000000000LL +
	    (t0->tv_nsec - m->tv_nsec);
	return d > SETTLE_NS;
}

int
mbx_same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* An unsigned decimal at *p, then sep; *p moves past both. */
static int
read_num(const char **p, const char *end, char sep, unsigned long long *v)
{
	const char *s = *p;
	unsigned long long x = 0;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (unsigned long long)(*s++ - '0');
	}
	if (s >= end || *s != sep)
		return -1;
	*p = s + 1;
	*v = x;
	return 0;
}

/* A size: a decimal, or -1. */
static int
read_size(const char **p, const char *end, off_t *v)
{
	unsigned long long x;

	if (end - *p >= 3 && memcmp(*p, "-1 ", 3) == 0) {
		*p += 3;
		*v = -1;
		return 0;
	}
	if (read_num(p, end, ' ', &x) < 0 || x > (unsigned long long)INT64_MAX)
		return -1;
	*v = (off_t)x;
	return 0;
}

static int
read_time(const char **p, const char *end, char sep, struct timespec *ts)
{
	unsigned long long s, ns;

	if (read_num(p, end, '.', &s) < 0 || read_num(p, end, sep, &ns) < 0 ||
	    ns >= 1000000000ULL || s > (unsigned long long)INT64_MAX)
		return -1;
	ts->tv_sec = (time_t)s;
	ts->tv_nsec = (long)ns;
	return 0;
}

/* The whole file, or NULL. */
static char *
slurp(const char *path, size_t *len_r)
{
	struct stat st;
	size_t got = 0;
	char *text;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (size_t)st.st_size > INDEX_MAX) {
		close(fd);
		return NULL;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		xfree(text);
		return NULL;
	}
	text[got] = 0;
	*len_r = got;
	return text;
}

static int
take_stamp(const char *path, struct mbx_stamp *st)
{
	struct buf b;
	int ret;

	buf_init(&b, BUF_MAX_INTERNAL);
	ret = stat(mbx_sub_path(&b, path, "new"), &st->new) == 0 &&
		stat(mbx_sub_path(&b, path, "cur"), &st->cur) == 0 &&
		stat(mbx_sub_path(&b, path, UIDLIST_FILE), &st->ul) == 0
	    ? 0
	    : -1;
	buf_deinit(&b);
	return ret;
}

/* The records of the index body at p into mb->msgs. */
static int
parse_records(struct mailbox *mb, const char *p, const char *end,
    unsigned long long count, unsigned long long nextuid)
{
	unsigned long long uid, last = 0;
	const char *nl;

	/* The view grows with the records that parse: a count in a damaged
	 * file costs nothing up front. */
	for (; count > 0; count--) {
		struct mailbox_msg *m;
		off_t size, vsize;
		const char *s;
		char *name;

		if (read_num(&p, end, ' ', &uid) < 0 || uid <= last ||
		    uid >= nextuid || read_size(&p, end, &size) < 0 ||
		    read_size(&p, end, &vsize) < 0 ||
		    (nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    nl == p || *p == '.')
			return -1;
		for (s = p; s < nl; s++)
			if ((unsigned char)*s < 0x20 || *s == '/' || *s == 0x7f)
				return -1;
		if (vsize < 0 && !(mb->flags & MAILBOX_LAZY_VSIZE))
			return -1; /* POP3 needs every size */
		m = mbx_msg_new(mb);
		name = xmalloc((size_t)(nl - p) + 5);
		memcpy(name, "cur/", 4);
		memcpy(name + 4, p, (size_t)(nl - p));
		name[nl - p + 4] = 0;
		m->name = name;
		m->base = xstrndup(name + 4, strcspn(name + 4, ":"));
		m->uid = (uint32_t)uid;
		m->size = size;
		m->vsize = vsize;
		last = uid;
		p = nl + 1;
	}
	mb->max_uid = (uint32_t)last;
	return p == end ? 0 : -1;
}

int
mbx_index_parse(struct mailbox *mb, const char *text, size_t text_len,
    const struct mbx_stamp *st)
{
	unsigned long long sum, len, uidvalidity, nextuid, count, dev, ino,
	    size;
	struct timespec cur, new, ul;
	const char *p = text, *end = text + text_len, *body;
	size_t i;

	if (text_len < strlen(INDEX_MAGIC) + 10 ||
	    memcmp(p, INDEX_MAGIC, strlen(INDEX_MAGIC)) != 0)
		return 0;
	p += strlen(INDEX_MAGIC);
	for (sum = 0, i = 0; i < 8; i++, p++) {
		int v = p < end ? hex_value((unsigned char)*p) : -1;

		if (v < 0)
			return 0;
		sum = sum << 4 | (unsigned)v;
	}
	if (p >= end || *p++ != ' ' || read_num(&p, end, '\n', &len) < 0 ||
	    len != (unsigned long long)(end - p) ||
	    checksum32(p, (size_t)len) != (uint32_t)sum)
		return 0;
	body = p;
	if (read_num(&p, end, ' ', &uidvalidity) < 0 ||
	    read_num(&p, end, ' ', &nextuid) < 0 ||
	    read_num(&p, end, ' ', &count) < 0 ||
	    read_time(&p, end, ' ', &cur) < 0 ||
	    read_time(&p, end, ' ', &new) < 0 ||
	    read_num(&p, end, ' ', &dev) < 0 ||
	    read_num(&p, end, ' ', &ino) < 0 ||
	    read_num(&p, end, ' ', &size) < 0 ||
	    read_time(&p, end, '\n', &ul) < 0)
		return 0;
	if (uidvalidity == 0 || uidvalidity > UINT32_MAX || nextuid == 0 ||
	    nextuid > (unsigned long long)UINT32_MAX + 1 ||
	    count > (unsigned long long)(end - body) / 8)
		return 0;
	/* The stamp: the folder as it was when the index was written. */
	if (st != NULL &&
	    (!mbx_same_time(&cur, &st->cur.st_mtim) ||
		!mbx_same_time(&new, &st->new.st_mtim) ||
		!mbx_same_time(&ul, &st->ul.st_mtim) ||
		dev != (unsigned long long)st->ul.st_dev ||
		ino != (unsigned long long)st->ul.st_ino ||
		size != (unsigned long long)st->ul.st_size))
		return 0;
	if (parse_records(mb, p, end, count, nextuid) < 0) {
		for (i = 0; i < mb->count; i++)
			mbx_msg_free(&mb->msgs[i]);
		xfree(mb->msgs);
		mb->msgs = NULL;
		mb->count = mb->cap = 0;
		mb->max_uid = 0;
		return 0;
	}
	mb->ul.uidvalidity = (uint32_t)uidvalidity;
	mb->ul.nextuid = nextuid > UINT32_MAX ? UINT32_MAX : (uint32_t)nextuid;
	mb->cur_mtime = cur;
	mb->new_mtime = new;
	/* Settled when written, unchanged since. */
	mb->scan_settled = 1;
	return 1;
}

int
mbx_index_load(struct mailbox *mb)
{
	struct mbx_stamp st;
	struct buf b;
	size_t text_len;
	char *text;
	int ret;

	if (take_stamp(mb->path, &st) < 0)
		return 0;
	buf_init(&b, BUF_MAX_INTERNAL);
	text = slurp(mbx_sub_path(&b, mb->path, MBX_INDEX_FILE), &text_len);
	buf_deinit(&b);
	if (text == NULL)
		return 0;
	ret = mbx_index_parse(mb, text, text_len, &st);
	xfree(text);
	return ret;
}

void
mbx_index_save(struct mailbox *mb)
{
	struct buf body, head, tmp, path;
	size_t i;
	int fd, ok;

	if (!mb->index_ok)
		return;
	buf_init(&body, INDEX_MAX);
	buf_init(&head, 128);
	buf_init(&tmp, BUF_MAX_INTERNAL);
	buf_init(&path, BUF_MAX_INTERNAL);
	ok = buf_printf(&body,
		 "%" PRIu32 " %" PRIu32 " %zu %lld.%09ld %lld.%09ld %llu %llu "
		 "%lld %lld.%09ld\n",
		 mb->ul.uidvalidity, mailbox_uidnext(mb), mb->count,
		 (long long)mb->cur_mtime.tv_sec, mb->cur_mtime.tv_nsec,
		 (long long)mb->new_mtime.tv_sec, mb->new_mtime.tv_nsec,
		 (unsigned long long)mb->ul_st.st_dev,
		 (unsigned long long)mb->ul_st.st_ino,
		 (long long)mb->ul_st.st_size,
		 (long long)mb->ul_st.st_mtim.tv_sec,
		 mb->ul_st.st_mtim.tv_nsec) == 0;
	for (i = 0; ok && i < mb->count; i++) {
		const struct mailbox_msg *m = &mb->msgs[i];

		if (strncmp(m->name, "cur/", 4) != 0 ||
		    strchr(m->name, '\n') != NULL) {
			ok = 0;
			break;
		}
		ok = buf_printf(&body, "%" PRIu32 " %lld %lld %s\n", m->uid,
			 (long long)m->size, (long long)m->vsize,
			 m->name + 4) == 0;
	}
	if (ok)
		ok = buf_printf(&head, "%s%08" PRIx32 " %zu\n", INDEX_MAGIC,
			 checksum32(body.data, body.len), body.len) == 0 &&
		    buf_printf(&tmp, "%s/tmp/%s.%ld", mb->path, MBX_INDEX_FILE,
			(long)getpid()) == 0;
	if (ok &&
	    (fd = open(tmp.data,
		 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		 0600)) >= 0) {
		ok = fd_write_all(fd, head.data, head.len) == 0 &&
		    fd_write_all(fd, body.data, body.len) == 0;
		ok = close(fd) == 0 && ok;
		if (!ok ||
		    rename(tmp.data,
			mbx_sub_path(&path, mb->path, MBX_INDEX_FILE)) < 0)
			(void)unlink(tmp.data);
	}
	buf_deinit(&body);
	buf_deinit(&head);
	buf_deinit(&tmp);
	buf_deinit(&path);
}
