/* SPDX-License-Identifier: MIT */
/* qfile - queue files: writer, reader, content iterator, queue directories. */
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
#include "queue/qid.h"
#include "queue/rec.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/log.h"
#include "util/mem.h"

#define QFILE_MAGIC "tern-queue "

const char *const qfile_queue_names[] = { "incoming", "active", "deferred",
	"hold", "corrupt", "maildrop", NULL };

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

struct qfile_content {
	int fd; /* our dup */
	struct rec_reader *rr;
	struct buf data;
	int in_content, ended;
	char error[512];
};

/* Error text of the functions that have no object to own it. */
static char qfile_errbuf[1024];

static int __attribute__((format(printf, 2, 3)))
static_error(const char **error_r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(qfile_errbuf, sizeof(qfile_errbuf), fmt, ap);
	va_end(ap);
	*error_r = qfile_errbuf;
	return -1;
}

int
qfile_is_id(const char *name)
{
	return qid_valid(name);
}

int
qfile_is_temp(const char *name)
{
	size_t i;

	if (name[0] != 't' || name[1] == 0)
		return 0;
	for (i = 1; name[i] != 0; i++)
		if ((name[i] < '0' || name[i] > '9') && name[i] != '.')
			return 0;
	return 1;
}

static int
is_queue_name(const char *name)
{
	size_t i;

	for (i = 0; qfile_queue_names[i] != NULL; i++)
		if (strcmp(qfile_queue_names[i], name) == 0)
			return 1;
	return 0;
}

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
		return static_error(error_r, "queue directory name too long");
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return static_error(error_r, "open %s: %m", dir);
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
		static_error(error_r, "create %s/%s: %m", dir, w->tmp_name);
		close(dirfd);
		xfree(w);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		static_error(error_r, "fstat %s/%s: %m", dir, w->tmp_name);
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

/* --- reader --------------------------------------------------------- */

/* Parse "tern-queue <major>.<minor>". Returns 0 or -1 (static text). */
static int
check_version(const struct buf *d, const char **error_r)
{
	const char *p = d->data, *end = d->data + d->len;
	unsigned long major = 0;
	int digits = 0;

	if (d->len < sizeof(QFILE_MAGIC) - 1 ||
	    memcmp(p, QFILE_MAGIC, sizeof(QFILE_MAGIC) - 1) != 0) {
		*error_r = "not a Tern queue file (bad magic)";
		return -1;
	}
	for (p += sizeof(QFILE_MAGIC) - 1; p < end && *p >= '0' && *p <= '9';
	     p++) {
		if (++digits > 4) {
			*error_r = "bad queue file version";
			return -1;
		}
		major = major * 10 + (unsigned long)(*p - '0');
	}
	if (digits == 0 || p == end || *p != '.' || ++p == end) {
		*error_r = "bad queue file version";
		return -1;
	}
	for (; p < end; p++) {
		if (*p < '0' || *p > '9') {
			*error_r = "bad queue file version";
			return -1;
		}
	}
	if (major != QFILE_VERSION_MAJOR) {
		*error_r = "unsupported queue file major version";
		return -1;
	}
	return 0;
}

/* Split <varint len a><a><b> into two new C strings. Returns 0, or -1 with
 * *error_r set (static text). */
static int
decode_pair(const struct buf *d, char **a_r, char **b_r, const char **error_r)
{
	const unsigned char *p = (const unsigned char *)d->data;
	uint64_t alen;
	size_t used;
	int ret;

	ret = rec_len_decode(p, d->len, &alen, &used, error_r);
	if (ret == 0)
		*error_r = "record field length cut short";
	if (ret <= 0)
		return -1;
	if (alen > d->len - used) {
		*error_r = "record field longer than its record";
		return -1;
	}
	if (memchr(p + used, 0, d->len - used) != NULL) {
		*error_r = "NUL byte in a record field";
		return -1;
	}
	*a_r = xstrndup(d->data + used, (size_t)alen);
	*b_r = xstrndup(d->data + used + alen, d->len - used - (size_t)alen);
	return 0;
}

static int
parse_time(const struct buf *d, struct timeval *tv, const char **error_r)
{
	const unsigned char *p = (const unsigned char *)d->data;
	uint64_t sec = 0;
	uint32_t usec = 0;
	int i;

	if (d->len != 12) {
		*error_r = "bad arrival time record";
		return -1;
	}
	for (i = 0; i < 8; i++)
		sec = sec << 8 | p[i];
	for (i = 8; i < 12; i++)
		usec = usec << 8 | p[i];
	if (sec > (uint64_t)INT64_MAX || usec >= 1000000) {
		*error_r = "bad arrival time record";
		return -1;
	}
	tv->tv_sec = (time_t)sec;
	tv->tv_usec = (suseconds_t)usec;
	return 0;
}

static int
is_extension(int type)
{
	return type >= 'a' && type <= 'z';
}

/* Read and check the VERSION record at the start of the file. */
static int
read_version(struct rec_reader *rr, struct buf *d, const char **error_r)
{
	int type = rec_get(rr, d, QFILE_MAX_ENV_REC, NULL, error_r);

	if (type == REC_ERROR)
		return -1;
	if (type != REC_TYPE_VERSION) {
		*error_r = type == REC_EOF
		    ? "empty queue file"
		    : "first record is not a version record";
		return -1;
	}
	return check_version(d, error_r);
}

/* A DSN record waiting for its recipient record. */
struct pending_dsn {
	int set;
	int notify;
	char *orcpt;
};

/* The DSN record's fields: the NOTIFY mask in decimal, the ORCPT. */
static int
parse_dsn(const struct buf *d, struct pending_dsn *p, const char **error_r)
{
	char *mask, *end;
	long v;

	if (decode_pair(d, &mask, &p->orcpt, error_r) < 0)
		return -1;
	/* mail/dsn_param.h's bits: SUCCESS 1, FAILURE 2, DELAY 4, NEVER 8
	 * (alone). */
	v = strtol(mask, &end, 10);
	if (*mask == 0 || *end != 0 || v < 0 || v > 15 || ((v & 8) && v != 8) ||
	    (*p->orcpt != 0 && strchr(p->orcpt, ';') == NULL)) {
		*error_r = "malformed DSN record";
		xfree(mask);
		return -1;
	}
	xfree(mask);
	p->notify = (int)v;
	p->set = 1;
	return 0;
}

/* The envelope and content pass of qfile_open. */
static int
parse_records(struct qfile *q, struct rec_reader *rr, struct buf *d,
    struct pending_dsn *pend, const char **error_r)
{
	int have_time = 0, have_from = 0, in_content = 0, type;
	size_t cap_rcpt = 0, cap_attr = 0;
	off_t off;

	if (read_version(rr, d, error_r) < 0)
		return -1;
	for (;;) {
		int want = !in_content;

		type = rec_get(rr, want ? d : NULL,
		    want ? QFILE_MAX_ENV_REC : QFILE_MAX_CONT_REC, &off,
		    error_r);
		if (type == REC_ERROR)
			return -1;
		if (type == REC_EOF) {
			*error_r = "incomplete queue file: no end record";
			return -1;
		}
		if (pend->set && type != REC_TYPE_RCPT &&
		    type != REC_TYPE_RCPT_DONE) {
			*error_r = "DSN record not before a recipient";
			return -1;
		}
		if ((type == REC_TYPE_DSN || type == REC_TYPE_WARN) &&
		    in_content) {
			*error_r = "envelope record after message content";
			return -1;
		}
		if (type == REC_TYPE_DSN) {
			if (parse_dsn(d, pend, error_r) < 0)
				return -1;
			continue;
		}
		if (type == REC_TYPE_WARN) {
			/* One byte, so its data is two bytes after the
			 * type byte (a one-byte length). */
			if (q->warn_offset >= 0 || d->len != 1 ||
			    (d->data[0] != '0' && d->data[0] != '1')) {
				*error_r = "malformed or repeated warning "
					   "record";
				return -1;
			}
			q->warn_offset = off + 2;
			q->warned = d->data[0] == '1';
			continue;
		}
		if (is_extension(type))
			continue;
		if (type == REC_TYPE_CONT || type == REC_TYPE_END) {
			if (!in_content) {
				if (!have_time || !have_from || q->nrcpt == 0) {
					*error_r = !have_time
					    ? "no arrival time record"
					    : !have_from
					    ? "no sender record"
					    : "no recipient records";
					return -1;
				}
				in_content = 1;
				q->content_offset = off;
			}
			if (type == REC_TYPE_END)
				break;
			q->content_size += (off_t)rec_reader_last_len(rr);
			continue;
		}
		if (in_content) {
			*error_r = "envelope record after message content";
			return -1;
		}
		switch (type) {
		case REC_TYPE_TIME:
			if (have_time++) {
				*error_r = "repeated arrival time record";
				return -1;
			}
			if (parse_time(d, &q->arrival, error_r) < 0)
				return -1;
			break;
		case REC_TYPE_FROM:
			if (have_from++) {
				*error_r = "repeated sender record";
				return -1;
			}
			if (memchr(d->data, 0, d->len) != NULL) {
				*error_r = "NUL byte in sender";
				return -1;
			}
			xfree(q->sender);
			q->sender = xstrndup(d->data, d->len);
			break;
		case REC_TYPE_ATTR: {
			struct qfile_attr *a;

			if (q->nattr >= QFILE_MAX_ATTR) {
				*error_r = "too many attribute records";
				return -1;
			}
			if (q->nattr == cap_attr) {
				cap_attr = cap_attr ? cap_attr * 2 : 8;
				q->attrs = xrealloc(q->attrs,
				    cap_attr * sizeof(*q->attrs));
			}
			a = &q->attrs[q->nattr];
			if (decode_pair(d, &a->name, &a->value, error_r) < 0)
				return -1;
			q->nattr++;
			if (a->name[0] == 0 || strchr(a->name, '=') != NULL) {
				*error_r = "bad attribute name";
				return -1;
			}
			break;
		}
		case REC_TYPE_RCPT:
		case REC_TYPE_RCPT_DONE: {
			struct qfile_rcpt *r;

			if (q->nrcpt >= QFILE_MAX_RCPT) {
				*error_r = "too many recipient records";
				return -1;
			}
			if (q->nrcpt == cap_rcpt) {
				cap_rcpt = cap_rcpt ? cap_rcpt * 2 : 8;
				q->rcpt = xrealloc(q->rcpt,
				    cap_rcpt * sizeof(*q->rcpt));
			}
			r = &q->rcpt[q->nrcpt];
			if (decode_pair(d, &r->addr, &r->orig, error_r) < 0)
				return -1;
			r->offset = off;
			r->done = type == REC_TYPE_RCPT_DONE;
			r->notify = pend->notify;
			r->orcpt =
			    pend->orcpt != NULL ? pend->orcpt : xstrdup("");
			pend->orcpt = NULL;
			pend->notify = pend->set = 0;
			q->nrcpt++;
			break;
		}
		case REC_TYPE_VERSION:
			*error_r = "repeated version record";
			return -1;
		default:
			*error_r = "unknown record type";
			return -1;
		}
	}
	type = rec_get(rr, NULL, QFILE_MAX_CONT_REC, NULL, error_r);
	if (type == REC_ERROR)
		return -1;
	if (type != REC_EOF) {
		*error_r = "data after the end record";
		return -1;
	}
	return 0;
}

static int
parse_file(struct qfile *q, struct rec_reader *rr, struct buf *d,
    const char **error_r)
{
	struct pending_dsn pend = { 0, 0, NULL };
	int ret;

	q->warn_offset = -1;
	ret = parse_records(q, rr, d, &pend, error_r);
	xfree(pend.orcpt);
	return ret;
}

int
qfile_open(const char *path, int writable, struct qfile **q_r,
    const char **error_r)
{
	struct rec_reader *rr;
	struct qfile *q;
	struct stat st;
	struct buf d;
	const char *err, *slash;
	int fd, ret;

	fd =
	    open(path, (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		/* A symbolic link (O_NOFOLLOW), a directory or a device never
		 * came from a writer; anything else (EMFILE, ENFILE, ENOMEM,
		 * EIO, a file moved away meanwhile) says nothing about the
		 * file itself. */
		ret = errno == ELOOP || errno == EISDIR || errno == ENXIO ||
			errno == ENODEV
		    ? QFILE_CORRUPT
		    : QFILE_TEMPFAIL;
		static_error(error_r, "open %s: %m", path);
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		static_error(error_r, "stat %s: %m", path);
		close(fd);
		return QFILE_TEMPFAIL;
	}
	if (!S_ISREG(st.st_mode)) {
		static_error(error_r, "%s: not a regular file", path);
		close(fd);
		return QFILE_CORRUPT;
	}
	q = xmalloc(sizeof(*q));
	q->fd = fd;
	q->writable = writable;
	q->path = xstrdup(path);
	slash = strrchr(q->path, '/');
	q->id = slash != NULL ? slash + 1 : q->path;
	q->sender = xstrdup("");
	rr = rec_reader_create(fd, 0);
	buf_init(&d, QFILE_MAX_ENV_REC);
	ret = parse_file(q, rr, &d, &err);
	/* err may point into rr: format it before rr goes away. */
	if (ret < 0) {
		static_error(error_r, "%s: %s", path, err);
		ret = rec_reader_read_errno(rr) != 0 ? QFILE_TEMPFAIL
						     : QFILE_CORRUPT;
	}
	buf_deinit(&d);
	rec_reader_destroy(&rr);
	if (ret < 0) {
		qfile_close(&q);
		return ret;
	}
	*q_r = q;
	return 0;
}

const char *
qfile_attr(const struct qfile *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->nattr; i++)
		if (strcmp(q->attrs[i].name, name) == 0)
			return q->attrs[i].value;
	return NULL;
}

static int __attribute__((format(printf, 3, 4)))
q_error(struct qfile *q, const char **error_r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->error, sizeof(q->error), fmt, ap);
	va_end(ap);
	*error_r = q->error;
	return -1;
}

static int
mark_done(struct qfile *q, size_t i, int sync, const char **error_r)
{
	unsigned char c;
	ssize_t n;

	if (!q->writable)
		return q_error(q, error_r, "%s: opened read-only", q->id);
	if (i >= q->nrcpt)
		return q_error(q, error_r, "%s: no recipient %zu", q->id, i);
	if (q->rcpt[i].done)
		return 0;
	do {
		n = pread(q->fd, &c, 1, q->rcpt[i].offset);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		return q_error(q, error_r, "%s: read recipient record: %s",
		    q->id, n < 0 ? strerror(errno) : "end of file");
	if (c != REC_TYPE_RCPT && c != REC_TYPE_RCPT_DONE)
		return q_error(q, error_r,
		    "%s: no recipient record at offset "
		    "%lld",
		    q->id, (long long)q->rcpt[i].offset);
	if (c == REC_TYPE_RCPT) {
		c = REC_TYPE_RCPT_DONE;
		do {
			n = pwrite(q->fd, &c, 1, q->rcpt[i].offset);
		} while (n < 0 && errno == EINTR);
		if (n != 1)
			return q_error(q, error_r,
			    "%s: mark recipient done: "
			    "%s",
			    q->id, n < 0 ? strerror(errno) : "no write");
		if (sync && fdatasync(q->fd) < 0)
			return q_error(q, error_r, "%s: fdatasync: %m", q->id);
	}
	q->rcpt[i].done = 1;
	return 0;
}

int
qfile_mark_done(struct qfile *q, size_t i, const char **error_r)
{
	return mark_done(q, i, 1, error_r);
}

int
qfile_mark_done_lazy(struct qfile *q, size_t i, const char **error_r)
{
	return mark_done(q, i, 0, error_r);
}

int
qfile_mark_warned(struct qfile *q, const char **error_r)
{
	const char one = '1';
	ssize_t n;

	if (!q->writable)
		return q_error(q, error_r, "%s: opened read-only", q->id);
	if (q->warn_offset < 0)
		return q_error(q, error_r, "%s: no warning record", q->id);
	if (q->warned)
		return 0;
	do {
		n = pwrite(q->fd, &one, 1, q->warn_offset);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		return q_error(q, error_r, "%s: mark warning sent: %s", q->id,
		    n < 0 ? strerror(errno) : "no write");
	if (fdatasync(q->fd) < 0)
		return q_error(q, error_r, "%s: fdatasync: %m", q->id);
	q->warned = 1;
	return 0;
}

int
qfile_sync(struct qfile *q, const char **error_r)
{
	if (fdatasync(q->fd) < 0)
		return q_error(q, error_r, "%s: fdatasync: %m", q->id);
	return 0;
}

void
qfile_close(struct qfile **qp)
{
	struct qfile *q = *qp;
	size_t i;

	if (q == NULL)
		return;
	if (q->fd >= 0)
		close(q->fd);
	for (i = 0; i < q->nrcpt; i++) {
		xfree(q->rcpt[i].addr);
		xfree(q->rcpt[i].orig);
		xfree(q->rcpt[i].orcpt);
	}
	for (i = 0; i < q->nattr; i++) {
		xfree(q->attrs[i].name);
		xfree(q->attrs[i].value);
	}
	xfree(q->rcpt);
	xfree(q->attrs);
	xfree(q->sender);
	xfree(q->path);
	xfree(q);
	*qp = NULL;
}

/* --- content iterator ----------------------------------------------- */

int
qfile_content_open(int fd, struct qfile_content **c_r, const char **error_r)
{
	struct qfile_content *c;
	const char *err;
	int dfd;

	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0)
		return static_error(error_r, "dup queue file fd: %m");
	c = xmalloc(sizeof(*c));
	c->fd = dfd;
	c->rr = rec_reader_create(dfd, 0);
	buf_init(&c->data, QFILE_MAX_CONT_REC);
	if (read_version(c->rr, &c->data, &err) < 0) {
		static_error(error_r, "queue file: %s", err);
		qfile_content_close(&c);
		return -1;
	}
	*c_r = c;
	return 0;
}

int
qfile_content_read(struct qfile_content *c, const char **p_r, size_t *n_r,
    const char **error_r)
{
	const char *err;
	int type;

	while (!c->ended) {
		type = rec_get(c->rr, &c->data, QFILE_MAX_CONT_REC, NULL, &err);
		switch (type) {
		case REC_ERROR:
			snprintf(c->error, sizeof(c->error), "queue file: %s",
			    err);
			*error_r = c->error;
			return -1;
		case REC_EOF:
			*error_r = "incomplete queue file: no end record";
			return -1;
		case REC_TYPE_CONT:
			c->in_content = 1;
			if (c->data.len == 0)
				continue;
			*p_r = c->data.data;
			*n_r = c->data.len;
			return 1;
		case REC_TYPE_END:
			c->ended = 1;
			break;
		case REC_TYPE_TIME:
		case REC_TYPE_FROM:
		case REC_TYPE_ATTR:
		case REC_TYPE_RCPT:
		case REC_TYPE_RCPT_DONE:
			if (c->in_content) {
				*error_r = "envelope record after message "
					   "content";
				return -1;
			}
			break;
		default:
			if (is_extension(type))
				break;
			*error_r = "unknown record type in queue file";
			return -1;
		}
	}
	return 0;
}

void
qfile_content_close(struct qfile_content **cp)
{
	struct qfile_content *c = *cp;

	if (c == NULL)
		return;
	close(c->fd);
	rec_reader_destroy(&c->rr);
	buf_deinit(&c->data);
	xfree(c);
	*cp = NULL;
}

/* --- queue directories ---------------------------------------------- */

/* mkdir path with mode (set with chmod when we create it, so the umask does
 * not matter); an existing directory is fine. */
static int
make_dir(const char *path, mode_t mode, const char **error_r)
{
	struct stat st;

	if (mkdir(path, mode) == 0) {
		if (chmod(path, mode) < 0)
			return static_error(error_r, "chmod %s: %m", path);
		return 0;
	}
	if (errno != EEXIST)
		return static_error(error_r, "mkdir %s: %m", path);
	if (stat(path, &st) < 0)
		return static_error(error_r, "stat %s: %m", path);
	if (!S_ISDIR(st.st_mode))
		return static_error(error_r, "%s: not a directory", path);
	return 0;
}

int
qfile_dirs_create(const char *queue_dir, const char **error_r)
{
	static const struct {
		const char *name;
		mode_t mode;
	} extra[] = {
		{ "private", 0700 }, { "public", 0710 }, { "pid", 0700 },
		{ "defer", 0700 }, /* qdefer.h */
		{ "tls", 0700 },   /* TLS ticket keys (tls_ticket.h), root's */
	};
	char path[PATH_MAX];
	size_t i, n = strlen(queue_dir);
	int len;

	if (n == 0 || n >= sizeof(path))
		return static_error(error_r, "bad queue directory name");
	memcpy(path, queue_dir, n + 1);
	/* mkdir -p: every parent, then the queue directory itself. */
	for (i = 1; i < n; i++) {
		if (path[i] != '/' || path[i - 1] == '/')
			continue;
		path[i] = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return static_error(error_r, "mkdir %s: %m", path);
		path[i] = '/';
	}
	if (make_dir(queue_dir, 0755, error_r) < 0)
		return -1;
	for (i = 0; qfile_queue_names[i] != NULL; i++) {
		const char *q = qfile_queue_names[i];

		len = snprintf(path, sizeof(path), "%s/%s", queue_dir, q);
		if (len < 0 || (size_t)len >= sizeof(path))
			return static_error(error_r, "queue path too long");
		if (make_dir(path, strcmp(q, "maildrop") == 0 ? 01730 : 0700,
			error_r) < 0)
			return -1;
	}
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		len = snprintf(path, sizeof(path), "%s/%s", queue_dir,
		    extra[i].name);
		if (len < 0 || (size_t)len >= sizeof(path))
			return static_error(error_r, "queue path too long");
		if (make_dir(path, extra[i].mode, error_r) < 0)
			return -1;
	}
	return 0;
}

int
qfile_move(const char *queue_dir, const char *id, const char *from,
    const char *to, const char **error_r)
{
	char src[PATH_MAX], dst[PATH_MAX];
	int n1, n2;

	if (!qfile_is_id(id))
		return static_error(error_r, "bad queue ID %s", log_str(id));
	if (!is_queue_name(from) || !is_queue_name(to))
		return static_error(error_r, "bad queue name");
	n1 = snprintf(src, sizeof(src), "%s/%s/%s", queue_dir, from, id);
	n2 = snprintf(dst, sizeof(dst), "%s/%s/%s", queue_dir, to, id);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(src) ||
	    (size_t)n2 >= sizeof(dst))
		return static_error(error_r, "queue path too long");
	if (rename(src, dst) < 0)
		return static_error(error_r, "%s: move %s to %s: %m", id, from,
		    to);
	return 0;
}
