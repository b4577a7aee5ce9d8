/* mime - a MIME message as a tree of parts (RFC 2045, 2046, 2231), the
 * decoders of its bodies, and RFC 2047 encoded words, for IMAP's
 * BODYSTRUCTURE, BODY[section], BINARY and SEARCH.
 *
 * mime_parse() reads a whole message held in memory (the stored file, LF or
 * CRLF line ends, mixed is fine) in one forward pass and builds a tree of
 * struct mime_part. Every position is a byte offset into that buffer, and
 * every size a count of its bytes, so a server that shows CRLF adds the
 * *_bare_lf counts (LFs without a CR before them) to get the converted
 * sizes. The tree owns copies of the strings it keeps and does not point
 * into the buffer, but its offsets are meaningful only with it. Header
 * values are unfolded (RFC 5322 2.2.3) and trimmed; types, subtypes,
 * encodings and parameter names are lower-cased; RFC 2231 parameters are
 * joined and percent-decoded (their charset and language kept beside).
 *
 * Everything is bounded by a struct mime_limits (defaults below): nesting
 * depth, parts, parameters per field, bytes kept of a field, RFC 2231
 * sections. Beyond a limit the rest is opaque content of the part where the
 * limit was hit (which gets MIME_PART_TRUNCATED), so time stays linear in the
 * message size (times the depth limit, for boundary checks) and memory
 * linear in the parts kept. Peer input never fails: any byte string parses
 * into some tree. Not thread-safe per tree; re-entrant otherwise. */
#ifndef TERN_MAIL_MIME_H
#define TERN_MAIL_MIME_H

#include <stddef.h>

struct buf;

#define MIME_DEF_MAX_DEPTH 20     /* nested multipart/message levels */
#define MIME_DEF_MAX_PARTS 2000   /* parts in a message, root included */
#define MIME_DEF_MAX_PARAMS 32    /* parameters kept per field */
#define MIME_DEF_MAX_FIELD 16384  /* bytes kept of an unfolded field */
#define MIME_DEF_MAX_SECTIONS 100 /* RFC 2231 sections of one parameter */
#define MIME_HARD_MAX_DEPTH 100   /* depth is clamped here (C recursion) */
#define MIME_BOUNDARY_MAX 200     /* a longer boundary is no boundary */

struct mime_limits {
	unsigned max_depth;    /* 0: the root only; clamped to HARD_MAX */
	unsigned max_parts;    /* at least 1 (the root) */
	unsigned max_params;   /* per Content-Type / Content-Disposition */
	size_t max_field;      /* bytes of an unfolded field value */
	unsigned max_sections; /* RFC 2231 continuations of one parameter */
};

/* The defaults above. */
extern const struct mime_limits mime_default_limits;

/* One parameter: value is the joined, percent-decoded bytes (in charset
 * when the parameter was RFC 2231 extended, else as written: possibly an
 * RFC 2047 word that mime_word_decode() can read); charset and language
 * are NULL unless given the RFC 2231 way. */
struct mime_param {
	char *name; /* lower case, without "*0*" and the like */
	char *value;
	size_t value_len; /* the value may hold a NUL (from %00) */
	char *charset;
	char *language;
};

enum mime_part_flag {
	MIME_PART_DEFAULT_TYPE = 1 << 0,    /* no or bad Content-Type */
	MIME_PART_TRUNCATED = 1 << 1,       /* a limit hit: rest is opaque */
	MIME_PART_NO_END_BOUNDARY = 1 << 2, /* multipart without close line */
	MIME_PART_NO_BOUNDARY = 1 << 3,     /* multipart without a boundary */
	MIME_PART_NO_BODY = 1 << 4,         /* header without an empty line */
};

/* A part: the root is the message; a multipart's children are its body
 * parts in order; a message/rfc822 or message/global part (not base64 or
 * quoted-printable, body not empty) has one child, the encapsulated
 * message. A multipart may end up without children (no boundary, none
 * found, a limit), a message part without its child (the same): IMAP
 * writers must cope. Strings are NUL-terminated, NULL when absent. */
struct mime_part {
	struct mime_part *parent, *children, *next;
	unsigned nchildren;
	unsigned depth; /* root 0 */
	unsigned flags; /* enum mime_part_flag */

	/* The header: hdr_len includes the empty line that ends it. The body
	 * of a multipart's child ends before the line break that precedes
	 * the next boundary line (RFC 2046 5.1.1: it belongs to the
	 * delimiter). *_lines counts lines (LFs, plus one for a last line
	 * without LF); *_bare_lf counts LFs without a CR before them. */
	size_t hdr_off, hdr_len, hdr_lines, hdr_bare_lf;
	size_t body_off, body_len, body_lines, body_bare_lf;

	char *type, *subtype; /* lower case; "text", "plain" by default */
	struct mime_param *params;
	unsigned nparams;
	char *encoding; /* Content-Transfer-Encoding, lower case */
	char *id, *description, *md5, *language, *location;
	char *disposition; /* lower case */
	struct mime_param *disp_params;
	unsigned ndisp_params;
};

struct mime_message;

/* Parse the len bytes at data into a tree under limits (NULL: the
 * defaults). data need not be NUL-terminated and must outlive no call:
 * nothing points into it. Never fails. */
struct mime_message *
mime_parse(const char *data, size_t len, const struct mime_limits *limits);
/* Free the tree; sets *mp to NULL. NULL is a no-op. */
void mime_destroy(struct mime_message **mp);
/* The root part (the message). Never NULL. */
const struct mime_part *mime_root(const struct mime_message *m);
/* The number of parts in the tree, root included. */
unsigned mime_part_count(const struct mime_message *m);

/* The value of parameter name (case-insensitive) among n params, or NULL;
 * *len_r (when not NULL) gets its length. */
const char *mime_param_get(const struct mime_param *params, unsigned n,
    const char *name, size_t *len_r);

/* Header helpers, for any header block (hdr_len bytes at hdr; it may
 * include the empty line). Find the first field called name
 * (case-insensitive) at or after *pos (start with 0); when found, set *pos
 * past it for the next call, append its unfolded value, trimmed of
 * leading and trailing white space, to value (cut at value's maximum) and
 * return 1; else return 0. A line that is neither a field nor a
 * continuation is skipped. Never fails. */
int mime_header_find(const char *hdr, size_t hdr_len, const char *name,
    size_t *pos, struct buf *value);
/* Append the unfolded, trimmed value of the n bytes at raw (a field body
 * as found in a header) to out, cut at out's maximum. */
void mime_header_unfold(const char *raw, size_t n, struct buf *out);

/* Address lists for IMAP's ENVELOPE (mime_addr.c): From, To, Cc...
 * parsed leniently by RFC 5322 3.4 (obsolete routes and a comment as the
 * name of a bare addr-spec included). A group "name: a, b;" gives a start
 * entry (mailbox the group's name, host NULL), its members, and an end
 * entry (mailbox and host NULL), as RFC 3501 7.4.2 wants them. name is
 * the display name with quotes and escapes removed and RFC 2047 words
 * left encoded (ENVELOPE shows them raw; mime_word_decode() for SEARCH);
 * mailbox is the local part as written (a quoted one keeps its quotes).
 * A mailbox without "@" gets host MIME_ADDR_MISSING_DOMAIN, and an empty
 * one MIME_ADDR_MISSING_MAILBOX, so that host is NULL only in groups. */
#define MIME_ADDR_MISSING_DOMAIN "MISSING_DOMAIN"
#define MIME_ADDR_MISSING_MAILBOX "MISSING_MAILBOX"

struct mime_address {
	char *name;    /* NULL when none */
	char *route;   /* "@a,@b" of an obsolete route, or NULL */
	char *mailbox; /* NULL at a group's end */
	char *host;    /* NULL at a group's start and end */
};

/* Parse the n bytes at value (an unfolded field value) into at most max
 * entries, each string cut at MIME_DEF_MAX_FIELD bytes; the rest is
 * ignored. *list_r gets an array to free with mime_addr_free() (NULL
 * when there are none). Returns the number of entries. Never fails. */
unsigned mime_addr_parse(const char *value, size_t n, unsigned max,
    struct mime_address **list_r);
/* Free n entries from mime_addr_parse(). */
void mime_addr_free(struct mime_address *list, unsigned n);

/* Streaming Content-Transfer-Encoding decoders (mime_decode.c). base64
 * is lenient like mail clients: it skips white space and any byte outside
 * the alphabet, and stops at the first "=" (padding ends the data).
 * quoted-printable (RFC 2045 6.7) takes lower-case hex too, drops
 * white space at the end of a line and soft line breaks ("=" at a line
 * end), and passes an invalid "=" sequence through as it stands. Line
 * ends stay as written. Any other encoding (7bit, 8bit, binary, unknown,
 * NULL) copies the bytes. */
enum mime_encoding {
	MIME_ENC_IDENTITY,
	MIME_ENC_BASE64,
	MIME_ENC_QP,
};

struct mime_decoder {
	enum mime_encoding enc;
	unsigned state; /* per encoding */
	unsigned bits;  /* base64: pending sextets; QP: pending nibble */
	unsigned nbits; /* base64: how many sextets */
	int cr;         /* QP: a CR waits for its LF */
	char hold[80];  /* QP: white space that may end a line */
	size_t nhold;
};

/* The encoding a Content-Transfer-Encoding value names. */
enum mime_encoding mime_encoding_get(const char *cte);
/* Start decoding with enc. Never fails. */
void mime_decoder_init(struct mime_decoder *d, enum mime_encoding enc);
/* Decode the n bytes at in (any split of the body) and append to out.
 * Returns 0, or -1 when out's maximum cut the output (the rest of this
 * piece is lost; the decoder stays usable). */
int mime_decoder_feed(struct mime_decoder *d, const void *in, size_t n,
    struct buf *out);
/* The end of the body: append what is still held. Returns 0 or -1 as
 * mime_decoder_feed(). */
int mime_decoder_finish(struct mime_decoder *d, struct buf *out);

/* Decode the RFC 2047 encoded words in the n bytes at in (an unfolded
 * header value) and append the result as UTF-8 to out (mime_word.c).
 * "B" and "Q" words in any charset charset.h converts are decoded (an
 * RFC 2231 "*language" suffix is ignored);
 * white space between two encoded words is dropped and their bytes joined
 * before conversion (6.2), so a character split across words survives.
 * A word in another charset, or malformed, is left as it stands. Bytes
 * that are not valid in their charset (and 8-bit bytes outside words, when
 * not valid UTF-8) become U+FFFD. Returns 0, or -1 when out's maximum cut
 * the result. */
int mime_word_decode(const char *in, size_t n, struct buf *out);

#endif
