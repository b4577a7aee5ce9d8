/* rec - typed, length-prefixed records: the queue file codec.
 * A record is <type byte><length varint><data>. The length is an unsigned
 * LEB128 varint (7 bits per byte, low group first, high bit = more), at most
 * REC_LEN_MAX_BYTES bytes and canonical (no trailing zero groups), so one
 * length has exactly one encoding. Because every value is length-prefixed,
 * no data byte (CR, LF, NUL, or bytes that look like a record type) can ever
 * start another record: the CVE-2020-8794 class of record forgery cannot
 * happen here. This header lists every record type that Tern writes.
 *
 * A rec_writer appends records to an fd through a buffer of pending output
 * and writes in large chunks; a rec_reader reads records from an fd with
 * pread at its own offset (the fd's file offset is never used or moved), so
 * two readers may share one fd. Both are heap objects owned by the caller;
 * neither owns the fd. Errors are returned as -1 / REC_ERROR with *error_r
 * pointing at text owned by the object, valid until its next call. Nothing
 * here is fatal except misuse (a type byte outside 1..255: panic). */
#ifndef TERN_MAIL_REC_H
#define TERN_MAIL_REC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct buf;

/* Every record type. The value is the type byte on disk (printable, so that
 * a hex dump of a queue file reads well). Lower-case letters are reserved for
 * optional extensions that a reader of the same major version may skip;
 * an unknown upper-case type is an error. */
enum rec_type {
	/* First record of a queue file: "tern-queue <major>.<minor>". */
	REC_TYPE_VERSION = 'V',
	/* Arrival time: 8 bytes big-endian seconds, 4 bytes big-endian
	 * microseconds (< 1000000). Exactly one per file. */
	REC_TYPE_TIME = 'T',
	/* Envelope sender, no NUL; empty = the null sender <>. Exactly one. */
	REC_TYPE_FROM = 'S',
	/* Named attribute: <varint name length><name><value>; name non-empty,
	 * neither name nor value contains NUL; name contains no '='. */
	REC_TYPE_ATTR = 'A',
	/* Recipient still to deliver: <varint final length><final><orig>. */
	REC_TYPE_RCPT = 'R',
	/* Same layout as REC_TYPE_RCPT; the recipient is finished (delivered or
	 * bounced). Made by overwriting the type byte of a REC_TYPE_RCPT. */
	REC_TYPE_RCPT_DONE = 'D',
	/* A chunk of message content, as received, LF line endings. */
	REC_TYPE_CONT = 'C',
	/* End of file (empty data). A file without it is incomplete. */
	REC_TYPE_END = 'E',
	/* Optional extensions (lower case: a reader of the same major
	 * version that does not know them skips them). */
	/* DSN parameters of the recipient record right after it (RFC 3461):
	 * <varint length><NOTIFY mask in decimal><ORCPT "type;address" or
	 * empty>. */
	REC_TYPE_DSN = 'n',
	/* Delay warning state, one byte: '0' none sent yet, '1' sent. Made
	 * '1' in place (pwrite), as a recipient is marked done. At most one
	 * per file. */
	REC_TYPE_WARN = 'w',
};

/* Return values of rec_get besides a type byte. */
#define REC_EOF (-2)   /* clean end of file at a record boundary */
#define REC_ERROR (-1) /* truncated, garbage or I/O error; see *error_r */

/* Longest length varint: ten bytes carry 64 bits. */
#define REC_LEN_MAX_BYTES 10
/* Longest record header: type byte plus length. */
#define REC_HDR_MAX (1 + REC_LEN_MAX_BYTES)

/* Encode v as a canonical varint into out; returns the number of bytes used
 * (1..REC_LEN_MAX_BYTES). Never fails. */
size_t rec_len_encode(uint64_t v, unsigned char out[REC_LEN_MAX_BYTES]);

/* Decode a varint from the n bytes at p. Returns 1 with *v_r and *used_r
 * set, 0 when more bytes are needed (p is a proper prefix of a valid
 * encoding), or -1 with *error_r set (static text) for an overlong or
 * non-canonical encoding or a value above 64 bits. */
int rec_len_decode(const unsigned char *p, size_t n, uint64_t *v_r,
    size_t *used_r, const char **error_r);

/* A short lower-case name of a record type ("rcpt") for tools and logs;
 * "unknown" for anything else. Never fails. */
const char *rec_type_name(int type);

/* Return 1 when type is one of the REC_TYPE_* values above, else 0. */
int rec_type_known(int type);

/* Writer: records go to fd starting at file offset start (written with
 * pwrite, so the fd's file offset is not used). Never fails. */
struct rec_writer *rec_writer_create(int fd, off_t start);

/* Free the writer and any unflushed output (the fd stays open).
 * Sets *wp to NULL; NULL is allowed. */
void rec_writer_destroy(struct rec_writer **wp);

/* Append one record. Small records are buffered; a record larger than the
 * buffer is written directly after the pending output. Returns 0, or -1 with
 * *error_r set (a write error, or a length past the file size limit); after
 * an error the writer refuses everything. Panics for a type outside 1..255. */
int rec_put(struct rec_writer *w, int type, const void *p, size_t n,
    const char **error_r);

/* Write all pending output. Returns 0, or -1 with *error_r set. */
int rec_flush(struct rec_writer *w, const char **error_r);

/* File offset where the next record will start (written or pending).
 * Never fails. */
off_t rec_writer_offset(const struct rec_writer *w);

/* Reader: records are read from fd starting at file offset start, through
 * a private read-ahead buffer. Never fails. */
struct rec_reader *rec_reader_create(int fd, off_t start);

/* Free the reader (the fd stays open). Sets *rp to NULL; NULL is allowed. */
void rec_reader_destroy(struct rec_reader **rp);

/* Read the next record. Its data (at most max bytes, else an error) replaces
 * the contents of data; with data NULL the data is skipped (max still
 * applies). *offset_r (may be NULL) is set to the offset of the type byte.
 * Returns the type byte (1..255), REC_EOF at a clean end of file, or
 * REC_ERROR with *error_r set: a zero type byte, a bad length, a record cut
 * short by the end of the file, a length above max or above data's own
 * maximum, or a read error. After REC_ERROR the reader stays failed. */
int rec_get(struct rec_reader *r, struct buf *data, size_t max, off_t *offset_r,
    const char **error_r);

/* Data length of the record that rec_get returned last (also when its data
 * was skipped); 0 before the first record. Never fails. */
size_t rec_reader_last_len(const struct rec_reader *r);

/* File offset of the next record to be read. Never fails. */
off_t rec_reader_offset(const struct rec_reader *r);

/* The errno of the read(2) failure that made the reader fail, or 0 when
 * it has not failed or failed on the contents (a bad or cut-short record):
 * a caller tells a damaged file from a passing system error with it.
 * Never fails. */
int rec_reader_read_errno(const struct rec_reader *r);

#endif
