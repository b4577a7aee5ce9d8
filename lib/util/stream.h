/* stream - buffered, bounded, deadline-aware byte streams over a descriptor.
 * A stream reads and writes through a small ops table (plain fd by default),
 * so a TLS layer can later slot in underneath without changing callers.
 * Every blocking step waits with poll() for at most the per-operation
 * timeout and never past the session deadline; running out of time is a
 * return value (STREAM_TIMEOUT), never a signal or longjmp. Reads are
 * buffered (one read(2) fills up to STREAM_BUFSIZE bytes); writes collect
 * in an output buffer until stream_flush() or until it is full. Line
 * reading is bounded by the caller's limit: a line longer than the limit
 * comes back in pieces (STREAM_PARTIAL) so that no peer can make us buffer
 * without bound. The stream owns its fd unless created with
 * STREAM_FLAG_NOCLOSE. Not thread-safe. */
#ifndef TERN_UTIL_STREAM_H
#define TERN_UTIL_STREAM_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct buf;

#define STREAM_BUFSIZE 16384

/* Return values of the read functions. */
enum stream_status {
	STREAM_ERROR = -2,   /* I/O error, *error_r says which */
	STREAM_TIMEOUT = -1, /* per-op timeout or session deadline */
	STREAM_EOF = 0,      /* orderly end of input, nothing read */
	STREAM_LINE = 1,     /* a complete line, "\n" included */
	STREAM_PARTIAL = 2,  /* limit reached before "\n"; call again */
};

/* I/O operations under a stream; each returns bytes moved, 0 for EOF on
 * read, or -1 with errno set (EAGAIN allowed: the stream polls). A layer
 * such as TLS may need to write in order to read and the reverse: after
 * an EAGAIN, want (when set) says which poll(2) events to wait for
 * (POLLIN or POLLOUT). pending (when set) counts bytes the layer holds
 * already decoded, so that a read needs no wait. error (when set) gives
 * a text for the last -1 that is better than strerror(errno). */
struct stream_ops {
	ssize_t (*read)(void *ctx, void *p, size_t n);
	ssize_t (*write)(void *ctx, const void *p, size_t n);
	void (*close)(void *ctx);
	short (*want)(void *ctx);
	size_t (*pending)(void *ctx);
	const char *(*error)(void *ctx);
};

#define STREAM_FLAG_NOCLOSE 0x1 /* stream_destroy leaves the fd open */

/* Wrap fd. Never fails. A stream on fd -1 with its own ops (say, over a
 * buffer in memory) never polls: its ops must not return EAGAIN. */
struct stream *stream_create(int fd, int flags);
/* Flush nothing; close the fd (unless NOCLOSE); free. *sp becomes NULL. */
void stream_destroy(struct stream **sp);
/* Replace the I/O layer (e.g. with TLS); ctx is passed to each op. */
void stream_set_ops(struct stream *s, const struct stream_ops *ops, void *ctx);
int stream_fd(const struct stream *s);
/* Write to wfd instead of the read descriptor (stand-alone mode serves
 * stdin/stdout). The stream does not close wfd. */
void stream_set_write_fd(struct stream *s, int wfd);

/* Wait until the read descriptor is ready for events (POLLIN or POLLOUT;
 * POLLOUT waits on the write descriptor), within the timeout and the
 * deadline: 0, or STREAM_TIMEOUT / STREAM_ERROR (stream_error says why).
 * For a layer that runs its own exchange over the descriptor (a TLS
 * handshake). */
int stream_wait(struct stream *s, short events);
/* Drop every byte buffered for reading: what a client pipelined before
 * STARTTLS must never be read as if it came inside TLS (RFC 3207 6). */
void stream_discard_input(struct stream *s);

/* Per-operation timeout in seconds (0 = none) and absolute session deadline
 * (0 = none). */
void stream_set_timeout(struct stream *s, int seconds);
void stream_set_deadline(struct stream *s, time_t deadline);

/* Append bytes of the next line to line, at most max bytes in this call.
 * Returns STREAM_LINE when "\n" was reached (included in line),
 * STREAM_PARTIAL when max bytes were appended first, STREAM_EOF when the
 * input ended (any unterminated tail is returned first as STREAM_LINE
 * without "\n"), STREAM_TIMEOUT or STREAM_ERROR. */
int stream_get_line(struct stream *s, struct buf *line, size_t max,
    const char **error_r);
/* Read exactly n bytes into p. Returns 1, STREAM_EOF (short), or an error
 * status as above. */
int
stream_read_exact(struct stream *s, void *p, size_t n, const char **error_r);
/* Bytes already buffered for reading, here or in the layer below (TLS)
 * (PIPELINING: flush replies only when none are waiting). */
size_t stream_pending(const struct stream *s);
/* Whether the stream is its descriptor's bytes as they are: the plain
 * ops, one descriptor both ways (so it can be handed to another process
 * with what stream_buffered holds). */
int stream_is_plain(const struct stream *s);
/* The bytes read and buffered here, not yet taken (*n_r of them). */
const char *stream_buffered(const struct stream *s, size_t *n_r);
/* Put n bytes in front of the input, as if read (a stream that takes over
 * a connection with what its last reader had buffered): only into an
 * empty buffer, at most STREAM_BUFSIZE bytes. 0, or -1. */
int stream_preload(struct stream *s, const void *p, size_t n);

/* Queue output; flushed automatically when the buffer fills. A write of
 * STREAM_BUFSIZE bytes or more is not queued: what is queued goes first,
 * then those bytes from the caller's memory (when that fails, the part
 * not written is kept only as far as the buffer holds it: the stream is
 * broken anyway). A socket (the plain
 * descriptor ops) is written without blocking and waited for only when
 * full. These return 0 or a negative status with *error_r set (via
 * stream_error). */
int stream_write(struct stream *s, const void *p, size_t n);
int stream_puts(struct stream *s, const char *str);
int stream_printf(struct stream *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Write out everything queued. 0 or STREAM_TIMEOUT / STREAM_ERROR. */
int stream_flush(struct stream *s, const char **error_r);
/* The last write error text ("timeout", strerror), or NULL. */
const char *stream_error(const struct stream *s);

#endif
