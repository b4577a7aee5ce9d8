/* SPDX-License-Identifier: MIT */
/* imap_parse_fuzz - the IMAP command parser fed arbitrary client bytes,
 * whole, byte by byte and in pieces of random sizes.
 *
 * Input: two control bytes, then the client's bytes. Control byte 0 picks
 * the limits: bits 0-1 the literal policy (3: LITERAL+), bit 2 UTF8, bit 3
 * small limits (so that each is reached), bit 4 streaming of literals of
 * 8 octets and more, bit 5 refuse every second CONTINUE as a server would
 * an APPEND to a missing mailbox. Control byte 1 seeds the piece sizes.
 * Checked: consumed never exceeds what was fed, NEED_MORE consumes all,
 * every other result but FATAL consumes something, a command has a tag
 * and a name, a BAD has a tag ("*" at worst) and a text, a literal piece
 * lies at the end of what was consumed; the three feedings give the same
 * transcript of events; nothing crashes or leaks. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/imap_parse.h"
#include "util/buf.h"

#define TRANSCRIPT_MAX (16 * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
limits_for(int ctl, struct imap_parser_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	switch (ctl & 3) {
	case 1:
		lim->literal_policy = IMAP_LITERAL_MINUS;
		break;
	case 2:
		lim->literal_policy = IMAP_LITERAL_NONE;
		break;
	default:
		lim->literal_policy = IMAP_LITERAL_PLUS;
		break;
	}
	lim->utf8 = (ctl & 4) != 0;
	if (ctl & 8) {
		lim->line_max = 64;
		lim->literal_max = 32;
		lim->command_literal_max = 40;
		lim->discard_max = 100;
		lim->depth_max = 3;
		lim->elements_max = 12;
		lim->ranges_max = 3;
		lim->literals_max = 3;
	}
	if (ctl & 16)
		lim->stream_min = 8;
}

/* Feed in[0..len) in pieces (step 0: whole; 1: bytes; else random sizes
 * from seed) and write the transcript of events to out. */
static void
run(int ctl, const char *in, size_t len, int step, unsigned seed,
    struct buf *out)
{
	struct imap_parser_limits lim;
	struct imap_parser *p;
	const struct imap_command *cmd;
	size_t start = 0, end, off, used, plen;
	unsigned conts = 0;
	const char *piece;
	uint64_t left;
	struct buf lit;
	int rc;

	buf_init(&lit, TRANSCRIPT_MAX);
	limits_for(ctl, &lim);
	p = imap_parser_create(&lim);
	while (start < len) {
		if (step == 0)
			end = len;
		else if (step == 1)
			end = start + 1;
		else {
			seed = seed * 1103515245u + 12345u;
			end = start + 1 + (seed >> 16) % 64;
			if (end > len)
				end = len;
		}
		for (off = start; off < end;) {
			rc = imap_parser_feed(p, in + off, end - off, &used);
			if (used > end - off)
				__builtin_trap();
			off += used;
			switch (rc) {
			case IMAP_PARSE_NEED_MORE:
				if (off != end)
					__builtin_trap();
				break;
			case IMAP_PARSE_CONTINUE:
				if (used == 0)
					__builtin_trap();
				(void)buf_putc(out, '+');
				if ((ctl & 32) && conts++ % 2 == 1) {
					imap_parser_refuse_literal(p);
					(void)buf_putc(out, '-');
				}
				break;
			case IMAP_PARSE_LITERAL:
				piece = imap_parser_literal(p, &plen, &left);
				if (used == 0 || plen == 0 || plen > used ||
				    piece + plen != in + off ||
				    imap_parser_command(p) == NULL)
					__builtin_trap();
				/* Pieces differ in number with the feeding,
				 * and a BAD (NUL) may cut the literal short:
				 * only a whole literal counts. */
				(void)buf_append(&lit, piece, plen);
				if (left == 0) {
					(void)buf_append(out, lit.data,
					    lit.len);
					(void)buf_putc(out, '|');
					buf_reset(&lit);
				}
				break;
			case IMAP_PARSE_COMMAND:
				cmd = imap_parser_command(p);
				if (used == 0 || cmd == NULL ||
				    cmd->tag == NULL || cmd->tag[0] == 0 ||
				    cmd->name == NULL || cmd->name[0] == 0)
					__builtin_trap();
				(void)buf_puts(out, "\nC:");
				(void)imap_command_dump(cmd, out);
				(void)buf_putc(out, '\n');
				break;
			case IMAP_PARSE_BAD:
				if (used == 0 || imap_parser_tag(p)[0] == 0 ||
				    imap_parser_error(p)[0] == 0)
					__builtin_trap();
				buf_reset(&lit);
				(void)buf_printf(out, "\nB:%s %s\n",
				    imap_parser_tag(p), imap_parser_error(p));
				break;
			case IMAP_PARSE_FATAL:
				if (imap_parser_error(p)[0] == 0)
					__builtin_trap();
				(void)buf_printf(out, "\nF:%s\n",
				    imap_parser_error(p));
				goto done;
			default:
				__builtin_trap();
			}
			if (rc == IMAP_PARSE_NEED_MORE)
				break;
		}
		start = end;
	}
done:
	buf_deinit(&lit);
	imap_parser_destroy(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf whole, bytes, pieces;
	const char *in;
	size_t len;
	int ctl;

	if (size < 2)
		return 0;
	ctl = data[0];
	in = (const char *)data + 2;
	len = size - 2;
	buf_init(&whole, TRANSCRIPT_MAX);
	buf_init(&bytes, TRANSCRIPT_MAX);
	buf_init(&pieces, TRANSCRIPT_MAX);
	run(ctl, in, len, 0, 0, &whole);
	run(ctl, in, len, 1, 0, &bytes);
	run(ctl, in, len, 2, data[1], &pieces);
	if (whole.len != bytes.len || whole.len != pieces.len ||
	    memcmp(whole.data, bytes.data, whole.len) != 0 ||
	    memcmp(whole.data, pieces.data, whole.len) != 0)
		__builtin_trap();
	buf_deinit(&whole);
	buf_deinit(&bytes);
	buf_deinit(&pieces);
	return 0;
}
