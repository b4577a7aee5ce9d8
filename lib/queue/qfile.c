/* SPDX-License-Identifier: MIT */
/* qfile - queue files: the reader (qfile_open and the done marks) and the
 * content iterator. The writer is in qfile_write.c, the directories in
 * qfile_dirs.c. */
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

struct qfile_content {
	int fd; /* our dup */
	struct rec_reader *rr;
	struct buf data;
	int in_content, ended;
	char error[512];
};

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
		qfile_static_error(error_r, "open %s: %m", path);
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		qfile_static_error(error_r, "stat %s: %m", path);
		close(fd);
		return QFILE_TEMPFAIL;
	}
	if (!S_ISREG(st.st_mode)) {
		qfile_static_error(error_r, "%s: not a regular file", path);
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
		qfile_static_error(error_r, "%s: %s", path, err);
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
		return qfile_static_error(error_r, "dup queue file fd: %m");
	c = xmalloc(sizeof(*c));
	c->fd = dfd;
	c->rr = rec_reader_create(dfd, 0);
	buf_init(&c->data, QFILE_MAX_CONT_REC);
	if (read_version(c->rr, &c->data, &err) < 0) {
		qfile_static_error(error_r, "queue file: %s", err);
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
