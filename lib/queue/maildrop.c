/* SPDX-License-Identifier: MIT */
/* maildrop - write and check the file of one local submission. See
 * maildrop.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "queue/maildrop.h"
#include "queue/rec.h"
#include "util/buf.h"
#include "util/mem.h"

/* The attributes a maildrop file may carry, each at most once. */
static const char *const attr_names[] = {
	"fullname",
	"dsn_notify",
	"dsn_ret",
	"dsn_envid",
	NULL,
};

enum w_state {
	W_ENVELOPE,
	W_CONTENT,
	W_DONE
};

struct maildrop_writer {
	struct rec_writer *rw;
	struct buf scratch;
	struct buf chunk; /* content not yet in a record */
	enum w_state state;
	int have_sender;
	size_t nrcpt;
	int failed;
	char error[256];
};

static int
w_fail(struct maildrop_writer *w, const char *text, const char **error_r)
{
	if (!w->failed)
		snprintf(w->error, sizeof(w->error), "%s", text);
	w->failed = 1;
	*error_r = w->error;
	return -1;
}

static int
w_put(struct maildrop_writer *w, int type, const void *p, size_t n,
    const char **error_r)
{
	const char *err;

	if (w->failed) {
		*error_r = w->error;
		return -1;
	}
	if (rec_put(w->rw, type, p, n, &err) < 0)
		return w_fail(w, err, error_r);
	return 0;
}

/* An envelope field: bounded, no NUL, no control character (the reader
 * refuses what the writer would not write). */
static int
field_ok(const char *s, size_t len)
{
	size_t i;

	if (len > MAILDROP_MAX_FIELD)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 32 || s[i] == 127)
			return 0;
	return 1;
}

struct maildrop_writer *
maildrop_writer_create(int fd)
{
	struct maildrop_writer *w = xcalloc(1, sizeof(*w));
	const char *err;

	w->rw = rec_writer_create(fd, 0);
	buf_init(&w->scratch, 2 * MAILDROP_MAX_FIELD + 16);
	buf_init(&w->chunk, MAILDROP_MAX_CONT_REC);
	w_put(w, REC_TYPE_VERSION, MAILDROP_VERSION, strlen(MAILDROP_VERSION),
	    &err);
	return w;
}

static int
envelope_ok(struct maildrop_writer *w, const char *s, const char **error_r)
{
	if (w->failed) {
		*error_r = w->error;
		return -1;
	}
	if (w->state != W_ENVELOPE)
		return w_fail(w, "envelope after content", error_r);
	if (!field_ok(s, strlen(s)))
		return w_fail(w, "envelope field too long or not printable",
		    error_r);
	return 0;
}

int
maildrop_put_sender(struct maildrop_writer *w, const char *sender,
    const char **error_r)
{
	if (envelope_ok(w, sender, error_r) < 0)
		return -1;
	if (w->have_sender)
		return w_fail(w, "second sender", error_r);
	w->have_sender = 1;
	return w_put(w, REC_TYPE_FROM, sender, strlen(sender), error_r);
}

int
maildrop_put_attr(struct maildrop_writer *w, const char *name,
    const char *value, const char **error_r)
{
	unsigned char len[REC_LEN_MAX_BYTES];
	size_t n;

	if (envelope_ok(w, value, error_r) < 0 ||
	    envelope_ok(w, name, error_r) < 0)
		return -1;
	buf_reset(&w->scratch);
	n = rec_len_encode(strlen(name), len);
	buf_append(&w->scratch, len, n);
	buf_puts(&w->scratch, name);
	buf_puts(&w->scratch, value);
	return w_put(w, REC_TYPE_ATTR, w->scratch.data, w->scratch.len,
	    error_r);
}

int
maildrop_put_rcpt(struct maildrop_writer *w, const char *addr,
    const char **error_r)
{
	if (envelope_ok(w, addr, error_r) < 0)
		return -1;
	if (*addr == 0)
		return w_fail(w, "empty recipient", error_r);
	w->nrcpt++;
	return w_put(w, REC_TYPE_RCPT, addr, strlen(addr), error_r);
}

static int
flush_chunk(struct maildrop_writer *w, const char **error_r)
{
	int ret = 0;

	if (w->chunk.len > 0)
		ret = w_put(w, REC_TYPE_CONT, w->chunk.data, w->chunk.len,
		    error_r);
	buf_reset(&w->chunk);
	return ret;
}

int
maildrop_put_content(struct maildrop_writer *w, const void *p, size_t n,
    const char **error_r)
{
	const char *s = p;

	if (w->failed) {
		*error_r = w->error;
		return -1;
	}
	if (w->state == W_DONE)
		return w_fail(w, "content after the end", error_r);
	w->state = W_CONTENT;
	while (n > 0) {
		size_t room = MAILDROP_MAX_CONT_REC - w->chunk.len;
		size_t take = n < room ? n : room;

		buf_append(&w->chunk, s, take);
		s += take;
		n -= take;
		if (w->chunk.len == MAILDROP_MAX_CONT_REC &&
		    flush_chunk(w, error_r) < 0)
			return -1;
	}
	return 0;
}

int
maildrop_finish(struct maildrop_writer *w, const char **error_r)
{
	if (w->failed) {
		*error_r = w->error;
		return -1;
	}
	if (!w->have_sender)
		return w_fail(w, "no sender", error_r);
	if (w->nrcpt == 0)
		return w_fail(w, "no recipients", error_r);
	if (flush_chunk(w, error_r) < 0 ||
	    w_put(w, REC_TYPE_END, "", 0, error_r) < 0)
		return -1;
	w->state = W_DONE;
	if (rec_flush(w->rw, error_r) < 0)
		return w_fail(w, *error_r, error_r);
	return 0;
}

void
maildrop_writer_destroy(struct maildrop_writer **wp)
{
	struct maildrop_writer *w = *wp;

	if (w == NULL)
		return;
	rec_writer_destroy(&w->rw);
	buf_deinit(&w->scratch);
	buf_deinit(&w->chunk);
	xfree(w);
	*wp = NULL;
}

/* --- names ----------------------------------------------------------- */

void
maildrop_name(char *out, size_t len, int temp)
{
	static unsigned counter;
	struct timeval tv;

	gettimeofday(&tv, NULL);
	snprintf(out, len, "%s%llx%05lx.%lx.%x", temp ? "." : "",
	    (unsigned long long)tv.tv_sec, (unsigned long)tv.tv_usec,
	    (unsigned long)getpid(), counter++ & 0xfff);
}

static int
name_chars(const char *s)
{
	size_t n = 0;

	for (; *s != 0; s++, n++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
			*s == '.'))
			return 0;
	return n > 0 && n < MAILDROP_NAME_MAX;
}

int
maildrop_is_name(const char *name)
{
	return name[0] != '.' && name_chars(name);
}

int
maildrop_is_temp(const char *name)
{
	return name[0] == '.' && name[1] != 0 && name[1] != '.' &&
	    name_chars(name + 1);
}

/* --- files in maildrop/ ---------------------------------------------- */

static char file_error[PATH_MAX + 256];

static int
file_fail(int ret, const char **error_r, const char *what, const char *path,
    int err)
{
	if (snprintf(file_error, sizeof(file_error), "%s %s: %s", what, path,
		strerror(err)) < 0)
		file_error[0] = 0;
	*error_r = file_error;
	return ret;
}

static int
dir_path(const char *queue_dir, char *out, size_t len, const char **error_r)
{
	int n = snprintf(out, len, "%s/maildrop", queue_dir);

	if (n < 0 || (size_t)n >= len) {
		*error_r = "queue directory name too long";
		return -1;
	}
	return 0;
}

static int
path_join(char *out, size_t len, const char *dir, const char *name,
    const char **error_r)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len) {
		*error_r = "maildrop path too long";
		return -1;
	}
	return 0;
}

int
maildrop_file_create(const char *queue_dir, char *tmp, size_t len,
    const char **error_r)
{
	char dir[PATH_MAX];
	int dirfd, fd, err;

	if (dir_path(queue_dir, dir, sizeof(dir), error_r) < 0)
		return -1;
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 &&
	    errno != EACCES)
		return file_fail(-1, error_r, "open", dir, errno);
	/* 1730: a submitter may search and write the directory, not read
	 * it; then the file goes by its path. */
	do {
		char path[PATH_MAX];

		maildrop_name(tmp, len, 1);
		if (path_join(path, sizeof(path), dir, tmp, error_r) < 0)
			return -1;
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	} while (fd < 0 && errno == EEXIST);
	err = errno;
	if (dirfd >= 0)
		close(dirfd);
	if (fd < 0)
		return file_fail(err == EACCES || err == EPERM ? MAILDROP_NOPERM
							       : -1,
		    error_r, "create in", dir, err);
	if (fchmod(fd, 0644) < 0) {
		err = errno;
		close(fd);
		maildrop_unlink(queue_dir, tmp);
		return file_fail(-1, error_r, "chmod in", dir, err);
	}
	return fd;
}

void
maildrop_unlink(const char *queue_dir, const char *name)
{
	char path[PATH_MAX];

	char dir[PATH_MAX];
	const char *error;

	if (dir_path(queue_dir, dir, sizeof(dir), &error) == 0 &&
	    path_join(path, sizeof(path), dir, name, &error) == 0)
		unlink(path);
}

int
maildrop_file_commit(const char *queue_dir, int fd, const char *tmp, char *name,
    size_t len, const char **error_r)
{
	char dir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	int dirfd, err;

	if (dir_path(queue_dir, dir, sizeof(dir), error_r) < 0)
		return -1;
	if (path_join(from, sizeof(from), dir, tmp, error_r) < 0)
		return -1;
	if (fsync(fd) < 0) {
		err = errno;
		unlink(from);
		return file_fail(-1, error_r, "fsync", from, err);
	}
	for (;;) {
		maildrop_name(name, len, 0);
		if (path_join(to, sizeof(to), dir, name, error_r) < 0) {
			unlink(from);
			return -1;
		}
		/* Never over a file of that name, which another submitter
		 * may have made (the sticky directory refuses that too). */
		if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) ==
			0 ||
		    (errno == EINVAL && rename(from, to) == 0))
			break;
		if (errno != EEXIST) {
			err = errno;
			unlink(from);
			return file_fail(-1, error_r, "rename to", to, err);
		}
	}
	/* The directory is readable only by its owner, so a submitter
	 * through ternpostdrop cannot open it to fsync it: syncfs then
	 * makes the name durable with everything else on that file
	 * system. */
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		err = fsync(dirfd) < 0 ? errno : 0;
		close(dirfd);
	} else
		err = syncfs(fd) < 0 ? errno : 0;
	if (err != 0) {
		unlink(to);
		return file_fail(-1, error_r, "fsync", dir, err);
	}
	return 0;
}

/* --- reader ---------------------------------------------------------- */

static char static_error[256];

static int
r_fail(int ret, const char **error_r, const char *text)
{
	snprintf(static_error, sizeof(static_error), "%s", text);
	*error_r = static_error;
	return ret;
}

/* The attribute record: <varint name length><name><value>. */
static int
parse_attr(struct maildrop *md, const struct buf *d, unsigned *seen,
    const char **error_r)
{
	const char *err;
	uint64_t nlen;
	size_t used, i;
	const char *name, *value;
	size_t vlen;

	if (rec_len_decode((const unsigned char *)d->data, d->len, &nlen, &used,
		&err) != 1 ||
	    nlen == 0 || nlen > d->len - used)
		return r_fail(MAILDROP_CORRUPT, error_r, "malformed attribute");
	name = d->data + used;
	value = name + nlen;
	vlen = d->len - used - (size_t)nlen;
	if (!field_ok(value, vlen))
		return r_fail(MAILDROP_CORRUPT, error_r,
		    "attribute value too long or not printable");
	for (i = 0; attr_names[i] != NULL; i++)
		if (strlen(attr_names[i]) == nlen &&
		    memcmp(attr_names[i], name, (size_t)nlen) == 0)
			break;
	if (attr_names[i] == NULL)
		return r_fail(MAILDROP_CORRUPT, error_r, "unknown attribute");
	if (*seen & (1u << i))
		return r_fail(MAILDROP_CORRUPT, error_r, "repeated attribute");
	*seen |= 1u << i;
	switch (i) {
	case 0:
		md->fullname = xstrndup(value, vlen);
		break;
	case 1: {
		/* dsn_param.h's bits: SUCCESS 1, FAILURE 2, DELAY 4,
		 * NEVER 8 (alone). */
		char tmp[4];
		char *end;
		long v;

		if (vlen == 0 || vlen >= sizeof(tmp))
			return r_fail(MAILDROP_CORRUPT, error_r,
			    "malformed dsn_notify");
		memcpy(tmp, value, vlen);
		tmp[vlen] = 0;
		v = strtol(tmp, &end, 10);
		if (*end != 0 || v < 1 || v > 15 || ((v & 8) && v != 8))
			return r_fail(MAILDROP_CORRUPT, error_r,
			    "malformed dsn_notify");
		md->notify = (int)v;
		break;
	}
	case 2:
		if (vlen == 4 && memcmp(value, "full", 4) == 0)
			md->ret = 1;
		else if (vlen == 4 && memcmp(value, "hdrs", 4) == 0)
			md->ret = 2;
		else
			return r_fail(MAILDROP_CORRUPT, error_r,
			    "malformed dsn_ret");
		break;
	case 3:
		/* RFC 3461 4.4: at most 100 characters, printable. */
		if (vlen == 0 || vlen > 100)
			return r_fail(MAILDROP_CORRUPT, error_r,
			    "malformed dsn_envid");
		md->envid = xstrndup(value, vlen);
		break;
	}
	return 0;
}

static int
read_error(struct rec_reader *rr, const char *err, const char **error_r)
{
	return r_fail(rec_reader_read_errno(rr) != 0 ? MAILDROP_TEMPFAIL
						     : MAILDROP_CORRUPT,
	    error_r, err);
}

static int
parse(struct maildrop *md, struct rec_reader *rr, struct buf *d,
    const struct maildrop_limits *lim, const char **error_r)
{
	const char *err;
	int type, in_content = 0;
	unsigned seen = 0;
	size_t cap = 0;
	off_t off;

	type = rec_get(rr, d, MAILDROP_MAX_FIELD + 16, NULL, &err);
	if (type == REC_ERROR)
		return read_error(rr, err, error_r);
	if (type != REC_TYPE_VERSION ||
	    strncmp(d->data, "tern-maildrop 1.", 16) != 0)
		return r_fail(MAILDROP_CORRUPT, error_r,
		    "not a maildrop file of version 1");
	for (;;) {
		/* Content is skipped, not kept; an envelope record is
		 * checked against MAILDROP_MAX_FIELD by its type. */
		type = rec_get(rr, in_content ? NULL : d, MAILDROP_MAX_CONT_REC,
		    &off, &err);
		if (type == REC_ERROR)
			return read_error(rr, err, error_r);
		if (type == REC_EOF)
			return r_fail(MAILDROP_CORRUPT, error_r,
			    "incomplete maildrop file: no end record");
		if (type == REC_TYPE_END)
			break;
		if (type == REC_TYPE_CONT) {
			if (!in_content)
				md->content_offset = off;
			in_content = 1;
			md->content_size += (off_t)rec_reader_last_len(rr);
			if (lim->max_size > 0 &&
			    md->content_size > lim->max_size)
				return r_fail(MAILDROP_CORRUPT, error_r,
				    "message too large");
			continue;
		}
		if (in_content)
			return r_fail(MAILDROP_CORRUPT, error_r,
			    "envelope record after content");
		switch (type) {
		case REC_TYPE_FROM:
			if (md->sender != NULL)
				return r_fail(MAILDROP_CORRUPT, error_r,
				    "repeated sender");
			if (!field_ok(d->data, d->len))
				return r_fail(MAILDROP_CORRUPT, error_r,
				    "malformed sender");
			md->sender = xstrndup(d->data, d->len);
			break;
		case REC_TYPE_ATTR: {
			int ret = parse_attr(md, d, &seen, error_r);

			if (ret < 0)
				return ret;
			break;
		}
		case REC_TYPE_RCPT:
			if (d->len == 0 || !field_ok(d->data, d->len))
				return r_fail(MAILDROP_CORRUPT, error_r,
				    "malformed recipient");
			if (md->nrcpt >= lim->max_rcpt)
				return r_fail(MAILDROP_CORRUPT, error_r,
				    "too many recipients");
			if (md->nrcpt == cap) {
				cap = cap ? 2 * cap : 8;
				md->rcpt =
				    xrealloc(md->rcpt, cap * sizeof(*md->rcpt));
			}
			md->rcpt[md->nrcpt++] = xstrndup(d->data, d->len);
			break;
		default:
			return r_fail(MAILDROP_CORRUPT, error_r,
			    "unexpected record type");
		}
	}
	if (!in_content)
		md->content_offset = off;
	/* Nothing after END. */
	type = rec_get(rr, NULL, MAILDROP_MAX_CONT_REC, NULL, &err);
	if (type == REC_ERROR)
		return read_error(rr, err, error_r);
	if (type != REC_EOF)
		return r_fail(MAILDROP_CORRUPT, error_r,
		    "data after the end record");
	if (md->sender == NULL)
		return r_fail(MAILDROP_CORRUPT, error_r, "no sender");
	if (md->nrcpt == 0)
		return r_fail(MAILDROP_CORRUPT, error_r, "no recipients");
	return 0;
}

int
maildrop_open(int fd, const struct maildrop_limits *limits,
    struct maildrop **md_r, const char **error_r)
{
	struct maildrop *md = xcalloc(1, sizeof(*md));
	struct rec_reader *rr = rec_reader_create(fd, 0);
	struct buf d;
	int ret;

	md->fd = fd;
	buf_init(&d, MAILDROP_MAX_CONT_REC);
	ret = parse(md, rr, &d, limits, error_r);
	buf_deinit(&d);
	rec_reader_destroy(&rr);
	if (ret < 0) {
		maildrop_close(&md);
		return ret;
	}
	*md_r = md;
	return 0;
}

struct maildrop_content {
	struct rec_reader *rr;
	struct buf data;
	int done;
};

int
maildrop_content_read(const struct maildrop *md,
    struct maildrop_content **state, const char **p_r, size_t *n_r,
    const char **error_r)
{
	struct maildrop_content *c = *state;
	const char *err;
	int type;

	if (c == NULL) {
		c = *state = xcalloc(1, sizeof(*c));
		c->rr = rec_reader_create(md->fd, md->content_offset);
		buf_init(&c->data, MAILDROP_MAX_CONT_REC);
	}
	if (c->done)
		return 0;
	type = rec_get(c->rr, &c->data, MAILDROP_MAX_CONT_REC, NULL, &err);
	if (type == REC_TYPE_END) {
		c->done = 1;
		return 0;
	}
	if (type != REC_TYPE_CONT)
		return r_fail(-1, error_r,
		    type == REC_ERROR ? err : "not a content record");
	*p_r = c->data.data;
	*n_r = c->data.len;
	return 1;
}

void
maildrop_content_end(struct maildrop_content **state)
{
	struct maildrop_content *c = *state;

	if (c == NULL)
		return;
	rec_reader_destroy(&c->rr);
	buf_deinit(&c->data);
	xfree(c);
	*state = NULL;
}

void
maildrop_close(struct maildrop **mdp)
{
	struct maildrop *md = *mdp;
	size_t i;

	if (md == NULL)
		return;
	xfree(md->sender);
	xfree(md->fullname);
	xfree(md->envid);
	for (i = 0; i < md->nrcpt; i++)
		xfree(md->rcpt[i]);
	xfree(md->rcpt);
	xfree(md);
	*mdp = NULL;
}
