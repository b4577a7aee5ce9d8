/* SPDX-License-Identifier: MIT */
/* imap_search_fuzz - SEARCH commands from arbitrary client bytes, parsed
 * by imap_parse, compiled by imap_search and matched against fixed
 * messages and one from the input, with the results rendered.
 *
 * Input: a control byte, then the client's bytes, then optionally a NUL
 * and a message. The control byte gives the messages' flags (bits 0-5)
 * and picks small limits (bit 6: depth 4, 16 keys) and IMAP4rev2
 * rendering (bit 7). Every command is compiled ("UID SEARCH" from its
 * second argument on; any other name from its first). Checked: compile
 * gives a search or an error with a text, never both; a match is 0 or 1
 * (the callbacks never fail) and the same when repeated; the header and
 * message callbacks are called at most once per match, and never when
 * the search does not need them; a rendered response is empty only for
 * RETURN (SAVE) alone, and otherwise one line that starts with "* " and
 * ends with CRLF; a saved result is a subset of the matches. Nothing
 * crashes or leaks. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "mail/imap_parse.h"
#include "mail/imap_search.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                          \
	do {                              \
		if (!(x))                 \
			__builtin_trap(); \
	} while (0)

#define OUT_MAX (1024 * 1024)
#define NMSG 4

static const char fixed1[] =
    "From: =?UTF-8?B?SsO2cmc=?= <jorg@example.org>\r\n"
    "To: alice@example.com, \"Bob\" <bob@example.com>\r\n"
    "Subject: =?ISO-8859-1?Q?Caf=E9_au_lait?=\r\n"
    " continued\r\n"
    "Date: Mon, 1 Feb 2021 23:30:00 -0800\r\n"
    "X-Tag: hello\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "VGhlIHF1aWNrIGJyb3duIEZPWCBqdW1wcyBvdmVy\r\n"
    "IHRoZSBsYXp5IGRvZy4K\r\n";

static const char fixed2[] = "From: Carol <carol@example.net>\n"
			     "Date: 1 Feb 99 10:00 EST\n"
			     "Content-Type: multipart/mixed; boundary=b1\n"
			     "\n"
			     "--b1\n"
			     "Content-Type: text/plain\n"
			     "Content-Transfer-Encoding: quoted-printable\n"
			     "\n"
			     "Soft=\n"
			     " line break caf=C3=A9\n"
			     "--b1\n"
			     "Content-Type: message/rfc822\n"
			     "\n"
			     "Subject: inner\n"
			     "\n"
			     "inner text\n"
			     "--b1--\n";

static const char fixed3[] = "Subject: \xce\x91\xce\x92\xce\x93\n\nbody\n";

struct fmsg {
	const char *text;
	size_t len;
	int headers, messages;
};

static int
f_keyword(void *ctx, const char *kw)
{
	(void)ctx;
	return kw[0] != 0 && (kw[0] & 1);
}

static int
f_header(void *ctx, const char **p, size_t *n)
{
	struct fmsg *f = ctx;
	const char *end = memchr(f->text, 0, f->len);

	f->headers++;
	*p = f->text;
	*n = end != NULL ? (size_t)(end - f->text) : f->len;
	return 0;
}

static int
f_message(void *ctx, const char **p, size_t *n)
{
	struct fmsg *f = ctx;

	f->messages++;
	*p = f->text;
	*n = f->len;
	return 0;
}

/* Match s against the messages, collecting sequence numbers and UIDs. */
static void
match_all(struct imap_search *s, struct fmsg *msgs, unsigned flags,
    struct imap_seqlist *seqs, struct imap_seqlist *uids)
{
	struct imap_seqlist saved;
	struct imap_search_env env = { .max_seq = NMSG,
		.max_uid = NMSG * 7,
		.now = 1612251000 };
	unsigned needs = imap_search_needs(s);
	struct imap_search_msg m;
	int i, r;

	imap_seqlist_init(&saved, NMSG);
	(void)imap_seqlist_add(&saved, 7);
	(void)imap_seqlist_add(&saved, 21);
	env.saved = &saved;
	for (i = 0; i < NMSG; i++) {
		memset(&m, 0, sizeof(m));
		m.seq = (uint32_t)i + 1;
		m.uid = (uint32_t)(i + 1) * 7;
		m.flags = flags >> i;
		m.size = msgs[i].len;
		m.internaldate = (time_t)1612251000 - i * 43200;
		m.internal_tz_min = i * 300 - 720;
		m.has_keyword = f_keyword;
		/* One message gives its header only through message(). */
		m.header = i == 1 ? NULL : f_header;
		m.message = f_message;
		m.ctx = &msgs[i];
		msgs[i].headers = msgs[i].messages = 0;
		r = imap_search_match(s, &m, &env);
		CHECK(r == 0 || r == 1);
		CHECK(msgs[i].headers <= 1 && msgs[i].messages <= 1);
		if (!(needs & IMAP_SEARCH_NEED_HEADER))
			CHECK(msgs[i].headers == 0);
		if (!(needs &
			(IMAP_SEARCH_NEED_HEADER | IMAP_SEARCH_NEED_MESSAGE)))
			CHECK(msgs[i].messages == 0);
		CHECK(imap_search_match(s, &m, &env) == r);
		if (r) {
			CHECK(imap_seqlist_add(seqs, m.seq) == 0);
			CHECK(imap_seqlist_add(uids, m.uid) == 0);
		}
	}
	imap_seqlist_deinit(&saved);
}

static void
check_render(const struct imap_search *s, const char *tag, unsigned flags,
    const struct imap_seqlist *res)
{
	struct buf out;

	buf_init(&out, OUT_MAX);
	CHECK(imap_search_render(s, tag, flags, res, &out) == 0);
	if (imap_search_return(s) == IMAP_SEARCH_RET_SAVE)
		CHECK(out.len == 0);
	else
		CHECK(out.len >= 4 && memcmp(out.data, "* ", 2) == 0 &&
		    memcmp(out.data + out.len - 2, "\r\n", 2) == 0 &&
		    memchr(out.data, '\n', out.len) == out.data + out.len - 1);
	buf_deinit(&out);
}

static void
run_search(const struct imap_command *cmd, struct fmsg *msgs, int ctl)
{
	struct imap_search_limits small = { .depth_max = 4, .keys_max = 16 };
	struct imap_seqlist seqs, uids, saved;
	const struct imap_arg *args = cmd->args;
	struct imap_search *s = NULL;
	struct buf err;
	size_t i;
	int rc;

	if (strcmp(cmd->name, "UID") == 0 && args != NULL)
		args = args->next;
	buf_init(&err, 1024);
	rc = imap_search_compile(args, (ctl & 64) ? &small : NULL, &s, &err);
	if (rc != IMAP_SEARCH_OK) {
		CHECK(s == NULL && err.len > 0);
		CHECK(rc == IMAP_SEARCH_BAD || rc == IMAP_SEARCH_BADCHARSET);
		buf_deinit(&err);
		return;
	}
	CHECK(s != NULL);
	imap_seqlist_init(&seqs, NMSG);
	imap_seqlist_init(&uids, NMSG);
	imap_seqlist_init(&saved, NMSG);
	match_all(s, msgs, (unsigned)ctl & 63, &seqs, &uids);
	check_render(s, cmd->tag, (ctl & 128) ? IMAP_SEARCH_RENDER_REV2 : 0,
	    &seqs);
	check_render(s, cmd->tag, IMAP_SEARCH_RENDER_UID, &uids);
	CHECK(imap_search_save(s, &uids, &saved) == 0);
	for (i = 0; i < saved.count; i++)
		CHECK(imap_seqlist_contains(&uids, saved.nums[i]));
	imap_seqlist_deinit(&saved);
	imap_seqlist_deinit(&uids);
	imap_seqlist_deinit(&seqs);
	imap_search_destroy(&s);
	CHECK(s == NULL);
	buf_deinit(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_limits lim = { .utf8 = 1 };
	struct fmsg msgs[NMSG] = {
		{ fixed1, sizeof(fixed1) - 1, 0, 0 },
		{ fixed2, sizeof(fixed2) - 1, 0, 0 },
		{ fixed3, sizeof(fixed3) - 1, 0, 0 },
		{ "", 0, 0, 0 },
	};
	const char *in, *nul;
	size_t len, off = 0, used;
	struct imap_parser *p;
	int ctl, rc;

	if (size < 1)
		return 0;
	ctl = data[0];
	in = (const char *)data + 1;
	len = size - 1;
	if ((nul = memchr(in, 0, len)) != NULL) {
		msgs[3].text = nul + 1;
		msgs[3].len = len - (size_t)(nul + 1 - in);
		len = (size_t)(nul - in);
	}
	p = imap_parser_create(&lim);
	while (off < len) {
		rc = imap_parser_feed(p, in + off, len - off, &used);
		off += used;
		if (rc == IMAP_PARSE_COMMAND)
			run_search(imap_parser_command(p), msgs, ctl);
		else if (rc == IMAP_PARSE_NEED_MORE || rc == IMAP_PARSE_FATAL)
			break;
	}
	imap_parser_destroy(&p);
	return 0;
}
