/* imap_parse - a streaming parser of IMAP client commands (RFC 3501 9,
 * RFC 9051 9) with LITERAL+ / LITERAL- (RFC 7888), literal8 (RFC 3516) and
 * SEARCHRES "$" (RFC 5182).
 *
 * The server feeds the parser whatever bytes it has read; the parser never
 * blocks and never reads a descriptor. imap_parser_feed() consumes input
 * up to the next event and says what happened: NEED_MORE (all consumed, feed
 * more), CONTINUE (a synchronizing literal was accepted: send "+ OK" and
 * feed on), LITERAL (a piece of a streamed literal), COMMAND (a whole
 * command: imap_parser_command()), BAD (answer "<tag> BAD <text>" with
 * imap_parser_tag() and imap_parser_error(); the parser is already
 * skipping the rest of that command) or FATAL (the session cannot be
 * resynchronized: send "* BYE" and close). It never consumes past the
 * command it reports, so pipelined bytes stay with the caller (which
 * matters before STARTTLS, AUTHENTICATE and IDLE).
 *
 * A command is a tag, an upper-cased name and a tree of struct imap_arg
 * values: ATOM, NUMBER (digits only, at most 2^63-1), SEQSET (a valid
 * sequence set other than a plain number, or "$"), STRING (quoted,
 * unescaped), LITERAL ({n}, {n+}, ~{n}, ~{n+}), NIL and LIST. The command,
 * its values, the tag and the error text belong to the parser and stay
 * valid until the next imap_parser_feed() or imap_parser_destroy().
 *
 * FETCH's section forms: a bare token may hold bracket groups, inside
 * which spaces, one level of parentheses and quoted strings are allowed,
 * and right after the first "]" a partial "<a.b>". The whole token is one
 * ATOM whose str is the text verbatim (BODY.PEEK[HEADER.FIELDS (A B)]<0.10>)
 * with IMAP_ARG_F_SECTION; section_off/section_len locate the text between
 * the first "[" and its "]" within str (quoted header names are left
 * quoted there), and with IMAP_ARG_F_PARTIAL partial_off/partial_len hold
 * a and b. The FETCH code interprets the section text. A bare token with
 * an unbalanced "[" is BAD (a mailbox named so must be quoted).
 *
 * Lexical rules: CRLF ends a line, a bare LF is accepted too; values are
 * separated by exactly one SP, none after "(" or before ")"; one trailing
 * SP before the end of the command is tolerated. 8-bit bytes in quoted
 * strings only when limits.utf8 is set, and then only as well-formed
 * UTF-8 (RFC 3629); NUL never in a quoted string or a literal (literal8 may
 * hold it).
 *
 * Limits (struct imap_parser_limits, a zero field takes the default) are
 * all checked before memory is spent: memory per command is bounded by
 * line_max, elements_max values, command_literal_max octets of buffered
 * literals, and time is linear in the input (every byte is looked at a
 * bounded number of times, however many literals or parentheses).
 * Literals at least stream_min octets long (when set) are not buffered:
 * their octets come out in pieces with IMAP_PARSE_LITERAL, for APPEND.
 *
 * Errors and resynchronization: after BAD the parser skips to the end of
 * the command. Whether a line ends in a literal is decided from the line's
 * text alone, as the client does: a refused or skipped synchronizing
 * literal is never sent by the client (no "+" came), so the command ends
 * with that line; a non-synchronizing literal is sent regardless, so its
 * octets are read and discarded (RFC 7888 4's first choice), and the line
 * after it is skipped in the same way. Only when such a literal is longer
 * than discard_max (or its size does not fit in 64 bits) does the parser
 * give up with FATAL, as RFC 7888 allows. A NUL inside a literal gives BAD
 * at once and the rest of the literal is discarded. The parser accepts a
 * value of any type wherever an argument may stand (literal8 too): which
 * types a command takes is for its handler to check. Peer input never
 * panics; a feed after FATAL returns FATAL again; calling
 * imap_parser_refuse_literal() without a pending CONTINUE is a caller bug
 * and panics. Not thread-safe. */
#ifndef TERN_MAIL_IMAP_PARSE_H
#define TERN_MAIL_IMAP_PARSE_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* Defaults of struct imap_parser_limits. */
#define IMAP_PARSE_DEF_LINE_MAX 65536 /* RFC 7162 3.2.1: at least 8192 */
#define IMAP_PARSE_DEF_LITERAL_MAX ((size_t)64 * 1024 * 1024)
#define IMAP_PARSE_DEF_COMMAND_LITERAL_MAX ((size_t)1024 * 1024)
#define IMAP_PARSE_DEF_DISCARD_MAX ((uint64_t)64 * 1024 * 1024)
#define IMAP_PARSE_DEF_DEPTH_MAX 32
#define IMAP_PARSE_DEF_ELEMENTS_MAX 10000
#define IMAP_PARSE_DEF_RANGES_MAX 8192
#define IMAP_PARSE_DEF_LITERALS_MAX 256
/* RFC 7888 4: LITERAL- allows non-synchronizing literals up to this. */
#define IMAP_PARSE_LITERAL_MINUS_MAX 4096

/* Which non-synchronizing literals the server announced. */
enum imap_literal_policy {
	IMAP_LITERAL_PLUS = 0, /* LITERAL+: any size (within literal_max) */
	IMAP_LITERAL_MINUS,    /* LITERAL-: at most 4096 octets */
	IMAP_LITERAL_NONE,     /* none: {n+} is always refused */
};

struct imap_parser_limits {
	/* bytes of one command outside its literals (CRs count, LFs not) */
	size_t line_max;
	size_t literal_max; /* octets of one literal (buffered or streamed) */
	/* octets of the buffered literals of one command (streamed ones
	 * do not count: they take no memory) */
	size_t command_literal_max;
	/* literals of at least this many octets are streamed; 0: never */
	size_t stream_min;
	/* a refused non-synchronizing literal longer than this is FATAL
	 * rather than read and discarded */
	uint64_t discard_max;
	unsigned depth_max;    /* nesting of parenthesized lists */
	unsigned elements_max; /* values of one command, lists included */
	unsigned ranges_max;   /* ranges of one sequence set */
	unsigned literals_max; /* literals of one command */
	enum imap_literal_policy literal_policy;
	int utf8; /* 8-bit bytes allowed in quoted strings (UTF8=ACCEPT) */
};

enum imap_parse_status {
	IMAP_PARSE_NEED_MORE, /* all input consumed; feed more */
	IMAP_PARSE_CONTINUE,  /* send "+ OK ..." (or refuse_literal) */
	IMAP_PARSE_LITERAL,   /* imap_parser_literal() has a piece */
	IMAP_PARSE_COMMAND,   /* imap_parser_command() is ready */
	IMAP_PARSE_BAD,       /* "<imap_parser_tag()> BAD <error>" */
	IMAP_PARSE_FATAL,     /* "* BYE <error>" and close */
};

enum imap_arg_type {
	IMAP_ARG_ATOM,
	IMAP_ARG_NUMBER,
	IMAP_ARG_SEQSET,
	IMAP_ARG_STRING,
	IMAP_ARG_LITERAL,
	IMAP_ARG_NIL,
	IMAP_ARG_LIST,
};

#define IMAP_ARG_F_LITERAL8 0x01 /* ~{n} */
#define IMAP_ARG_F_NONSYNC 0x02  /* {n+} */
#define IMAP_ARG_F_STREAMED 0x04 /* octets went out as LITERAL pieces */
#define IMAP_ARG_F_SECTION 0x08  /* ATOM with [...] */
#define IMAP_ARG_F_PARTIAL 0x10  /* ... and <a.b> after it */

/* "*" in a range: the largest number in use. */
#define IMAP_SEQ_STAR 0

/* One range as written (first may exceed last; IMAP_SEQ_STAR for "*"). */
struct imap_seq_range {
	uint32_t first, last;
};

/* A validated sequence set: count ranges, or "$" (RFC 5182: the saved
 * search result) with count 0 and saved set. */
struct imap_seqset {
	unsigned count;
	int saved;
	struct imap_seq_range *ranges;
};

struct imap_arg {
	enum imap_arg_type type;
	unsigned flags;
	/* ATOM, NUMBER, SEQSET, NIL: the token; STRING: unescaped;
	 * LITERAL: the octets (NULL when streamed). NUL-terminated; a
	 * literal8 may hold NULs (use len). NULL for LIST. */
	const char *str;
	size_t len;   /* bytes of str (literal octets); LIST: elements */
	uint64_t num; /* NUMBER */
	/* SEQSET, and NUMBER in 1..2^32-1 (also a valid set) */
	const struct imap_seqset *seqset;
	struct imap_arg *list;           /* LIST: first element or NULL */
	struct imap_arg *next;           /* next value at this level or NULL */
	size_t section_off, section_len; /* IMAP_ARG_F_SECTION */
	uint32_t partial_off, partial_len; /* IMAP_ARG_F_PARTIAL */
};

struct imap_command {
	const char *tag;
	const char *name;            /* upper-cased */
	const struct imap_arg *args; /* first argument or NULL */
	unsigned nargs;
};

struct imap_parser;

/* A parser for one session. limits may be NULL (every default); a zero
 * field takes its default. Never fails. */
struct imap_parser *imap_parser_create(const struct imap_parser_limits *lim);
/* Allow (or not) 8-bit UTF-8 in quoted strings from the next command on
 * (ENABLE IMAP4rev2 or UTF8=ACCEPT, RFC 9051 4.3, RFC 6855 3). */
void imap_parser_set_utf8(struct imap_parser *p, int on);
/* Free the parser and everything it returned; *pp becomes NULL. */
void imap_parser_destroy(struct imap_parser **pp);
/* Forget any partial command (after STARTTLS, say); the next byte starts
 * a command. Also clears FATAL. */
void imap_parser_reset(struct imap_parser *p);

/* Consume bytes at data (len of them) up to the next event; *consumed_r
 * says how many (never more than len; at least 1 with any status but
 * NEED_MORE and FATAL). Returns an enum imap_parse_status. The next call
 * after COMMAND or a completed BAD starts the next command. */
int imap_parser_feed(struct imap_parser *p, const char *data, size_t len,
    size_t *consumed_r);

/* After COMMAND: the command. After CONTINUE or LITERAL: what has been
 * parsed so far (tag and name, the arguments so far, the literal being
 * read last). NULL before a name has been read. */
const struct imap_command *imap_parser_command(const struct imap_parser *p);
/* After BAD: the command's tag if it was read, else "*". */
const char *imap_parser_tag(const struct imap_parser *p);
/* After BAD or FATAL: what was wrong (for the client: no peer bytes). */
const char *imap_parser_error(const struct imap_parser *p);
/* After LITERAL: the piece (it points into the data last fed) and its
 * length; *left_r gets the octets still to come (0 with the last piece). A
 * BAD may still follow (a NUL): then drop what was received. */
const char *imap_parser_literal(const struct imap_parser *p, size_t *len_r,
    uint64_t *left_r);
/* After CONTINUE, instead of sending "+": the server refuses the literal
 * (with its own tagged NO or BAD); the client will not send it, so the
 * command is over. Panics when no CONTINUE is pending. */
void imap_parser_refuse_literal(struct imap_parser *p);

/* Append a canonical rendering of cmd to out, for tests and debug logs
 * (peer bytes escaped): tag NAME, then each value: atom text, #number,
 * seq:1:3,5, "string", {n}"octets" (~ literal8, + non-sync, {n}... when
 * streamed), NIL, (list). Returns 0, or -1 when out is full. */
int imap_command_dump(const struct imap_command *cmd, struct buf *out);

/* imap_seqset.c: check the n bytes at s as a sequence set (not "$") and
 * count its ranges, filling out with them when not NULL (room for the
 * count). Returns the count, or -1 when s is no sequence set. */
long imap_seqset_scan(const char *s, size_t n, struct imap_seq_range *out);

/* Parse len bytes at s as a sequence set (nz-number or "*", ranges a:b,
 * comma lists, or "$" alone) of at most ranges_max ranges. Returns a set
 * to free with imap_seqset_free(), or NULL with *error_r set. */
struct imap_seqset *imap_seqset_parse(const char *s, size_t len,
    unsigned ranges_max, const char **error_r);
void imap_seqset_free(struct imap_seqset **setp);
/* Resolve set against max (the largest number in use, which "*" stands
 * for): write to out (room for set->count ranges) the ranges sorted, with
 * first <= last, overlapping and adjacent ones merged; returns how many.
 * Iterate members with: for (n = r.first;; n++) { ...; if (n == r.last)
 * break; }. A "$" set resolves to nothing (the caller substitutes). */
unsigned imap_seqset_resolve(const struct imap_seqset *set, uint32_t max,
    struct imap_seq_range *out);
/* 1 when n is in set, "*" standing for max; else 0. */
int
imap_seqset_contains(const struct imap_seqset *set, uint32_t n, uint32_t max);

#endif
