/* SPDX-License-Identifier: MIT */
/* qfile_write - the queue file writer: records appended to a temp file,
 * committed durably under the queue ID. See qfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "queue/qfile.h"
#include "queue/qfile_impl.h"
#include "queue/qid.h"
#include "queue/rec.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/log.h"
#include "util/mem.h"

enum writer_state {
	W_OPEN,      /* temp name, not committed */
	W_RENAMED,   /* final name, directory fsync not done */
	W_COMMITTED, /* durable under its final name */
};

struct qfile_writer {
	int dirfd; /* <queue_dir>/incoming */
	int fd;
	char tmp_name[64];
	char id[QID_SIZE];
	struct rec_writer *rw;
	struct buf chunk;   /* content not yet in a record */
	struct buf scratch; /* record data being encoded */
	off_t size;
	size_t nrcpt;
	int have_time, have_sender, in_content;
	enum writer_state state;
	int failed;
	char error[512];
};

/* --- writer --------------------------------------------------------- */

int
qfile_create(const char *queue_dir, struct qfile_writer **w_r,
    const char **error_r)
{
	static unsigned counter;
	struct qfile_writer *w;
	char dir[PATH_MAX];
	struct timeval tv;
	struct stat st;
	const char *err;
	int dirfd, fd, n;

	n = snprintf(dir, sizeof(dir), "%s/incoming", queue_dir);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return qfile_static_error(error_r,
		    "queue directory name too long");
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return qfile_static_error(error_r, "open %s: %m", dir);
	w = xmalloc(sizeof(*w));
	w->dirfd = dirfd;
	/* The temp name never has the shape of a queue ID (a lower-case
	 * 't'), so recovery can tell unfinished files apart. */
	do {
		gettimeofday(&tv, NULL);
		snprintf(w->tmp_name, sizeof(w->tmp_name), "t%ld.%lld.%06ld.%u",
		    (long)getpid(), (long long)tv.tv_sec, (long)tv.tv_usec,
		    counter++);
		fd = openat(dirfd, w->tmp_name,
		    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	} while (fd < 0 && errno == EEXIST);
	if (fd < 0) {
		qfile_static_error(error_r, "create %s/%s: %m", dir,
		    w->tmp_name);
		close(dirfd);
		xfree(w);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		qfile_static_error(error_r, "fstat %s/%s: %m", dir,
		    w->tmp_name);
		unlinkat(dirfd, w->tmp_name, 0);
		close(fd);
		close(dirfd);
		xfree(w);
		return -1;
	}
	w->fd = fd;
	qid_make(tv, st.st_ino, w->id);
	w->rw = rec_writer_create(fd, 0);
	buf_init(&w->chunk, QFILE_CHUNK);
	buf_init(&w->scratch, QFILE_MAX_ENV_REC);
	w->state = W_OPEN;
	if (buf_printf(&w->scratch, "%s%d.%d", QFILE_MAGIC, QFILE_VERSION_MAJOR,
		QFILE_VERSION_MINOR) < 0 ||
	    rec_put(w->rw, REC_TYPE_VERSION, w->scratch.data, w->scratch.len,
		&err) < 0)
		log_panic("qfile_create: cannot buffer the version record");
	*w_r = w;
	return 0;
}

const char *
qfile_writer_id(const struct qfile_writer *w)
{
	return w->id;
}

off_t
qfile_writer_size(const struct qfile_writer *w)
{
	return w->size;
}

const char *
qfile_writer_error(const struct qfile_writer *w)
{
	return w->failed ? w->error : NULL;
}

static int __attribute__((format(printf, 2, 3)))
writer_error(struct qfile_writer *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->error, sizeof(w->error), fmt, ap);
	va_end(ap);
	w->failed = 1;
	return -1;
}

static int
writer_put(struct qfile_writer *w, int type, const void *p, size_t n)
{
	const char *err;

	if (rec_put(w->rw, type, p, n, &err) < 0)
		return writer_error(w, "%s", err);
	return 0;
}

/* Checks shared by all envelope puts. */
static int
envelope_ok(struct qfile_writer *w)
{
	if (w->failed)
		return 0;
	if (w->state != W_OPEN) {
		writer_error(w, "queue file already committed");
		return 0;
	}
	if (w->in_content) {
		writer_error(w, "envelope record after message content");
		return 0;
	}
	return 1;
}

int
qfile_put_time(struct qfile_writer *w, struct timeval arrival)
{
	unsigned char d[12];
	uint64_t sec = (uint64_t)arrival.tv_sec;
	uint32_t usec = (uint32_t)arrival.tv_usec;
	int i;

	if (!envelope_ok(w))
		return -1;
	if (w->have_time)
		return writer_error(w, "arrival time given twice");
	if (arrival.tv_usec < 0 || arrival.tv_usec >= 1000000 ||
	    arrival.tv_sec < 0)
		return writer_error(w, "bad arrival time");
	for (i = 0; i < 8; i++)
		d[i] = (unsigned char)(sec >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		d[8 + i] = (unsigned char)(usec >> (24 - 8 * i));
	w->have_time = 1;
	return writer_put(w, REC_TYPE_TIME, d, sizeof(d));
}

int
qfile_put_sender(struct qfile_writer *w, const char *sender)
{
	size_t n = strlen(sender);

	if (!envelope_ok(w))
		return -1;
	if (w->have_sender)
		return writer_error(w, "sender given twice");
	if (n > QFILE_MAX_ENV_REC)
		return writer_error(w, "sender address too long");
	w->have_sender = 1;
	return writer_put(w, REC_TYPE_FROM, sender, n);
}

/* Encode <varint len a><a><b> into w->scratch. */
static int
encode_pair(struct qfile_writer *w, const char *a, const char *b)
{
	unsigned char v[REC_LEN_MAX_BYTES];
	size_t alen = strlen(a), vlen = rec_len_encode(alen, v);

	buf_reset(&w->scratch);
	if (buf_append(&w->scratch, v, vlen) < 0 ||
	    buf_append(&w->scratch, a, alen) < 0 ||
	    buf_puts(&w->scratch, b) < 0)
		return -1;
	return 0;
}

int
qfile_put_attr(struct qfile_writer *w, const char *name, const char *value)
{
	if (!envelope_ok(w))
		return -1;
	if (name[0] == 0 || strchr(name, '=') != NULL)
		return writer_error(w, "bad attribute name");
	if (encode_pair(w, name, value) < 0)
		return writer_error(w, "attribute %s too long", log_str(name));
	return writer_put(w, REC_TYPE_ATTR, w->scratch.data, w->scratch.len);
}

int
qfile_put_rcpt(struct qfile_writer *w, const char *final, const char *orig)
{
	if (!envelope_ok(w))
		return -1;
	if (w->nrcpt >= QFILE_MAX_RCPT)
		return writer_error(w, "too many recipients");
	if (encode_pair(w, final, orig != NULL ? orig : "") < 0)
		return writer_error(w, "recipient address too long");
	w->nrcpt++;
	return writer_put(w, REC_TYPE_RCPT, w->scratch.data, w->scratch.len);
}

int
qfile_put_rcpt_dsn(struct qfile_writer *w, const char *final, const char *orig,
    int notify, const char *orcpt)
{
	char mask[16];

	if (notify == 0 && (orcpt == NULL || *orcpt == 0))
		return qfile_put_rcpt(w, final, orig);
	if (!envelope_ok(w))
		return -1;
	snprintf(mask, sizeof(mask), "%d", notify);
	if (encode_pair(w, mask, orcpt != NULL ? orcpt : "") < 0)
		return writer_error(w, "ORCPT too long");
	if (writer_put(w, REC_TYPE_DSN, w->scratch.data, w->scratch.len) < 0)
		return -1;
	return qfile_put_rcpt(w, final, orig);
}

int
qfile_put_warn(struct qfile_writer *w)
{
	if (!envelope_ok(w))
		return -1;
	return writer_put(w, REC_TYPE_WARN, "0", 1);
}

/* Turn the pending content into one record. */
static int
flush_chunk(struct qfile_writer *w)
{
	int ret;

	if (w->chunk.len == 0)
		return 0;
	ret = writer_put(w, REC_TYPE_CONT, w->chunk.data, w->chunk.len);
	buf_reset(&w->chunk);
	return ret;
}

int
qfile_put_content(struct qfile_writer *w, const void *p, size_t n)
{
	const char *s = p;

	if (w->failed)
		return -1;
	if (w->state != W_OPEN)
		return writer_error(w, "queue file already committed");
	if (__builtin_add_overflow(w->size, (off_t)n, &w->size))
		return writer_error(w, "message content too large");
	w->in_content = 1;
	while (n > 0) {
		size_t room = QFILE_CHUNK - w->chunk.len;
		size_t take = n < room ? n : room;

		/* Cannot fail: take fits in the chunk's maximum. */
		buf_append(&w->chunk, s, take);
		s += take;
		n -= take;
		if (w->chunk.len == QFILE_CHUNK && flush_chunk(w) < 0)
			return -1;
	}
	return 0;
}

int
qfile_commit(struct qfile_writer *w, const char **error_r)
{
	const char *err;

	if (w->failed) {
		*error_r = w->error;
		return -1;
	}
	if (w->state != W_OPEN) {
		writer_error(w, "queue file already committed");
		*error_r = w->error;
		return -1;
	}
	if (!w->have_time || !w->have_sender || w->nrcpt == 0) {
		writer_error(w, "queue file without %s",
		    !w->have_time         ? "arrival time"
			: !w->have_sender ? "sender"
					  : "recipients");
		*error_r = w->error;
		return -1;
	}
	if (flush_chunk(w) < 0 || writer_put(w, REC_TYPE_END, "", 0) < 0) {
		*error_r = w->error;
		return -1;
	}
	if (rec_flush(w->rw, &err) < 0) {
		writer_error(w, "%s", err);
		*error_r = w->error;
		return -1;
	}
	/* The data is durable before the name that recovery looks for. */
	if (fsync(w->fd) < 0) {
		writer_error(w, "fsync queue file %s: %m", w->id);
		*error_r = w->error;
		return -1;
	}
	if (renameat(w->dirfd, w->tmp_name, w->dirfd, w->id) < 0) {
		writer_error(w, "rename queue file to %s: %m", w->id);
		*error_r = w->error;
		return -1;
	}
	w->state = W_RENAMED;
	/* A file's fsync does not make its new name durable. Sessions that
	 * finish together share one directory fsync (group commit). */
	if (dirsync(w->dirfd, &err) < 0) {
		writer_error(w, "fsync incoming directory for %s: %s", w->id,
		    err);
		*error_r = w->error;
		return -1;
	}
	w->state = W_COMMITTED;
	close(w->fd);
	w->fd = -1;
	return 0;
}

void
qfile_abort(struct qfile_writer **wp)
{
	struct qfile_writer *w = *wp;

	if (w == NULL)
		return;
	if (w->state == W_OPEN)
		unlinkat(w->dirfd, w->tmp_name, 0);
	else if (w->state == W_RENAMED)
		unlinkat(w->dirfd, w->id, 0);
	if (w->fd >= 0)
		close(w->fd);
	close(w->dirfd);
	rec_writer_destroy(&w->rw);
	buf_deinit(&w->chunk);
	buf_deinit(&w->scratch);
	xfree(w);
	*wp = NULL;
}

void
qfile_writer_destroy(struct qfile_writer **wp)
{
	qfile_abort(wp);
}
