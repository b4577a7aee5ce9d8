/* SPDX-License-Identifier: MIT */
/* stream - buffered, bounded, deadline-aware byte streams over a descriptor. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/stream.h"

struct stream {
	int fd;
	int wfd;
	int flags;
	const struct stream_ops *ops;
	void *ctx;
	int timeout;
	time_t deadline;
	char in[STREAM_BUFSIZE];
	size_t in_pos, in_len;
	char out[STREAM_BUFSIZE];
	size_t out_len;
	const char *error;
	char errtext[128];
	/* wfd is written with send(MSG_DONTWAIT): 1 until it says it is
	 * not a socket (then write(2), waiting for POLLOUT first). */
	int wsock;
};

static ssize_t
fd_read(void *ctx, void *p, size_t n)
{
	return read(((struct stream *)ctx)->fd, p, n);
}

static ssize_t
fd_write(void *ctx, const void *p, size_t n)
{
	struct stream *s = ctx;
	ssize_t r;

	if (s->wsock) {
		/* A socket never blocks us: what does not fit now waits
		 * for POLLOUT, within the stream's timeouts. */
		r = send(s->wfd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r >= 0 || errno != ENOTSOCK)
			return r;
		/* A pipe or a file: write(2), after a wait for room. */
		s->wsock = 0;
		errno = EAGAIN;
		return -1;
	}
	return write(s->wfd, p, n);
}

static const struct stream_ops fd_ops = {
	.read = fd_read,
	.write = fd_write,
};

struct stream *
stream_create(int fd, int flags)
{
	struct stream *s = xmalloc(sizeof(*s));

	s->fd = fd;
	s->wfd = fd;
	s->flags = flags;
	s->ops = &fd_ops;
	s->ctx = s;
	s->wsock = 1;
	return s;
}

void
stream_destroy(struct stream **sp)
{
	struct stream *s = *sp;

	if (s == NULL)
		return;
	if (s->ops->close != NULL)
		s->ops->close(s->ctx);
	if (!(s->flags & STREAM_FLAG_NOCLOSE) && s->fd >= 0)
		close(s->fd);
	xfree(s);
	*sp = NULL;
}

void
stream_set_ops(struct stream *s, const struct stream_ops *ops, void *ctx)
{
	s->ops = ops;
	s->ctx = ctx;
}

int
stream_fd(const struct stream *s)
{
	return s->fd;
}

void
stream_set_write_fd(struct stream *s, int wfd)
{
	s->wfd = wfd;
	s->wsock = 1;
}

void
stream_set_timeout(struct stream *s, int seconds)
{
	s->timeout = seconds;
}

void
stream_set_deadline(struct stream *s, time_t deadline)
{
	s->deadline = deadline;
}

const char *
stream_error(const struct stream *s)
{
	return s->error;
}

static int
stream_fail(struct stream *s, int status, const char *text)
{
	if (status == STREAM_TIMEOUT) {
		s->error = "timeout";
	} else {
		snprintf(s->errtext, sizeof(s->errtext), "%s", text);
		s->error = s->errtext;
	}
	return status;
}

/* What to wait for after an op's EAGAIN. */
static short
stream_want(struct stream *s, short dflt)
{
	short events = s->ops->want != NULL ? s->ops->want(s->ctx) : 0;

	return events != 0 ? events : dflt;
}

/* The text for an op's -1. */
static const char *
stream_op_error(struct stream *s)
{
	const char *text = s->ops->error != NULL ? s->ops->error(s->ctx) : NULL;

	return text != NULL ? text : strerror(errno);
}

int
stream_wait(struct stream *s, short events)
{
	struct pollfd pfd = { .fd = events == POLLOUT ? s->wfd : s->fd,
		.events = events };
	int ms = -1;

	/* No descriptor: the ops move bytes in memory and never wait. */
	if (pfd.fd < 0)
		return 0;
	for (;;) {
		int n;

		/* poll() takes int milliseconds: clamp long waits instead
		 * of overflowing (a far deadline is legitimate). */
		if (s->timeout > 0)
			ms = s->timeout > INT_MAX / 1000 ? INT_MAX
							 : s->timeout * 1000;
		if (s->deadline > 0) {
			time_t left = s->deadline - time(NULL);

			if (left <= 0)
				return stream_fail(s, STREAM_TIMEOUT, NULL);
			if (left > INT_MAX / 1000)
				left = INT_MAX / 1000;
			if (ms < 0 || left * 1000 < ms)
				ms = (int)left * 1000;
		}
		n = poll(&pfd, 1, ms);
		if (n > 0)
			return 0;
		if (n == 0)
			return stream_fail(s, STREAM_TIMEOUT, NULL);
		if (errno != EINTR)
			return stream_fail(s, STREAM_ERROR, strerror(errno));
	}
}

/* Refill the input buffer: 1 data, STREAM_EOF, or an error status. */
static int
stream_fill(struct stream *s)
{
	short events = POLLIN;

	for (;;) {
		ssize_t n;
		int ret;

		if ((s->ops->pending == NULL || s->ops->pending(s->ctx) == 0) &&
		    (ret = stream_wait(s, events)) < 0)
			return ret;
		n = s->ops->read(s->ctx, s->in, sizeof(s->in));
		if (n > 0) {
			s->in_pos = 0;
			s->in_len = (size_t)n;
			return 1;
		}
		if (n == 0)
			return STREAM_EOF;
		if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
			return stream_fail(s, STREAM_ERROR, stream_op_error(s));
		events = stream_want(s, POLLIN);
	}
}

int
stream_get_line(struct stream *s, struct buf *line, size_t max,
    const char **error_r)
{
	size_t got = 0;

	for (;;) {
		const char *start, *nl;
		size_t avail, take;
		int ret;

		if (s->in_pos == s->in_len) {
			ret = stream_fill(s);
			if (ret == STREAM_EOF)
				return got > 0 ? STREAM_LINE : STREAM_EOF;
			if (ret < 0) {
				*error_r = s->error;
				return ret;
			}
		}
		start = s->in + s->in_pos;
		avail = s->in_len - s->in_pos;
		nl = memchr(start, '\n', avail);
		take = nl ? (size_t)(nl - start) + 1 : avail;
		if (take > max - got)
			take = max - got;
		if (buf_append(line, start, take) < 0) {
			*error_r = "line buffer full";
			return STREAM_ERROR;
		}
		s->in_pos += take;
		got += take;
		if (take > 0 && start[take - 1] == '\n')
			return STREAM_LINE;
		if (got >= max)
			return STREAM_PARTIAL;
	}
}

int
stream_read_exact(struct stream *s, void *p, size_t n, const char **error_r)
{
	char *dst = p;

	while (n > 0) {
		size_t take;

		if (s->in_pos == s->in_len) {
			int ret = stream_fill(s);

			if (ret == STREAM_EOF)
				return STREAM_EOF;
			if (ret < 0) {
				*error_r = s->error;
				return ret;
			}
		}
		take = s->in_len - s->in_pos;
		if (take > n)
			take = n;
		memcpy(dst, s->in + s->in_pos, take);
		s->in_pos += take;
		dst += take;
		n -= take;
	}
	return 1;
}

size_t
stream_pending(const struct stream *s)
{
	size_t below = s->ops->pending != NULL ? s->ops->pending(s->ctx) : 0;

	return s->in_len - s->in_pos + below;
}

int
stream_is_plain(const struct stream *s)
{
	return s->ops == &fd_ops && s->fd == s->wfd && s->fd >= 0;
}

const char *
stream_buffered(const struct stream *s, size_t *n_r)
{
	*n_r = s->in_len - s->in_pos;
	return s->in + s->in_pos;
}

int
stream_preload(struct stream *s, const void *p, size_t n)
{
	if (s->in_len - s->in_pos != 0 || n > sizeof(s->in))
		return -1;
	memcpy(s->in, p, n);
	s->in_pos = 0;
	s->in_len = n;
	return 0;
}

void
stream_discard_input(struct stream *s)
{
	s->in_pos = s->in_len = 0;
}

/* Write the n bytes at p; *done_r gets how many went. A write that
 * cannot block (a socket, fd_write) is tried at once and waited for only
 * when the socket is full; any other is waited for first: on a blocking
 * descriptor a write to a stalled peer would otherwise hang past every
 * timeout. */
static int
write_out(struct stream *s, const char *p, size_t n, size_t *done_r)
{
	size_t done = 0;
	short events = POLLOUT;
	int full = 0, ret = 0;

	/* Past the deadline nothing is written, waiting or not. */
	if (n > 0 && s->deadline > 0 && s->deadline - time(NULL) <= 0) {
		*done_r = 0;
		return stream_fail(s, STREAM_TIMEOUT, NULL);
	}
	while (done < n) {
		ssize_t w;

		if ((full || s->ops != &fd_ops || !s->wsock) &&
		    (ret = stream_wait(s, events)) < 0)
			break;
		events = POLLOUT;
		full = 0;
		w = s->ops->write(s->ctx, p + done, n - done);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			events = stream_want(s, POLLOUT);
			full = 1;
			continue;
		}
		ret = stream_fail(s, STREAM_ERROR,
		    w < 0 ? stream_op_error(s) : "short write");
		break;
	}
	*done_r = done;
	return ret;
}

int
stream_flush(struct stream *s, const char **error_r)
{
	size_t done;
	int ret;

	if (s->out_len == 0)
		return 0;
	if ((ret = write_out(s, s->out, s->out_len, &done)) < 0) {
		/* Keep what was not written so a caller could retry. */
		memmove(s->out, s->out + done, s->out_len - done);
		s->out_len -= done;
		if (error_r != NULL)
			*error_r = s->error;
		return ret;
	}
	s->out_len = 0;
	return 0;
}

int
stream_write(struct stream *s, const void *p, size_t n)
{
	const char *src = p;
	size_t done;
	int ret;

	/* A buffer's worth or more goes out from where it is, after what
	 * is buffered: no copy, and as few system calls as the peer's
	 * socket allows. */
	if (n >= sizeof(s->out)) {
		if ((ret = stream_flush(s, NULL)) < 0)
			return ret;
		if ((ret = write_out(s, src, n, &done)) < 0) {
			/* What fits stays queued: a later flush fails too. */
			n -= done;
			s->out_len = n < sizeof(s->out) ? n : sizeof(s->out);
			memcpy(s->out, src + done, s->out_len);
		}
		return ret;
	}
	while (n > 0) {
		size_t room = sizeof(s->out) - s->out_len;
		size_t take = n < room ? n : room;

		memcpy(s->out + s->out_len, src, take);
		s->out_len += take;
		src += take;
		n -= take;
		if (s->out_len == sizeof(s->out) &&
		    (ret = stream_flush(s, NULL)) < 0)
			return ret;
	}
	return 0;
}

int
stream_puts(struct stream *s, const char *str)
{
	return stream_write(s, str, strlen(str));
}

int
stream_printf(struct stream *s, const char *fmt, ...)
{
	char small[1024];
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return stream_fail(s, STREAM_ERROR, "format error");
	if ((size_t)n < sizeof(small))
		return stream_write(s, small, (size_t)n);
	{
		struct buf b;

		buf_init(&b, (size_t)n + 1);
		va_start(ap, fmt);
		buf_vprintf(&b, fmt, ap);
		va_end(ap);
		ret = stream_write(s, b.data, b.len);
		buf_deinit(&b);
	}
	return ret;
}
