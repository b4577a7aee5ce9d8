/* SPDX-License-Identifier: MIT */
/* smtpd_dot_fuzz - smtpd's DATA receiver (smtpd_dot) on arbitrary bytes,
 * in DATA mode or in BDAT's raw mode: fed whole and fed in pieces cut
 * where the input says (BDAT chunk boundaries), the output, the RFC 1870
 * size and the end of data must be the same; raw mode never ends and
 * counts every octet. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"

#include "smtpd_dot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	struct buf out;
	long long octets;
	size_t used;
	int done;
};

/* Feed p[0..n) in pieces of the lengths in cuts (cycled; 0 means 1). */
static void
feed(struct run *r, const char *p, size_t n, const uint8_t *cuts, size_t ncuts,
    int raw)
{
	struct smtpd_dot d;
	struct buf piece;
	size_t pos = 0, k = 0;

	buf_init(&r->out, n + 16);
	buf_init(&piece, n + 16);
	if (raw)
		smtpd_dot_init_raw(&d);
	else
		smtpd_dot_init(&d);
	r->done = 0;
	while (pos < n && !r->done) {
		size_t len = ncuts ? (cuts[k++ % ncuts] % 64) + 1 : n - pos;
		size_t used;

		if (len > n - pos)
			len = n - pos;
		buf_reset(&piece);
		used = smtpd_dot_feed(&d, p + pos, len, &piece, &r->done);
		/* The promises of smtpd_dot.h. */
		if (used > len || (!r->done && used != len) ||
		    piece.len > len + 1)
			__builtin_trap();
		if (buf_append(&r->out, piece.data, piece.len) < 0)
			__builtin_trap();
		pos += used;
	}
	if (raw) {
		buf_reset(&piece);
		smtpd_dot_finish(&d, &piece);
		if (r->done || piece.len > 1 ||
		    buf_append(&r->out, piece.data, piece.len) < 0)
			__builtin_trap();
	}
	r->octets = d.octets;
	r->used = pos;
	buf_deinit(&piece);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run whole, cut;
	size_t ncuts;
	int raw;

	/* The first bytes choose the mode and the cuts, the rest is the
	 * DATA stream or the BDAT chunks. */
	if (size < 1)
		return 0;
	ncuts = data[0] % 8;
	raw = (data[0] & 8) != 0;
	if (size < 1 + ncuts)
		return 0;
	feed(&whole, (const char *)data + 1 + ncuts, size - 1 - ncuts, NULL, 0,
	    raw);
	feed(&cut, (const char *)data + 1 + ncuts, size - 1 - ncuts, data + 1,
	    ncuts, raw);
	if (whole.done != cut.done || whole.used != cut.used ||
	    whole.octets != cut.octets || whole.out.len != cut.out.len ||
	    memcmp(whole.out.data, cut.out.data, whole.out.len) != 0)
		__builtin_trap();
	/* Stored bytes never exceed the counted octets (CRLF is 2, LF 1). */
	if ((long long)whole.out.len > whole.octets)
		__builtin_trap();
	/* Raw: every octet is used and counted (BDAT's chunk sizes). */
	if (raw &&
	    (whole.octets != (long long)(size - 1 - ncuts) ||
		whole.used != size - 1 - ncuts))
		__builtin_trap();
	buf_deinit(&whole.out);
	buf_deinit(&cut.out);
	return 0;
}
