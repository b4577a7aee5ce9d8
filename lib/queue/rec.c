/* SPDX-License-Identifier: MIT */
/* rec - typed, length-prefixed records: the queue file codec. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "queue/rec.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

/* Both directions move data in chunks this large. */
#define REC_IOBUF (64 * 1024)

struct rec_writer {
	int fd;
	off_t off;           /* file offset of pend[0] */
	unsigned char *pend; /* pending output */
	size_t npend;
	int failed;
	char error[256];
};

struct rec_reader {
	int fd;
	off_t pos;  /* file offset of the next record */
	off_t boff; /* file offset of rbuf[0] */
	unsigned char *rbuf;
	size_t blen;     /* valid bytes in rbuf */
	size_t last_len; /* data length of the last record */
	int failed;
	int read_errno; /* errno of a failed read, else 0 */
	char error[256];
};

size_t
rec_len_encode(uint64_t v, unsigned char out[REC_LEN_MAX_BYTES])
{
	size_t n = 0;

	do {
		unsigned char c = v & 0x7f;

		v >>= 7;
		out[n++] = v ? c | 0x80 : c;
	} while (v != 0);
	return n;
}

int
rec_len_decode(const unsigned char *p, size_t n, uint64_t *v_r, size_t *used_r,
    const char **error_r)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < REC_LEN_MAX_BYTES; i++) {
		uint64_t group = p[i] & 0x7f;

		/* The tenth byte holds bit 63 only. */
		if (i == REC_LEN_MAX_BYTES - 1 && (p[i] & 0xfe) != 0) {
			*error_r = "record length exceeds 64 bits";
			return -1;
		}
		v |= group << (7 * i);
		if ((p[i] & 0x80) == 0) {
			/* A zero final group after the first byte is a
			 * second spelling of a shorter length. */
			if (i > 0 && p[i] == 0) {
				*error_r = "non-canonical record length";
				return -1;
			}
			*v_r = v;
			*used_r = i + 1;
			return 1;
		}
	}
	if (i == REC_LEN_MAX_BYTES) {
		*error_r = "record length longer than 10 bytes";
		return -1;
	}
	return 0;
}

const char *
rec_type_name(int type)
{
	switch (type) {
	case REC_TYPE_VERSION:
		return "version";
	case REC_TYPE_TIME:
		return "time";
	case REC_TYPE_FROM:
		return "sender";
	case REC_TYPE_ATTR:
		return "attr";
	case REC_TYPE_RCPT:
		return "rcpt";
	case REC_TYPE_RCPT_DONE:
		return "rcpt_done";
	case REC_TYPE_CONT:
		return "content";
	case REC_TYPE_END:
		return "end";
	case REC_TYPE_DSN:
		return "dsn";
	case REC_TYPE_WARN:
		return "warn";
	default:
		return "unknown";
	}
}

int
rec_type_known(int type)
{
	return strcmp(rec_type_name(type), "unknown") != 0;
}

/* Write all n bytes at file offset off. Returns 0 or -1 (errno set). */
static int
pwrite_all(int fd, const unsigned char *p, size_t n, off_t off)
{
	while (n > 0) {
		ssize_t r = pwrite(fd, p, n > SSIZE_MAX ? SSIZE_MAX : n, off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

struct rec_writer *
rec_writer_create(int fd, off_t start)
{
	struct rec_writer *w = xmalloc(sizeof(*w));

	w->fd = fd;
	w->off = start;
	w->pend = xmalloc(REC_IOBUF);
	return w;
}

void
rec_writer_destroy(struct rec_writer **wp)
{
	if (*wp == NULL)
		return;
	xfree((*wp)->pend);
	xfree(*wp);
	*wp = NULL;
}

off_t
rec_writer_offset(const struct rec_writer *w)
{
	return w->off + (off_t)w->npend;
}

static int
writer_fail(struct rec_writer *w, const char *what, const char **error_r)
{
	snprintf(w->error, sizeof(w->error), "%s: %s", what, strerror(errno));
	w->failed = 1;
	*error_r = w->error;
	return -1;
}

int
rec_flush(struct rec_writer *w, const char **error_r)
{
	if (w->failed) {
		*error_r = w->error;
		return -1;
	}
	if (w->npend == 0)
		return 0;
	if (pwrite_all(w->fd, w->pend, w->npend, w->off) < 0)
		return writer_fail(w, "queue file write", error_r);
	w->off += (off_t)w->npend;
	w->npend = 0;
	return 0;
}

int
rec_put(struct rec_writer *w, int type, const void *p, size_t n,
    const char **error_r)
{
	unsigned char hdr[REC_HDR_MAX];
	size_t hlen;
	off_t end;

	if (type < 1 || type > 255)
		log_panic("rec_put: bad record type %d", type);
	if (w->failed) {
		*error_r = w->error;
		return -1;
	}
	hdr[0] = (unsigned char)type;
	hlen = 1 + rec_len_encode(n, hdr + 1);
	/* The record must end at a representable file offset. */
	if (n > (size_t)INT64_MAX - hlen ||
	    __builtin_add_overflow(rec_writer_offset(w), (off_t)(hlen + n),
		&end)) {
		errno = EFBIG;
		return writer_fail(w, "queue file record", error_r);
	}
	if (hlen + n <= REC_IOBUF - w->npend) {
		memcpy(w->pend + w->npend, hdr, hlen);
		if (n > 0)
			memcpy(w->pend + w->npend + hlen, p, n);
		w->npend += hlen + n;
		return 0;
	}
	if (rec_flush(w, error_r) < 0)
		return -1;
	if (hlen + n <= REC_IOBUF) {
		memcpy(w->pend, hdr, hlen);
		memcpy(w->pend + hlen, p, n);
		w->npend = hlen + n;
		return 0;
	}
	/* A record larger than the buffer goes out directly. */
	if (pwrite_all(w->fd, hdr, hlen, w->off) < 0 ||
	    pwrite_all(w->fd, p, n, w->off + (off_t)hlen) < 0)
		return writer_fail(w, "queue file write", error_r);
	w->off += (off_t)(hlen + n);
	return 0;
}

struct rec_reader *
rec_reader_create(int fd, off_t start)
{
	struct rec_reader *r = xmalloc(sizeof(*r));

	r->fd = fd;
	r->pos = start;
	r->boff = start;
	r->rbuf = xmalloc(REC_IOBUF);
	return r;
}

void
rec_reader_destroy(struct rec_reader **rp)
{
	if (*rp == NULL)
		return;
	xfree((*rp)->rbuf);
	xfree(*rp);
	*rp = NULL;
}

size_t
rec_reader_last_len(const struct rec_reader *r)
{
	return r->last_len;
}

off_t
rec_reader_offset(const struct rec_reader *r)
{
	return r->pos;
}

int
rec_reader_read_errno(const struct rec_reader *r)
{
	return r->read_errno;
}

static int
reader_fail(struct rec_reader *r, off_t at, const char *what,
    const char **error_r)
{
	snprintf(r->error, sizeof(r->error), "%s at offset %lld", what,
	    (long long)at);
	r->failed = 1;
	*error_r = r->error;
	return REC_ERROR;
}

/* A failed read: the file may be fine, the system was not. */
static int
read_fail(struct rec_reader *r, off_t at, const char **error_r)
{
	r->read_errno = errno ? errno : EIO;
	snprintf(r->error, sizeof(r->error),
	    "queue file read error at "
	    "offset %lld: %s",
	    (long long)at, strerror(r->read_errno));
	r->failed = 1;
	*error_r = r->error;
	return REC_ERROR;
}

/* Make up to need (<= REC_IOBUF) bytes from r->pos available in rbuf.
 * Returns the number available (less than need only at end of file), or -1
 * with errno set. */
static ssize_t
fill(struct rec_reader *r, size_t need)
{
	size_t have = 0;

	if (r->pos >= r->boff && r->pos <= r->boff + (off_t)r->blen) {
		size_t skip = (size_t)(r->pos - r->boff);

		have = r->blen - skip;
		if (have >= need)
			return (ssize_t)have;
		memmove(r->rbuf, r->rbuf + skip, have);
	}
	r->boff = r->pos;
	r->blen = have;
	while (r->blen < need) {
		ssize_t n = pread(r->fd, r->rbuf + r->blen, REC_IOBUF - r->blen,
		    r->boff + (off_t)r->blen);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		r->blen += (size_t)n;
	}
	return (ssize_t)(r->blen < need ? r->blen : need);
}

int
rec_get(struct rec_reader *r, struct buf *data, size_t max, off_t *offset_r,
    const char **error_r)
{
	const char *lerr;
	const unsigned char *p;
	off_t start = r->pos, end;
	uint64_t len;
	size_t used;
	ssize_t avail;
	int type, ret;

	if (r->failed) {
		*error_r = r->error;
		return REC_ERROR;
	}
	if ((avail = fill(r, REC_HDR_MAX)) < 0)
		return read_fail(r, start, error_r);
	if (avail == 0)
		return REC_EOF;
	p = r->rbuf + (r->pos - r->boff);
	type = p[0];
	if (type == 0)
		return reader_fail(r, start, "zero record type", error_r);
	ret = rec_len_decode(p + 1, (size_t)avail - 1, &len, &used, &lerr);
	if (ret < 0)
		return reader_fail(r, start, lerr, error_r);
	if (ret == 0)
		return reader_fail(r, start, "record header cut short",
		    error_r);
	if (len > max)
		return reader_fail(r, start, "record longer than allowed",
		    error_r);
	if (data != NULL && len > data->max)
		return reader_fail(r, start, "record longer than its buffer",
		    error_r);
	/* r->pos >= 0 and used <= 10, so the subtraction cannot wrap. */
	if (len > (uint64_t)(INT64_MAX - r->pos - (off_t)(1 + used)))
		return reader_fail(r, start, "record past any file size",
		    error_r);
	r->pos += (off_t)(1 + used);
	end = r->pos + (off_t)len;
	if (data != NULL) {
		size_t left = (size_t)len;

		buf_reset(data);
		while (left > 0) {
			size_t want = left < REC_IOBUF ? left : REC_IOBUF;

			if ((avail = fill(r, want)) < 0)
				return read_fail(r, start, error_r);
			if ((size_t)avail < want)
				return reader_fail(r, start,
				    "record data cut short", error_r);
			/* Cannot fail: len <= data->max was checked. */
			buf_append(data, r->rbuf + (r->pos - r->boff), want);
			r->pos += (off_t)want;
			left -= want;
		}
	} else if (len > 0 && end <= r->boff + (off_t)r->blen) {
		r->pos = end; /* already read ahead */
	} else if (len > 0) {
		unsigned char last;
		ssize_t n;

		/* Skip the data, but prove that its last byte exists. */
		do {
			n = pread(r->fd, &last, 1, end - 1);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			return read_fail(r, start, error_r);
		if (n == 0)
			return reader_fail(r, start, "record data cut short",
			    error_r);
		r->pos = end;
	}
	r->last_len = (size_t)len;
	if (offset_r != NULL)
		*offset_r = start;
	return type;
}
