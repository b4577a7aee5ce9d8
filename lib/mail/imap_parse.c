/* SPDX-License-Identifier: MIT */
/* imap_parse - a streaming IMAP command parser with bounded memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/imap_parse.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

/* Where feed() is in the byte stream. */
enum state {
	ST_LINE,         /* collecting a line of the command */
	ST_LITERAL,      /* reading an accepted literal's octets */
	ST_SKIP_LINE,    /* after BAD: skipping to the end of a line */
	ST_SKIP_LITERAL, /* after BAD: discarding a non-sync literal */
	ST_DEAD,         /* FATAL: cannot resynchronize */
};

/* Where the command's text is. */
enum stage {
	STAGE_TAG,
	STAGE_NAME,
	STAGE_ARGS,
};

/* Does the line end in a literal marker ~{n}, {n+}? Followed byte by byte
 * over the text of every line, accepted or skipped, so that resync after
 * an error sees what the client sees: only the line's last bytes count. */
enum mark {
	MK_NONE,
	MK_DIGITS,   /* after "{" and digits */
	MK_PLUS,     /* after "{n+" */
	MK_CLOSED,   /* after "}" */
	MK_CLOSED_CR /* after "}\r" */
};

/* What parsing one line of the command gave. */
enum seg {
	SEG_DONE,    /* the command is complete */
	SEG_LITERAL, /* the line ends in an accepted literal */
	SEG_BAD,     /* p->error set */
};

#define ARENA_CHUNK 8192
#define ALIGN16(n) (((n) + 15) & ~(size_t)15)
#define NUMBER64_MAX ((uint64_t)INT64_MAX) /* RFC 9051 number64 */

/* Per-command memory, freed as a whole when the next command starts. */
struct chunk {
	struct chunk *next;
	size_t size, used;
};
#define CHUNK_HDR ALIGN16(sizeof(struct chunk))

struct imap_parser {
	struct imap_parser_limits lim;
	enum state state;
	int finished;     /* the next feed starts a new command */
	int cont_pending; /* CONTINUE was the last result */
	struct buf line;  /* the current line, without its LF */
	size_t cmd_bytes; /* bytes of this command outside literals */

	enum mark mk;
	int mk_plus, mk_digits;
	uint64_t mk_val; /* saturates at UINT64_MAX */

	struct chunk *chunks;
	enum stage stage;
	int have_cmd;
	struct imap_command cmd;
	struct imap_arg root;    /* the arguments, as a list */
	struct imap_arg **stack; /* open lists, stack[0] = &root */
	struct imap_arg **tail;  /* last value of each open list */
	unsigned depth;
	int need_sep;    /* a value ended: SP, ")" or the end must follow */
	int just_opened; /* right after "(" */
	int after_sp;    /* right after a separating SP */
	unsigned nvalues, nliterals;
	size_t lit_buffered;

	struct imap_arg *lit; /* the literal being read */
	char *lit_data;
	uint64_t lit_left;
	size_t lit_pos;
	const char *piece;
	size_t piece_len;
	uint64_t skip_left;

	const char *tag;
	const char *error;
};

static void *
arena_alloc(struct imap_parser *p, size_t n)
{
	struct chunk *c = p->chunks;
	size_t size;
	char *ptr;

	/* UNSAFE: n is at most a literal or a line, both capped far below
	 * SIZE_MAX by the limits, so the rounding cannot wrap. */
	n = ALIGN16(n);
	if (c == NULL || c->size - c->used < n) {
		size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = xmalloc(CHUNK_HDR + size);
		c->size = size;
		c->next = p->chunks;
		p->chunks = c;
	}
	ptr = (char *)c + CHUNK_HDR + c->used;
	c->used += n;
	return ptr;
}

static void
arena_free(struct imap_parser *p)
{
	struct chunk *c, *next;

	for (c = p->chunks; c != NULL; c = next) {
		next = c->next;
		xfree(c);
	}
	p->chunks = NULL;
}

static char *
arena_strndup(struct imap_parser *p, const char *s, size_t n)
{
	char *d = arena_alloc(p, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ATOM-CHAR: any CHAR except atom-specials (RFC 3501 9). */
static int
is_atom_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("(){%*\"\\]", c) == NULL;
}

/* What a bare token may hold besides ATOM-CHAR: list-wildcards (LIST),
 * "]" (ASTRING-CHAR); "\" only first (flags). */
static int
is_token_char(unsigned char c)
{
	return is_atom_char(c) || c == '%' || c == '*' || c == ']';
}

/* tag = 1*<any ASTRING-CHAR except "+"> */
static int
is_tag_char(unsigned char c)
{
	return (is_atom_char(c) || c == ']') && c != '+';
}

static void
start_command(struct imap_parser *p)
{
	arena_free(p);
	buf_reset(&p->line);
	p->state = ST_LINE;
	p->finished = 0;
	p->cont_pending = 0;
	p->cmd_bytes = 0;
	p->mk = MK_NONE;
	p->stage = STAGE_TAG;
	p->have_cmd = 0;
	memset(&p->cmd, 0, sizeof(p->cmd));
	memset(&p->root, 0, sizeof(p->root));
	p->root.type = IMAP_ARG_LIST;
	p->stack[0] = &p->root;
	p->tail[0] = NULL;
	p->depth = 0;
	p->need_sep = p->just_opened = p->after_sp = 0;
	p->nvalues = p->nliterals = 0;
	p->lit_buffered = 0;
	p->lit = NULL;
	p->lit_data = NULL;
	p->lit_left = 0;
	p->piece = NULL;
	p->piece_len = 0;
	p->skip_left = 0;
	p->tag = NULL;
	p->error = NULL;
}

struct imap_parser *
imap_parser_create(const struct imap_parser_limits *lim)
{
	struct imap_parser *p = xmalloc(sizeof(*p));

	if (lim != NULL)
		p->lim = *lim;
	if (p->lim.line_max == 0)
		p->lim.line_max = IMAP_PARSE_DEF_LINE_MAX;
	if (p->lim.literal_max == 0)
		p->lim.literal_max = IMAP_PARSE_DEF_LITERAL_MAX;
	if (p->lim.command_literal_max == 0)
		p->lim.command_literal_max = IMAP_PARSE_DEF_COMMAND_LITERAL_MAX;
	if (p->lim.discard_max == 0)
		p->lim.discard_max = IMAP_PARSE_DEF_DISCARD_MAX;
	if (p->lim.depth_max == 0)
		p->lim.depth_max = IMAP_PARSE_DEF_DEPTH_MAX;
	if (p->lim.elements_max == 0)
		p->lim.elements_max = IMAP_PARSE_DEF_ELEMENTS_MAX;
	if (p->lim.ranges_max == 0)
		p->lim.ranges_max = IMAP_PARSE_DEF_RANGES_MAX;
	if (p->lim.literals_max == 0)
		p->lim.literals_max = IMAP_PARSE_DEF_LITERALS_MAX;
	buf_init(&p->line, p->lim.line_max);
	p->stack = xcalloc((size_t)p->lim.depth_max + 1, sizeof(*p->stack));
	p->tail = xcalloc((size_t)p->lim.depth_max + 1, sizeof(*p->tail));
	start_command(p);
	return p;
}

void
imap_parser_set_utf8(struct imap_parser *p, int on)
{
	p->lim.utf8 = on != 0;
}

void
imap_parser_destroy(struct imap_parser **pp)
{
	struct imap_parser *p = *pp;

	if (p == NULL)
		return;
	arena_free(p);
	buf_deinit(&p->line);
	xfree(p->stack);
	xfree(p->tail);
	xfree(p);
	*pp = NULL;
}

void
imap_parser_reset(struct imap_parser *p)
{
	start_command(p);
}

static int
bad(struct imap_parser *p, const char *text)
{
	p->error = text;
	return SEG_BAD;
}

/* --- the tree --- */

/* A new value of type t at the end of the innermost open list, or NULL
 * (BAD) past elements_max: counted before anything is allocated. */
static struct imap_arg *
add_value(struct imap_parser *p, enum imap_arg_type t)
{
	struct imap_arg *a, *list = p->stack[p->depth];

	if (p->nvalues >= p->lim.elements_max) {
		(void)bad(p, "Too many arguments");
		return NULL;
	}
	p->nvalues++;
	a = arena_alloc(p, sizeof(*a));
	memset(a, 0, sizeof(*a));
	a->type = t;
	if (p->tail[p->depth] == NULL)
		list->list = a;
	else
		p->tail[p->depth]->next = a;
	p->tail[p->depth] = a;
	list->len++;
	if (p->depth == 0) {
		p->cmd.args = p->root.list;
		p->cmd.nargs = (unsigned)p->root.len;
	}
	p->need_sep = 1;
	p->just_opened = p->after_sp = 0;
	return a;
}

/* The length of the well-formed UTF-8 sequence at s[j] (lead byte 0x80 or
 * more), or 0: no overlong forms, surrogates or code points past
 * U+10FFFF (RFC 3629 4). */
static size_t
utf8_len(const char *s, size_t L, size_t j)
{
	unsigned char c = (unsigned char)s[j], lo = 0x80, hi = 0xbf;
	size_t n, k;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n > L - j)
		return 0;
	for (k = 1; k < n; k++) {
		c = (unsigned char)s[j + k];
		if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xbf))
			return 0;
	}
	return n;
}

/* A quoted string's body from s[*jp] (after the opening quote): checks
 * it and counts the unescaped bytes into *n_r; *jp ends on the closing
 * quote. Returns 0 or SEG_BAD. */
static int
quoted_scan(struct imap_parser *p, const char *s, size_t L, size_t *jp,
    size_t *n_r)
{
	size_t j = *jp, n = 0, k;
	unsigned char c;

	for (; j < L; j++, n++) {
		c = (unsigned char)s[j];
		if (c == '"') {
			*jp = j;
			*n_r = n;
			return 0;
		}
		if (c == '\\') {
			if (j + 1 >= L || (s[j + 1] != '"' && s[j + 1] != '\\'))
				return bad(p,
				    "Invalid escape in quoted string");
			j++;
		} else if (c == '\0' || c == '\r' || c == '\n')
			return bad(p, "Invalid character in quoted string");
		else if (c >= 0x80) {
			if (!p->lim.utf8)
				return bad(p,
				    "8-bit character in quoted string");
			if ((k = utf8_len(s, L, j)) == 0)
				return bad(p, "Invalid UTF-8 in quoted string");
			j += k - 1;
			n += k - 1;
		}
	}
	return bad(p, "Unterminated quoted string");
}

static int
parse_quoted(struct imap_parser *p, const char *s, size_t L, size_t *ip)
{
	size_t j = *ip + 1, n, k, o = 0;
	struct imap_arg *a;
	char *d;

	if (quoted_scan(p, s, L, &j, &n) != 0)
		return SEG_BAD;
	if ((a = add_value(p, IMAP_ARG_STRING)) == NULL)
		return SEG_BAD;
	d = arena_alloc(p, n + 1);
	for (k = *ip + 1; k < j; k++) {
		if (s[k] == '\\')
			k++;
		d[o++] = s[k];
	}
	d[o] = '\0';
	a->str = d;
	a->len = o;
	*ip = j + 1;
	return 0;
}

/* A literal marker, which must end the line. */
static int
parse_literal(struct imap_parser *p, const char *s, size_t L, size_t i)
{
	const struct imap_parser_limits *lim = &p->lim;
	uint64_t val = 0;
	int lit8 = 0, plus = 0, digits = 0, streamed;
	struct imap_arg *a;

	if (s[i] == '~') {
		lit8 = 1;
		i++;
	}
	for (i++; i < L && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		if (__builtin_mul_overflow(val, 10, &val) ||
		    __builtin_add_overflow(val, (uint64_t)(s[i] - '0'), &val))
			val = UINT64_MAX;
	if (i < L && s[i] == '+') {
		plus = 1;
		i++;
	}
	if (digits == 0 || i >= L || s[i] != '}')
		return bad(p, "Invalid literal");
	if (i + 1 != L)
		return bad(p, "Literal not at the end of the line");
	if (p->nliterals >= lim->literals_max)
		return bad(p, "Too many literals");
	if (plus && lim->literal_policy == IMAP_LITERAL_NONE)
		return bad(p, "Non-synchronizing literals not allowed");
	if (plus && lim->literal_policy == IMAP_LITERAL_MINUS &&
	    val > IMAP_PARSE_LITERAL_MINUS_MAX)
		return bad(p,
		    "[TOOBIG] Non-synchronizing literal over 4096 octets");
	if (val > lim->literal_max)
		return bad(p, "[TOOBIG] Literal too large");
	streamed = lim->stream_min > 0 && val >= lim->stream_min;
	if (!streamed && val > lim->command_literal_max - p->lit_buffered)
		return bad(p, "[TOOBIG] Literals too large for one command");
	if ((a = add_value(p, IMAP_ARG_LITERAL)) == NULL)
		return SEG_BAD;
	a->len = (size_t)val;
	a->flags = (lit8 ? IMAP_ARG_F_LITERAL8 : 0) |
	    (plus ? IMAP_ARG_F_NONSYNC : 0) |
	    (streamed ? IMAP_ARG_F_STREAMED : 0);
	if (!streamed) {
		p->lit_data = arena_alloc(p, (size_t)val + 1);
		a->str = p->lit_data;
		p->lit_buffered += (size_t)val;
	} else
		p->lit_data = NULL;
	p->lit = a;
	p->lit_left = val;
	p->lit_pos = 0;
	p->nliterals++;
	p->state = ST_LITERAL;
	return SEG_LITERAL;
}

/* The "[...]" group at s[*jp] and, after the first group, "<a.b>". */
static int
parse_section(struct imap_parser *p, const char *s, size_t L, size_t *jp,
    size_t start, struct imap_arg *a)
{
	size_t j = *jp + 1, n, open = *jp;
	unsigned depth = 0;
	uint64_t v[2] = { 0, 0 };
	unsigned char c;
	int k;

	for (;; j++) {
		if (j >= L)
			return bad(p, "Missing ]");
		c = (unsigned char)s[j];
		if (c == ']' && depth == 0)
			break;
		if (c == '(' && depth == 0)
			depth++;
		else if (c == ')' && depth == 1)
			depth--;
		else if (c == '"') {
			j++;
			if (quoted_scan(p, s, L, &j, &n) != 0)
				return SEG_BAD;
		} else if (c != ' ' &&
		    (!is_token_char(c) || c == '[' || c == ']'))
			return bad(p, "Invalid character in section");
	}
	j++;
	if (!(a->flags & IMAP_ARG_F_SECTION)) {
		a->flags |= IMAP_ARG_F_SECTION;
		a->section_off = open + 1 - start;
		a->section_len = j - 1 - (open + 1);
		if (j < L && s[j] == '<') {
			/* partial = "<" number "." nz-number ">" */
			j++;
			for (k = 0; k < 2; k++) {
				size_t d0 = j;

				for (; j < L && s[j] >= '0' && s[j] <= '9'; j++)
					if ((v[k] = v[k] * 10 +
						    (uint64_t)(s[j] - '0')) >
					    UINT32_MAX)
						return bad(p,
						    "Invalid partial");
				if (j == d0 || j >= L ||
				    s[j] != (k == 0 ? '.' : '>'))
					return bad(p, "Invalid partial");
				j++;
			}
			if (v[1] == 0)
				return bad(p, "Invalid partial");
			a->flags |= IMAP_ARG_F_PARTIAL;
			a->partial_off = (uint32_t)v[0];
			a->partial_len = (uint32_t)v[1];
		}
	}
	*jp = j;
	return 0;
}

/* Type a bare token's text: NIL, NUMBER, SEQSET or ATOM. */
static int
classify(struct imap_parser *p, struct imap_arg *a, const char *t, size_t n)
{
	size_t k, digits = 0, setchars = 0;
	struct imap_seqset *set;
	uint64_t v = 0;
	long count;

	if (a->flags & IMAP_ARG_F_SECTION)
		return 0;
	if (n == 3 && strncasecmp(t, "NIL", 3) == 0) {
		a->type = IMAP_ARG_NIL;
		return 0;
	}
	for (k = 0; k < n; k++) {
		if (t[k] >= '0' && t[k] <= '9')
			digits++;
		else if (strchr(":,*$", t[k]) != NULL)
			setchars++;
	}
	if (digits == n) {
		for (k = 0; k < n; k++) {
			if (v > (NUMBER64_MAX - (uint64_t)(t[k] - '0')) / 10)
				return 0; /* too big: an atom */
			v = v * 10 + (uint64_t)(t[k] - '0');
		}
		a->type = IMAP_ARG_NUMBER;
		a->num = v;
		if (v == 0 || v > UINT32_MAX || t[0] == '0')
			return 0;
		count = 1;
	} else if (digits + setchars != n)
		return 0;
	else if (n == 1 && t[0] == '$') {
		a->type = IMAP_ARG_SEQSET;
		set = arena_alloc(p, sizeof(*set));
		memset(set, 0, sizeof(*set));
		set->saved = 1;
		a->seqset = set;
		return 0;
	} else if ((count = imap_seqset_scan(t, n, NULL)) < 0)
		return 0;
	else if ((unsigned long)count > p->lim.ranges_max)
		return bad(p, "Too many ranges in sequence set");
	else
		a->type = IMAP_ARG_SEQSET;
	set = arena_alloc(p, sizeof(*set));
	set->saved = 0;
	set->count = (unsigned)count;
	set->ranges = arena_alloc(p, (size_t)count * sizeof(*set->ranges));
	(void)imap_seqset_scan(t, n, set->ranges);
	a->seqset = set;
	return 0;
}

static int
parse_token(struct imap_parser *p, const char *s, size_t L, size_t *ip)
{
	size_t i = *ip, start = i;
	struct imap_arg *a;

	if ((a = add_value(p, IMAP_ARG_ATOM)) == NULL)
		return SEG_BAD;
	if (s[i] == '\\')
		i++;
	while (i < L) {
		if (s[i] == '[') {
			if (parse_section(p, s, L, &i, start, a) != 0)
				return SEG_BAD;
			if (a->flags & IMAP_ARG_F_PARTIAL)
				break;
		} else if (is_token_char((unsigned char)s[i]))
			i++;
		else
			break;
	}
	if (i == start || (i == start + 1 && s[start] == '\\'))
		return bad(p, "Invalid character");
	a->str = arena_strndup(p, s + start, i - start);
	a->len = i - start;
	*ip = i;
	return classify(p, a, a->str, a->len);
}

/* The arguments part of a line from s[i]. */
static int
parse_args(struct imap_parser *p, const char *s, size_t L, size_t i)
{
	struct imap_arg *a;
	unsigned char c;

	while (i < L) {
		c = (unsigned char)s[i];
		if (p->need_sep || c == ')') {
			if (c == ' ' && p->need_sep) {
				p->need_sep = 0;
				p->after_sp = 1;
				i++;
				continue;
			}
			if (c != ')')
				return bad(p, "Missing space after argument");
			if (p->depth == 0)
				return bad(p, "Unexpected )");
			if (!p->need_sep && !p->just_opened)
				return bad(p, "Unexpected space before )");
			p->depth--;
			p->need_sep = 1;
			p->just_opened = p->after_sp = 0;
			i++;
			continue;
		}
		switch (c) {
		case ' ':
			return bad(p, "Unexpected space");
		case '(':
			if (p->depth >= p->lim.depth_max)
				return bad(p, "Too deeply nested");
			if ((a = add_value(p, IMAP_ARG_LIST)) == NULL)
				return SEG_BAD;
			p->depth++;
			p->stack[p->depth] = a;
			p->tail[p->depth] = NULL;
			p->need_sep = 0;
			p->just_opened = 1;
			i++;
			break;
		case '"':
			if (parse_quoted(p, s, L, &i) != 0)
				return SEG_BAD;
			break;
		case '{':
			return parse_literal(p, s, L, i);
		default:
			if (c == '~' && i + 1 < L && s[i + 1] == '{')
				return parse_literal(p, s, L, i);
			if (parse_token(p, s, L, &i) != 0)
				return SEG_BAD;
			break;
		}
	}
	if (p->depth > 0)
		return bad(p, "Missing )");
	/* One trailing SP is tolerated (after_sp): some clients send it. */
	return SEG_DONE;
}

/* One line of the command (without CRLF). Each line is parsed once, as a
 * whole, so a command costs time linear in its length. */
static int
parse_line(struct imap_parser *p, const char *s, size_t L)
{
	size_t i = 0, start;
	char *name;

	if (p->stage == STAGE_TAG) {
		while (i < L && is_tag_char((unsigned char)s[i]))
			i++;
		if (i > 0 && (i == L || s[i] == ' '))
			p->tag = arena_strndup(p, s, i);
		if (L == 0)
			return bad(p, "Empty command line");
		if (i == 0 || (i < L && s[i] != ' '))
			return bad(p, "Invalid tag");
		if (i == L || i + 1 == L)
			return bad(p, "Missing command");
		i++;
		p->stage = STAGE_NAME;
	}
	if (p->stage == STAGE_NAME) {
		start = i;
		while (i < L && is_atom_char((unsigned char)s[i]))
			i++;
		if (i == start || (i < L && s[i] != ' '))
			return bad(p, "Invalid command name");
		name = arena_strndup(p, s + start, i - start);
		for (start = 0; name[start] != '\0'; start++)
			if (name[start] >= 'a' && name[start] <= 'z')
				name[start] = (char)(name[start] - 'a' + 'A');
		p->cmd.tag = p->tag;
		p->cmd.name = name;
		p->have_cmd = 1;
		p->stage = STAGE_ARGS;
		if (i == L)
			return SEG_DONE;
		i++;
		p->after_sp = 1;
	}
	return parse_args(p, s, L, i);
}

/* --- feeding --- */

static void
mark_byte(struct imap_parser *p, unsigned char c)
{
	switch (p->mk) {
	case MK_DIGITS:
		if (c >= '0' && c <= '9') {
			if (__builtin_mul_overflow(p->mk_val, 10, &p->mk_val) ||
			    __builtin_add_overflow(p->mk_val,
				(uint64_t)(c - '0'), &p->mk_val))
				p->mk_val = UINT64_MAX;
			p->mk_digits = 1;
			return;
		}
		if (c == '+' && p->mk_digits) {
			p->mk_plus = 1;
			p->mk = MK_PLUS;
			return;
		}
		if (c == '}' && p->mk_digits) {
			p->mk = MK_CLOSED;
			return;
		}
		break;
	case MK_PLUS:
		if (c == '}') {
			p->mk = MK_CLOSED;
			return;
		}
		break;
	case MK_CLOSED:
		if (c == '\r') {
			p->mk = MK_CLOSED_CR;
			return;
		}
		break;
	default:
		break;
	}
	if (c == '{') {
		p->mk = MK_DIGITS;
		p->mk_val = 0;
		p->mk_digits = p->mk_plus = 0;
	} else
		p->mk = MK_NONE;
}

/* At the LF of a line whose command was refused: does the client send
 * literal octets after it? */
static int
mark_nonsync(struct imap_parser *p)
{
	int r = (p->mk == MK_CLOSED || p->mk == MK_CLOSED_CR) && p->mk_plus;

	p->mk = MK_NONE;
	return r;
}

/* After BAD: skip a non-sync literal's octets (or give up), else the
 * command is over. */
static int
resync(struct imap_parser *p, int nonsync, int status)
{
	if (nonsync) {
		if (p->mk_val > p->lim.discard_max) {
			p->state = ST_DEAD;
			return IMAP_PARSE_FATAL;
		}
		p->skip_left = p->mk_val;
		p->state = ST_SKIP_LITERAL;
		return status;
	}
	p->finished = 1;
	return status;
}

static int
end_of_line(struct imap_parser *p)
{
	size_t L = p->line.len;
	int rc, nonsync;

	if (L > 0 && p->line.data[L - 1] == '\r')
		L--;
	rc = parse_line(p, p->line.data, L);
	buf_reset(&p->line);
	nonsync = mark_nonsync(p);
	switch (rc) {
	case SEG_DONE:
		p->finished = 1;
		return IMAP_PARSE_COMMAND;
	case SEG_LITERAL:
		if (p->lit->flags & IMAP_ARG_F_NONSYNC)
			return IMAP_PARSE_NEED_MORE;
		p->cont_pending = 1;
		return IMAP_PARSE_CONTINUE;
	default:
		return resync(p, nonsync, IMAP_PARSE_BAD);
	}
}

static int
do_line(struct imap_parser *p, const char *s, size_t avail, size_t *used_r)
{
	const char *lf = memchr(s, '\n', avail);
	size_t n = lf != NULL ? (size_t)(lf - s) : avail, i, room;

	for (i = 0; i < n; i++)
		mark_byte(p, (unsigned char)s[i]);
	*used_r = n;
	if (n > p->lim.line_max - p->cmd_bytes) {
		/* Keep what fits so that the tag can still be read. */
		room = p->lim.line_max - p->cmd_bytes;
		(void)buf_append(&p->line, s, room);
		if (p->stage == STAGE_TAG) {
			for (i = 0; i < p->line.len &&
			     is_tag_char((unsigned char)p->line.data[i]);
			     i++)
				;
			if (i > 0 && i < p->line.len && p->line.data[i] == ' ')
				p->tag = arena_strndup(p, p->line.data, i);
		}
		p->error = "Line too long";
		p->state = ST_SKIP_LINE;
		return IMAP_PARSE_BAD;
	}
	/* UNSAFE: fits, by the check above (line.len <= cmd_bytes). */
	(void)buf_append(&p->line, s, n);
	p->cmd_bytes += n;
	if (lf == NULL)
		return IMAP_PARSE_NEED_MORE;
	*used_r = n + 1;
	return end_of_line(p);
}

static void
literal_done(struct imap_parser *p)
{
	if (p->lit_data != NULL)
		p->lit_data[p->lit_pos] = '\0';
	p->state = ST_LINE;
	p->need_sep = 1;
	p->mk = MK_NONE;
}

static int
do_literal(struct imap_parser *p, const char *s, size_t avail, size_t *used_r)
{
	size_t take = p->lit_left < avail ? (size_t)p->lit_left : avail;
	const char *nul;

	*used_r = 0;
	if (!(p->lit->flags & IMAP_ARG_F_LITERAL8) &&
	    (nul = memchr(s, '\0', take)) != NULL) {
		/* CHAR8 excludes NUL (RFC 3501 9): refuse now, discard the
		 * rest, then skip the line after it. */
		*used_r = (size_t)(nul - s) + 1;
		p->error = "NUL in literal";
		p->skip_left = p->lit_left - *used_r;
		p->state = ST_SKIP_LITERAL;
		return IMAP_PARSE_BAD;
	}
	*used_r = take;
	p->lit_left -= take;
	if (p->lit_data == NULL) {
		p->piece = s;
		p->piece_len = take;
		if (p->lit_left == 0)
			literal_done(p);
		return take > 0 ? IMAP_PARSE_LITERAL : IMAP_PARSE_NEED_MORE;
	}
	memcpy(p->lit_data + p->lit_pos, s, take);
	p->lit_pos += take;
	if (p->lit_left == 0)
		literal_done(p);
	return IMAP_PARSE_NEED_MORE;
}

static int
do_skip_line(struct imap_parser *p, const char *s, size_t avail, size_t *used_r)
{
	const char *lf = memchr(s, '\n', avail);
	size_t n = lf != NULL ? (size_t)(lf - s) : avail, i;

	for (i = 0; i < n; i++)
		mark_byte(p, (unsigned char)s[i]);
	*used_r = n;
	if (lf == NULL)
		return IMAP_PARSE_NEED_MORE;
	*used_r = n + 1;
	if (mark_nonsync(p)) {
		if (p->mk_val > p->lim.discard_max) {
			p->error = "[TOOBIG] Literal too large";
			p->state = ST_DEAD;
			return IMAP_PARSE_FATAL;
		}
		p->skip_left = p->mk_val;
		p->state = ST_SKIP_LITERAL;
		return IMAP_PARSE_NEED_MORE;
	}
	start_command(p);
	return IMAP_PARSE_NEED_MORE;
}

int
imap_parser_feed(struct imap_parser *p, const char *data, size_t len,
    size_t *consumed_r)
{
	size_t pos = 0, used, take;
	int rc = IMAP_PARSE_NEED_MORE;

	*consumed_r = 0;
	if (p->state == ST_DEAD)
		return IMAP_PARSE_FATAL;
	if (p->finished)
		start_command(p);
	p->cont_pending = 0;
	while (pos < len) {
		used = 0;
		switch (p->state) {
		case ST_LINE:
			rc = do_line(p, data + pos, len - pos, &used);
			break;
		case ST_LITERAL:
			rc = do_literal(p, data + pos, len - pos, &used);
			break;
		case ST_SKIP_LINE:
			rc = do_skip_line(p, data + pos, len - pos, &used);
			break;
		case ST_SKIP_LITERAL:
			take = p->skip_left < len - pos ? (size_t)p->skip_left
							: len - pos;
			p->skip_left -= take;
			used = take;
			if (p->skip_left == 0)
				p->state = ST_SKIP_LINE;
			rc = IMAP_PARSE_NEED_MORE;
			break;
		case ST_DEAD:
			rc = IMAP_PARSE_FATAL;
			break;
		}
		pos += used;
		if (rc != IMAP_PARSE_NEED_MORE)
			break;
	}
	*consumed_r = pos;
	return rc;
}

const struct imap_command *
imap_parser_command(const struct imap_parser *p)
{
	return p->have_cmd ? &p->cmd : NULL;
}

const char *
imap_parser_tag(const struct imap_parser *p)
{
	return p->tag != NULL ? p->tag : "*";
}

const char *
imap_parser_error(const struct imap_parser *p)
{
	return p->error != NULL ? p->error : "";
}

const char *
imap_parser_literal(const struct imap_parser *p, size_t *len_r,
    uint64_t *left_r)
{
	*len_r = p->piece_len;
	*left_r = p->lit_left;
	return p->piece;
}

void
imap_parser_refuse_literal(struct imap_parser *p)
{
	if (!p->cont_pending)
		log_panic("imap_parser_refuse_literal: no literal pending");
	p->cont_pending = 0;
	p->finished = 1;
}
