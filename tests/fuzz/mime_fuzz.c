/* SPDX-License-Identifier: MIT */
/* mime_fuzz - mime_parse() of arbitrary messages, then every part walked
 * and decoded.
 *
 * Input: the message itself; its first byte also picks limits (bit 0:
 * the defaults, else small ones that the fuzzer can reach: depth 4,
 * 20 parts, 4 parameters, 64-byte fields, 3 sections). Checked: offsets
 * and lengths lie inside the input, children inside their parent, parent
 * links and depths agree, the part count, depth and parameter counts stay
 * within the limits, line counts are right, every body decodes (base64,
 * quoted-printable, as is) within a bound, fed in two pieces, to what it
 * decodes to in one; every Content-Description and the root's Subject
 * decode as RFC 2047 words within bounds; the root's From, To, Cc and
 * Sender parse into address entries whose groups open and close in
 * pairs. The whole input is also converted to UTF-8 (charset.h) from a
 * charset picked by the first byte (bits 1-7) among a small list, in three
 * feeds cut where the second and third bytes say: the output is valid
 * UTF-8 and the same as the one-shot conversion's. Nothing crashes or
 * leaks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/charset.h"
#include "mail/mime.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                          \
	do {                              \
		if (!(x))                 \
			__builtin_trap(); \
	} while (0)

static const struct mime_limits small = {
	.max_depth = 4,
	.max_parts = 20,
	.max_params = 4,
	.max_field = 64,
	.max_sections = 3,
};

static void
decode(const char *msg, const struct mime_part *p)
{
	struct mime_decoder d;
	struct buf one, two;
	size_t cut = p->body_len / 3;
	enum mime_encoding enc = mime_encoding_get(p->encoding);

	buf_init(&one, 2 * p->body_len + 16);
	buf_init(&two, 2 * p->body_len + 16);
	mime_decoder_init(&d, enc);
	CHECK(mime_decoder_feed(&d, msg + p->body_off, p->body_len, &one) == 0);
	CHECK(mime_decoder_finish(&d, &one) == 0);
	mime_decoder_init(&d, enc);
	CHECK(mime_decoder_feed(&d, msg + p->body_off, cut, &two) == 0);
	CHECK(mime_decoder_feed(&d, msg + p->body_off + cut, p->body_len - cut,
		  &two) == 0);
	CHECK(mime_decoder_finish(&d, &two) == 0);
	CHECK(one.len == two.len && memcmp(one.data, two.data, one.len) == 0);
	CHECK(one.len <= p->body_len);
	buf_deinit(&one);
	buf_deinit(&two);
}

static void
words(const char *s, size_t n)
{
	struct buf out;

	/* A byte may become several characters (TSCII composes up to
	 * four). */
	buf_init(&out, 16 * n + 64);
	CHECK(mime_word_decode(s, n, &out) == 0);
	buf_deinit(&out);
}

static void
params(const struct mime_param *p, unsigned n, const struct mime_limits *lim)
{
	unsigned i;

	CHECK(n <= lim->max_params);
	for (i = 0; i < n; i++) {
		CHECK(p[i].name != NULL && p[i].value != NULL);
		CHECK(p[i].value_len <= lim->max_field);
		CHECK(p[i].value[p[i].value_len] == 0);
	}
}

static unsigned
walk(const char *msg, size_t len, const struct mime_part *p,
    const struct mime_limits *lim)
{
	const struct mime_part *c;
	unsigned n = 1, kids = 0;
	size_t lines, k;

	CHECK(p->hdr_off <= len && p->hdr_len <= len - p->hdr_off);
	CHECK(p->hdr_off + p->hdr_len <= p->body_off);
	CHECK(p->body_off <= len && p->body_len <= len - p->body_off);
	CHECK(p->depth <= lim->max_depth);
	CHECK(p->type != NULL && p->subtype != NULL);
	for (lines = 0, k = 0; k < p->body_len; k++)
		lines += msg[p->body_off + k] == '\n';
	if (p->body_len > 0 && msg[p->body_off + p->body_len - 1] != '\n')
		lines++;
	CHECK(lines == p->body_lines);
	CHECK(p->body_bare_lf <= p->body_lines);
	CHECK(p->hdr_bare_lf <= p->hdr_lines);
	params(p->params, p->nparams, lim);
	params(p->disp_params, p->ndisp_params, lim);
	if (p->description != NULL)
		words(p->description, strlen(p->description));
	decode(msg, p);
	for (c = p->children; c != NULL; c = c->next) {
		CHECK(c->parent == p && c->depth == p->depth + 1);
		CHECK(c->hdr_off >= p->body_off);
		CHECK(c->body_off + c->body_len <= p->body_off + p->body_len);
		n += walk(msg, len, c, lim);
		kids++;
	}
	CHECK(kids == p->nchildren);
	return n;
}

/* Every address list of the header: host is NULL only for a group's
 * start and end, which pair up. */
static void
addresses(const char *hdr, size_t len)
{
	static const char *const fields[] = { "from", "to", "cc", "sender" };
	struct mime_address *a;
	struct buf v;
	unsigned i, k, n;

	buf_init(&v, MIME_DEF_MAX_FIELD);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t pos = 0;
		int open = 0;

		buf_reset(&v);
		if (!mime_header_find(hdr, len, fields[i], &pos, &v))
			continue;
		n = mime_addr_parse(v.data, v.len, 50, &a);
		CHECK(n <= 50 && (n == 0) == (a == NULL));
		for (k = 0; k < n; k++) {
			if (a[k].host != NULL) {
				CHECK(a[k].mailbox != NULL);
				continue;
			}
			CHECK(a[k].route == NULL);
			if (a[k].mailbox != NULL) {
				CHECK(!open);
				open = 1;
			} else {
				CHECK(open);
				open = 0;
			}
		}
		CHECK(!open || n == 50);
		mime_addr_free(a, n);
	}
	buf_deinit(&v);
}

static const char *const charsets[] = { "shift_jis", "iso-2022-jp", "utf-16",
	"gb18030", "euc-jp", "big5", "koi8-r", "utf-7", "ks_c_5601-1987",
	"iso-2022-kr", "utf-8", "windows-1252", "iso-2022-jp-2", "big5-hkscs",
	"euc-jisx0213", "utf-32", "euc-tw", "x-nonsuch", "us-ascii",
	"utf-16le" };

/* Convert data (n bytes) from charset cs in one piece and in three. */
static void
convert(const char *cs, const uint8_t *data, size_t n, size_t cut1, size_t cut2)
{
	struct charset_conv cv;
	struct buf one, three, check;
	int known;

	buf_init(&one, 16 * n + 64);
	buf_init(&three, 16 * n + 64);
	buf_init(&check, 16 * n + 64);
	known = charset_to_utf8(cs, strlen(cs), data, n, &one);
	CHECK(known == 0 || known == 1);
	(void)charset_conv_init(&cv, cs, strlen(cs));
	CHECK((cv.kind == CHARSET_UNKNOWN) == (known == 1));
	CHECK(charset_conv_feed(&cv, data, cut1, &three) == 0);
	CHECK(charset_conv_feed(&cv, data + cut1, cut2 - cut1, &three) == 0);
	CHECK(charset_conv_feed(&cv, data + cut2, n - cut2, &three) == 0);
	CHECK(charset_conv_finish(&cv, &three) == 0);
	charset_conv_deinit(&cv);
	CHECK(
	    one.len == three.len && memcmp(one.data, three.data, one.len) == 0);
	CHECK(charset_to_utf8("utf-8", 5, one.data, one.len, &check) == 0);
	CHECK(
	    check.len == one.len && memcmp(check.data, one.data, one.len) == 0);
	buf_deinit(&one);
	buf_deinit(&three);
	buf_deinit(&check);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mime_limits *lim;
	const char *msg = (const char *)data;
	struct mime_message *m;
	const struct mime_part *r;
	struct buf subject;
	size_t pos = 0;

	if (size < 1)
		return 0;
	lim = (data[0] & 1) ? &mime_default_limits : &small;
	m = mime_parse(msg, size, lim);
	r = mime_root(m);
	CHECK(mime_part_count(m) <= lim->max_parts);
	CHECK(walk(msg, size, r, lim) == mime_part_count(m));
	buf_init(&subject, 4096);
	while (mime_header_find(msg + r->hdr_off, r->hdr_len, "subject", &pos,
	    &subject))
		;
	words(subject.data, subject.len);
	addresses(msg + r->hdr_off, r->hdr_len);
	buf_deinit(&subject);
	mime_destroy(&m);
	if (size >= 3) {
		size_t cut1 = data[1] * size / 256;
		size_t cut2 = cut1 + data[2] * (size - cut1) / 256;

		convert(charsets[(data[0] >> 1) %
			    (sizeof(charsets) / sizeof(charsets[0]))],
		    data, size, cut1, cut2);
	}
	return 0;
}
