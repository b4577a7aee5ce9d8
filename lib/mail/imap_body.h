/* imap_body - IMAP's views of a MIME message for FETCH (RFC 9051 6.4.5,
 * 7.5.2; RFC 3501 6.4.5, 7.4.2; RFC 3516 BINARY): ENVELOPE, BODY and
 * BODYSTRUCTURE, the octets of BODY[section] and BINARY[section], and the
 * strings of a FETCH response.
 *
 * Everything works on a message held in memory as mime_parse() read it
 * (mail/mime.h) and shows it as it is on the wire: the stored file may end
 * its lines with a bare LF, and IMAP always sends CRLF, so every size and
 * every fetched octet counts each bare LF as CRLF (a LF at the very start
 * of a range counts as bare, as in the *_bare_lf counts of mime.h, so that
 * a size in BODYSTRUCTURE is the length of the matching BODY[section]).
 * Header values are shown raw (RFC 2047 words left encoded), unfolded.
 *
 * Output is appended to a caller's struct buf, whose maximum bounds it:
 * a function that could not append everything returns -1 and leaves a cut
 * result behind (truncate to the length you had to drop it). Besides the
 * output, nothing here allocates more than scratch space of the order of
 * a header field, keeps state, or fails on peer input otherwise;
 * recursion is bounded by the depth of the mime tree (mime.h's limits).
 * Re-entrant.
 *
 * Case: BODYSTRUCTURE writes types, subtypes, encodings, parameter names
 * and disposition types upper-case, as RFC 3501's example does ("TEXT"
 * "PLAIN" ("CHARSET" "us-ascii") ... "7BIT"), values as written; clients
 * compare them case-insensitively (RFC 9051 7.5.2). */
#ifndef TERN_MAIL_IMAP_BODY_H
#define TERN_MAIL_IMAP_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "mail/mime.h"

struct buf;

/* The longest string written quoted; a longer one is a literal. */
#define IMAP_QUOTED_MAX 1024
/* Addresses kept of one ENVELOPE field (group markers included). */
#define IMAP_ENVELOPE_MAX_ADDRS 1000
/* Content-Language tags kept of one part. */
#define IMAP_BODY_MAX_LANGS 32

/* Strings (RFC 9051 4.3). */

/* Append the n bytes at p as an IMAP nstring: NIL when p is NULL; a
 * quoted string (with \ and " escaped) when the bytes are 7-bit, hold no
 * CR, LF or NUL, and are at most IMAP_QUOTED_MAX long; else a literal
 * "{n}\r\n" and the bytes. A NUL can only go in a literal8 (RFC 3516
 * 4.2): with literal8 set and a NUL among the bytes, "~{n}\r\n" is used;
 * without literal8, each NUL is sent as 0x80 (as Dovecot does: a literal
 * may not hold NUL and the length must stay). Returns 0, or -1 when out's
 * maximum cut the string. */
int imap_write_nstring(struct buf *out, const char *p, size_t n, int literal8);

/* ENVELOPE (imap_envelope.c). */

/* Append the ENVELOPE list of the header block (hdr_len bytes at hdr: a
 * message's header, with or without its empty line): "(" date subject
 * from sender reply-to to cc bcc in-reply-to message-id ")". The first
 * field of each name is used. A field absent gives NIL; a present one
 * its unfolded value (possibly ""). Address fields are lists of
 * (name adl mailbox host) entries, NIL when the field is absent or holds
 * no address; a group is (NIL NIL "name" NIL) ... (NIL NIL NIL NIL)
 * (RFC 3501 7.4.2); sender and reply-to take from's value when they are
 * absent or empty (RFC 9051 7.5.2). Returns 0, or -1 when out's maximum
 * cut it. */
int imap_envelope(const char *hdr, size_t hdr_len, struct buf *out);

/* BODY and BODYSTRUCTURE (imap_body.c). */

/* Append the body structure of the parsed message m (msg and len: the
 * buffer it was parsed from) as RFC 9051 7.5.2's body: "(" ... ")" as a
 * whole. extended 0 gives BODY (no extension data), 1 BODYSTRUCTURE (a
 * non-multipart part's md5, disposition, language and location; a
 * multipart's parameters, disposition, language and location).
 *
 * A multipart's children are its body parts; one without any (no
 * boundary, no part found, a limit) gets one empty text/plain part, as the
 * grammar needs at least one. A message/rfc822 part with an encapsulated
 * message gets the envelope, body and line count of RFC 9051's
 * body-type-msg; any other (encoded, cut by a limit, or message/global,
 * which RFC 3501 clients would misread) is shown as a basic part. A text
 * part without a charset shows charset us-ascii (RFC 2046 4.1.2); an RFC
 * 2231 parameter shows as "NAME*" with its value charset'language'%XX
 * encoded again. Sizes are those of the wire (see above); a line count
 * is that of the body's line ends, as UW-IMAP and Dovecot count them: a
 * last line without one (a body part's always, RFC 2046 5.1.1) does not
 * count. Returns 0, or -1 when out's maximum cut it. */
int imap_bodystructure(const struct mime_message *m, const char *msg,
    size_t len, int extended, struct buf *out);

/* Sections (imap_section.c): BODY[section]<partial>, BINARY[section] and
 * BINARY.SIZE[section] (RFC 9051 6.4.5, RFC 3516). */

/* The deepest part path: one number a level of the tree, plus one. */
#define IMAP_SECTION_MAX_PATH (MIME_HARD_MAX_DEPTH + 1)
/* Header names of one HEADER.FIELDS list, and their bytes in all. */
#define IMAP_SECTION_MAX_FIELDS 100
#define IMAP_SECTION_NAMES_MAX 4096
/* The largest number in a part path. */
#define IMAP_SECTION_PART_MAX 1000000000u

/* What follows the part path. */
enum imap_section_text {
	IMAP_SECTION_ALL,        /* nothing: the whole message or the part */
	IMAP_SECTION_HEADER,     /* HEADER */
	IMAP_SECTION_FIELDS,     /* HEADER.FIELDS (names) */
	IMAP_SECTION_FIELDS_NOT, /* HEADER.FIELDS.NOT (names) */
	IMAP_SECTION_TEXT,       /* TEXT */
	IMAP_SECTION_MIME,       /* MIME (only after a part path) */
};

/* A parsed section: the part path (npath numbers, each at least 1; none
 * for the message itself), the text after it, and for the HEADER.FIELDS
 * forms the header names, unquoted: name i is the name_len[i] bytes at
 * names + name_off[i]. Self-contained (no pointer into the text, nothing
 * to free); a few kilobytes, fine on the stack. */
struct imap_section {
	unsigned path[IMAP_SECTION_MAX_PATH];
	unsigned npath;
	enum imap_section_text text;
	unsigned nfields;
	unsigned name_off[IMAP_SECTION_MAX_FIELDS];
	unsigned name_len[IMAP_SECTION_MAX_FIELDS];
	char names[IMAP_SECTION_NAMES_MAX];
};

/* Parse the len bytes at text: the section between "[" and "]" as
 * imap_parse.h leaves it (IMAP_ARG_F_SECTION: verbatim, header names
 * possibly quoted) by RFC 9051's section-spec: a part path "1.2.3" (no
 * zero, no leading zero, at most IMAP_SECTION_PART_MAX, at most
 * IMAP_SECTION_MAX_PATH numbers), then, after a "." or alone, HEADER,
 * HEADER.FIELDS or HEADER.FIELDS.NOT followed by SP and a parenthesized
 * list of one or more names separated by one SP (atoms or quoted
 * strings; the parser lets no literal into a section), TEXT, or, only
 * after a part path, MIME. Keywords are case-insensitive. Returns 0, or
 * -1 on anything else, or more names than the limits above (the server
 * answers BAD). */
int imap_section_parse(const char *text, size_t len, struct imap_section *sec);

/* imap_section_fetch's results besides 0 and -1. */
#define IMAP_SECTION_UNKNOWN_CTE (-2) /* NO [UNKNOWN-CTE] (RFC 3516 4.3) */
#define IMAP_SECTION_NOT_BINARY (-3)  /* BAD: BINARY takes a path only */

/* Append the octets of section sec of the message m (parsed from the
 * len bytes at msg), with every bare LF sent as CRLF:
 *   []          the whole message;   [HEADER], [TEXT]: its header (with
 *               the empty line) and its body;
 *   [p]         part p's body; part 1 of a message that is not multipart
 *               is its body; a message/rfc822 (or global) part's body is
 *               the whole encapsulated message, whose parts are p.1,
 *               p.2... (or p.1 for its body when it is not multipart);
 *   [p.MIME]    part p's own header (for part 1 of a message that is not
 *               multipart: the message's header);
 *   [p.HEADER], [p.TEXT], [p.HEADER.FIELDS...]: the header and body of
 *               the message encapsulated in message/rfc822 part p;
 *               nothing for any other part;
 *   HEADER.FIELDS (names) the fields of that header whose names are in
 *               the list, HEADER.FIELDS.NOT those whose are not, as
 *               written (folding kept) in the header's order, then the
 *               empty line, unless the header had none (RFC 9051
 *               6.4.5); each field ends with CRLF even at the end.
 * A part that does not exist gives nothing: the response is an empty
 * string (RFC 9051 6.4.5), not an error.
 *
 * binary 1 (BINARY[p], BINARY.SIZE[p]) decodes the part's body by its
 * Content-Transfer-Encoding (base64, quoted-printable; 7bit, 8bit, binary
 * and none as they are), after the CRLF conversion; [] is the whole
 * message as it is. BINARY.SIZE is the length of this output.
 *
 * The output is never longer than 2 * len + 2 bytes (a LF becomes CRLF,
 * a header's last field gets its CRLF, HEADER.FIELDS its empty line): an
 * out with that much room is never cut. The partial <a.b> is the caller's:
 * imap_partial() on the output.
 * Returns 0; -1 when out's maximum cut the output; with binary,
 * IMAP_SECTION_UNKNOWN_CTE for a Content-Transfer-Encoding it cannot
 * decode, IMAP_SECTION_NOT_BINARY when sec holds more than a part path
 * (nothing appended in both cases). */
int imap_section_fetch(const struct mime_message *m, const char *msg,
    size_t len, const struct imap_section *sec, int binary, struct buf *out);

/* Keep of b's contents only the partial <off.count> (RFC 9051 6.4.5):
 * from octet off, at most count octets; empty when off is past the end.
 * Never fails. */
void imap_partial(struct buf *b, uint64_t off, uint64_t count);

#endif
