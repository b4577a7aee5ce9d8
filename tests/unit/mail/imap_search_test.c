/* SPDX-License-Identifier: MIT */
/* imap_search_test - SEARCH commands fed through imap_parse and compiled:
 * every key, RETURN and CHARSET, the errors (bad dates, unknown keys,
 * BADCHARSET, depth and key limits); matching on sample messages (RFC
 * 2047 subjects and names, base64 and quoted-printable bodies, multipart,
 * bodies and words in KOI8-R, Shift_JIS, ISO-2022-JP found by UTF-8
 * strings, CHARSET ISO-8859-1 / KOI8-R / Shift_JIS strings,
 * OR/NOT nesting, internal dates at zone edges, Date: headers with
 * obsolete forms, sequence sets with "*", "$"); that the header and
 * message callbacks are called only when needed; linear-time search on an
 * adversarial body (result lists: imap_search_result_test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "mail/imap_parse.h"
#include "mail/imap_search.h"
#include "mail/imap_search_impl.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/mem.h"

#include "imap_search_fixture.h"

static const char *const good[] = {
	"ALL",
	"ANSWERED",
	"BCC bob",
	"BEFORE 1-Feb-1994",
	"BODY \"quick brown\"",
	"CC {3}\r\nbob",
	"DELETED",
	"DRAFT",
	"FLAGGED",
	"FROM \"jörg\"",
	"HEADER X-Tag \"\"",
	"KEYWORD $Junk",
	"KEYWORD 1234",
	"KEYWORD a:b",
	"LARGER 10",
	"NEW",
	"NOT SEEN",
	"OLD",
	"ON \"01-Feb-1994\"",
	"OR SEEN DRAFT",
	"RECENT",
	"SEEN",
	"SENTBEFORE 1-Jan-2000",
	"SENTON 29-Feb-2000",
	"SENTSINCE 31-Dec-1969",
	"SINCE 1-jan-2021",
	"SMALLER 5",
	"SUBJECT {5+}\r\ncafé",
	"TEXT x",
	"TO NIL",
	"UID 1:*",
	"UID $",
	"UNANSWERED",
	"UNDELETED",
	"UNDRAFT",
	"UNFLAGGED",
	"UNKEYWORD x",
	"UNSEEN",
	"1,3:5",
	"*",
	"17",
	"$",
	"(SEEN FLAGGED)",
	"((SEEN) (NOT (FLAGGED)))",
	"OLDER 10",
	"YOUNGER 99999999999999",
	"SUBJECT 1:2",
	"RETURN (MIN MAX) ALL",
	"RETURN () ALL",
	"RETURN (SAVE ALL COUNT) SEEN",
	"CHARSET UTF-8 ALL",
	"CHARSET KOI8-R ALL",
	"RETURN (ALL) CHARSET \"ISO-8859-1\" ALL",
	"RETURN (save) CHARSET us-ascii ALL",
	"or seen not unseen",
	"a UID SEARCH UID 1:5 SEEN",
};

static void
test_compile_good(void **state)
{
	struct imap_search *s;
	struct buf err;
	size_t i;

	(void)state;
	buf_init(&err, ERR_MAX);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (compile(good[i], &s, &err) != IMAP_SEARCH_OK)
			fail_msg("%s: %s", good[i], err.data);
		assert_non_null(s);
		imap_search_destroy(&s);
		assert_null(s);
	}
	buf_deinit(&err);
}

static const struct {
	const char *args;
	int rc;
	const char *err;
} bad[] = {
	{ "a SEARCH", IMAP_SEARCH_BAD, "Missing search key" },
	{ "FOO", IMAP_SEARCH_BAD, "Unknown search key" },
	{ "\"SEEN\"", IMAP_SEARCH_BAD, "Invalid search key" },
	{ "BEFORE 31-Feb-2000", IMAP_SEARCH_BAD, "Invalid date (d-Mon-yyyy)" },
	{ "BEFORE 29-Feb-1900", IMAP_SEARCH_BAD, NULL },
	{ "BEFORE 1-Foo-2000", IMAP_SEARCH_BAD, NULL },
	{ "BEFORE 1-Feb-20", IMAP_SEARCH_BAD, NULL },
	{ "BEFORE 100-Feb-2020", IMAP_SEARCH_BAD, NULL },
	{ "BEFORE 1-Feb-2020x", IMAP_SEARCH_BAD, NULL },
	{ "ON 1 Feb 2020", IMAP_SEARCH_BAD, NULL },
	{ "SINCE", IMAP_SEARCH_BAD, NULL },
	{ "LARGER x", IMAP_SEARCH_BAD, "Search key needs a number" },
	{ "SMALLER", IMAP_SEARCH_BAD, NULL },
	{ "OR SEEN", IMAP_SEARCH_BAD, "Missing search key" },
	{ "NOT", IMAP_SEARCH_BAD, "Missing search key" },
	{ "()", IMAP_SEARCH_BAD, "Missing search key" },
	{ "KEYWORD \\Seen", IMAP_SEARCH_BAD, "KEYWORD needs a keyword" },
	{ "KEYWORD \"a b\"", IMAP_SEARCH_BAD, NULL },
	{ "UID FOO", IMAP_SEARCH_BAD, "UID needs a sequence set" },
	{ "UID", IMAP_SEARCH_BAD, NULL },
	{ "0", IMAP_SEARCH_BAD, "Invalid sequence set" },
	{ "4294967296", IMAP_SEARCH_BAD, NULL },
	{ "CHARSET X-NONSUCH ALL", IMAP_SEARCH_BADCHARSET,
	    "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset" },
	{ "RETURN (ALL) CHARSET \"utf-8//ignore\" ALL", IMAP_SEARCH_BADCHARSET,
	    NULL },
	{ "CHARSET ISO-2022-JP-3 ALL", IMAP_SEARCH_BADCHARSET, NULL },
	{ "CHARSET", IMAP_SEARCH_BAD, "CHARSET needs a name" },
	{ "CHARSET UTF-8", IMAP_SEARCH_BAD, "Missing search key" },
	{ "RETURN (FOO) ALL", IMAP_SEARCH_BAD, "Unknown RETURN option" },
	{ "RETURN ALL", IMAP_SEARCH_BAD, "RETURN needs a list of options" },
	{ "ALL RETURN (MIN)", IMAP_SEARCH_BAD, NULL },
	{ "CHARSET UTF-8 RETURN (MIN) ALL", IMAP_SEARCH_BAD, NULL },
	{ "OLDER 0", IMAP_SEARCH_BAD, "Interval must be a positive number" },
	{ "HEADER \"\" x", IMAP_SEARCH_BAD, "Invalid header field name" },
	{ "HEADER \"A:B\" x", IMAP_SEARCH_BAD, NULL },
	{ "HEADER X-Tag", IMAP_SEARCH_BAD, "Search key needs a string" },
	{ "SUBJECT (x)", IMAP_SEARCH_BAD, NULL },
	{ "BODY[TEXT] x", IMAP_SEARCH_BAD, "Invalid search key" },
	{ "SEEN FOO", IMAP_SEARCH_BAD, NULL },
};

static void
test_compile_bad(void **state)
{
	struct imap_search *s = (void *)1;
	struct buf err;
	size_t i;
	int rc;

	(void)state;
	buf_init(&err, ERR_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = compile(bad[i].args, &s, &err);
		if (rc != bad[i].rc)
			fail_msg("%s: %d (%s)", bad[i].args, rc, err.data);
		assert_null(s);
		assert_true(err.len > 0);
		if (bad[i].err != NULL)
			assert_string_equal(err.data, bad[i].err);
	}
	buf_deinit(&err);
}

/* Nesting and key count limits, through NOT chains, lists and ORs. */
static void
test_compile_limits(void **state)
{
	struct imap_search_limits lim = { .depth_max = 5, .keys_max = 6 };
	struct imap_search *s;
	struct buf err, args;
	int i;

	(void)state;
	buf_init(&err, ERR_MAX);
	assert_int_equal(compile_lim("NOT NOT NOT NOT NOT SEEN", &lim, &s,
			     &err),
	    IMAP_SEARCH_OK);
	imap_search_destroy(&s);
	assert_int_equal(compile_lim("NOT NOT NOT NOT NOT NOT SEEN", &lim, &s,
			     &err),
	    IMAP_SEARCH_BAD);
	assert_string_equal(err.data, "Search keys nested too deeply");
	assert_int_equal(compile_lim("OR OR OR OR OR (SEEN) A B C D E", &lim,
			     &s, &err),
	    IMAP_SEARCH_BAD);
	assert_string_equal(err.data, "Search keys nested too deeply");
	assert_int_equal(compile_lim("SEEN SEEN SEEN SEEN SEEN", &lim, &s,
			     &err),
	    IMAP_SEARCH_OK);
	imap_search_destroy(&s);
	assert_int_equal(compile_lim("SEEN SEEN SEEN SEEN SEEN SEEN", &lim, &s,
			     &err),
	    IMAP_SEARCH_BAD);
	assert_string_equal(err.data, "Too many search keys");

	/* The default depth: 100 NOTs are fine, 101 are not. */
	buf_init(&args, OUT_MAX);
	for (i = 0; i < 100; i++)
		assert_int_equal(buf_puts(&args, "NOT "), 0);
	assert_int_equal(buf_puts(&args, "SEEN"), 0);
	assert_int_equal(compile(args.data, &s, &err), IMAP_SEARCH_OK);
	imap_search_destroy(&s);
	buf_reset(&args);
	for (i = 0; i < 101; i++)
		assert_int_equal(buf_puts(&args, "NOT "), 0);
	assert_int_equal(buf_puts(&args, "SEEN"), 0);
	assert_int_equal(compile(args.data, &s, &err), IMAP_SEARCH_BAD);
	buf_deinit(&args);
	buf_deinit(&err);
}

static void
test_return_options(void **state)
{
	static const struct {
		const char *args;
		unsigned ret, needs;
		int saved;
	} cases[] = {
		{ "ALL", 0, 0, 0 },
		{ "RETURN () ALL", IMAP_SEARCH_RET_ALL, 0, 0 },
		{ "RETURN (MIN COUNT) SEEN",
		    IMAP_SEARCH_RET_MIN | IMAP_SEARCH_RET_COUNT, 0, 0 },
		{ "RETURN (SAVE) $", IMAP_SEARCH_RET_SAVE, 0, 1 },
		{ "KEYWORD a", 0, IMAP_SEARCH_NEED_KEYWORDS, 0 },
		{ "SENTON 1-Feb-2020 UID $", 0, IMAP_SEARCH_NEED_HEADER, 1 },
		{ "OR FROM a BODY b", 0,
		    IMAP_SEARCH_NEED_HEADER | IMAP_SEARCH_NEED_MESSAGE, 0 },
		{ "NOT TEXT b", 0, IMAP_SEARCH_NEED_MESSAGE, 0 },
		{ "OR SINCE 1-Feb-2020 LARGER 5", 0,
		    IMAP_SEARCH_NEED_DATE | IMAP_SEARCH_NEED_SIZE, 0 },
		{ "NOT YOUNGER 60", 0, IMAP_SEARCH_NEED_DATE, 0 },
		{ "BEFORE 1-Feb-2020", 0, IMAP_SEARCH_NEED_DATE, 0 },
	};
	struct imap_search *s;
	struct buf err;
	size_t i;

	(void)state;
	buf_init(&err, ERR_MAX);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(compile(cases[i].args, &s, &err),
		    IMAP_SEARCH_OK);
		assert_int_equal(imap_search_return(s), cases[i].ret);
		assert_int_equal(imap_search_needs(s), cases[i].needs);
		assert_int_equal(imap_search_uses_saved(s), cases[i].saved);
		imap_search_destroy(&s);
	}
	buf_deinit(&err);
}

/* --- messages --- */

static const char msg1[] = "From: =?UTF-8?B?SsO2cmc=?= <jorg@example.org>\r\n"
			   "To: alice@example.com\r\n"
			   "Cc: bob@example.com\r\n"
			   "Subject: =?ISO-8859-1?Q?Caf=E9_au_lait?=\r\n"
			   " continued\r\n"
			   "Date: Mon, 1 Feb 2021 23:30:00 -0800\r\n"
			   "X-Tag: hello\r\n"
			   "Content-Type: text/plain; charset=utf-8\r\n"
			   "Content-Transfer-Encoding: base64\r\n"
			   "\r\n"
			   "VGhlIHF1aWNrIGJyb3duIEZPWCBqdW1wcyBvdmVy\r\n"
			   "IHRoZSBsYXp5IGRvZy4K\r\n";

static const char msg2[] =
    "From: Carol <carol@example.net>\n"
    "To: undisclosed-recipients:;\n"
    "Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= report\n"
    "Date: 1 Feb 99 10:00 EST\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\n"
    "\n"
    "preamble fox\n"
    "--b1\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Soft=\n"
    " line break caf=C3=A9 =C3=89T=C3=89\n"
    "--b1\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "dG9wIHNlY3JldCBwYXlsb2Fk\n"
    "--b1\n"
    "Content-Type: text/plain; charset=ISO-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Gr=FC=DFe aus K=D6ln\n"
    "--b1\n"
    "Content-Type: text/plain; charset=windows-1252\n"
    "\n"
    "\x93quoted\x94 \x80 5\n"
    "--b1\n"
    "Content-Type: text/plain; charset=KOI8-R\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "\xf0\xd2\xc9\xd7\xc5\xd4 \xcd\xc9\xd2\n"
    "--b1\n"
    "Content-Type: text/plain; charset=\"Shift_JIS\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "k/qWe4zqg2WDTINYg2eCxYK3gUI=\n"
    "--b1--\n"
    "epilogue\n";

static const char msg3[] = "Subject: \xce\x91\xce\x92\xce\x93 test\n"
			   "Date: not a date\n"
			   "\n"
			   "plain body\n";

struct tmsg {
	const char *text;
	const char *const *keywords;
	int headers, messages, keywords_asked; /* calls */
	int fail;                              /* callbacks fail */
};

static int
t_keyword(void *ctx, const char *kw)
{
	struct tmsg *t = ctx;
	const char *const *k;

	t->keywords_asked++;
	if (t->fail)
		return -1;
	for (k = t->keywords; k != NULL && *k != NULL; k++)
		if (strcasecmp(*k, kw) == 0)
			return 1;
	return 0;
}

static int
t_header(void *ctx, const char **p, size_t *n)
{
	struct tmsg *t = ctx;

	t->headers++;
	if (t->fail)
		return -1;
	*p = t->text;
	*n = imap_search_header_len(t->text, strlen(t->text));
	return 0;
}

static int
t_message(void *ctx, const char **p, size_t *n)
{
	struct tmsg *t = ctx;

	t->messages++;
	if (t->fail)
		return -1;
	*p = t->text;
	*n = strlen(t->text);
	return 0;
}

static const char *const kw1[] = { "$Junk", "Work", NULL };

static struct tmsg tmsgs[3] = {
	{ .text = msg1, .keywords = kw1 },
	{ .text = msg2 },
	{ .text = msg3 },
};

/* 2021-02-02T07:30:00Z */
#define T_FEB2_0730Z 1612251000

static void
msg_for(int i, struct imap_search_msg *m)
{
	static const unsigned flags[3] = { IMAP_SF_SEEN | IMAP_SF_FLAGGED,
		IMAP_SF_RECENT, IMAP_SF_RECENT | IMAP_SF_SEEN | IMAP_SF_DRAFT };

	memset(m, 0, sizeof(*m));
	m->seq = (uint32_t)i + 1;
	m->uid = (uint32_t)(i + 1) * 10;
	m->flags = flags[i];
	m->size = strlen(tmsgs[i].text);
	m->internaldate = T_FEB2_0730Z;
	m->internal_tz_min = -480; /* 1-Feb-2021 23:30 -0800 */
	m->has_keyword = t_keyword;
	m->header = i == 1 ? NULL : t_header; /* msg2: from the message */
	m->message = t_message;
	m->ctx = &tmsgs[i];
}

static const struct imap_search_env env3 = {
	.max_seq = 3,
	.max_uid = 30,
	.now = T_FEB2_0730Z + 3600,
};

/* The sequence numbers of the messages matching args, as "1 3". */
static void
matches(const char *args, const struct imap_search_env *env, char *out,
    size_t outsz)
{
	struct imap_search_msg m;
	struct imap_search *s;
	struct buf err;
	size_t len = 0;
	int i, r;

	buf_init(&err, ERR_MAX);
	if (compile(args, &s, &err) != IMAP_SEARCH_OK)
		fail_msg("%s: %s", args, err.data);
	out[0] = 0;
	for (i = 0; i < 3; i++) {
		msg_for(i, &m);
		r = imap_search_match(s, &m, env);
		assert_true(r == 0 || r == 1);
		if (r)
			len += (size_t)snprintf(out + len, outsz - len, "%s%d",
			    len > 0 ? " " : "", i + 1);
	}
	imap_search_destroy(&s);
	buf_deinit(&err);
}

static const struct {
	const char *args, *want;
} match_cases[] = {
	/* flags */
	{ "ALL", "1 2 3" },
	{ "SEEN", "1 3" },
	{ "UNSEEN", "2" },
	{ "NEW", "2" },
	{ "OLD", "1" },
	{ "RECENT", "2 3" },
	{ "FLAGGED DRAFT", "" },
	{ "OR FLAGGED DRAFT", "1 3" },
	{ "UNDRAFT UNFLAGGED", "2" },
	{ "ANSWERED", "" },
	{ "UNANSWERED", "1 2 3" },
	{ "DELETED", "" },
	{ "UNDELETED", "1 2 3" },
	{ "KEYWORD work", "1" },
	{ "UNKEYWORD $Junk", "2 3" },
	/* numbers */
	{ "2:*", "2 3" },
	{ "*", "3" },
	{ "*:2", "2 3" },
	{ "1,3", "1 3" },
	{ "5:9", "" },
	{ "UID 20", "2" },
	{ "UID 25:*", "3" },
	{ "UID 1:15,30", "1 3" },
	{ "LARGER 100", "1 2" },
	{ "SMALLER 51", "3" },
	{ "SMALLER 50", "" },
	{ "LARGER 49", "1 2 3" },
	{ "LARGER 50", "1 2" },
	/* internal date: 1-Feb-2021 23:30 in its zone (-0800), which is
	 * 2-Feb in UTC */
	{ "ON 1-Feb-2021", "1 2 3" },
	{ "ON 2-Feb-2021", "" },
	{ "BEFORE 2-Feb-2021", "1 2 3" },
	{ "BEFORE 1-Feb-2021", "" },
	{ "SINCE 1-Feb-2021", "1 2 3" },
	{ "SINCE \"2-Feb-2021\"", "" },
	{ "YOUNGER 3600", "1 2 3" },
	{ "YOUNGER 3599", "" },
	{ "OLDER 3600", "1 2 3" },
	{ "OLDER 3601", "" },
	/* Date: as written, disregarding time and zone; msg3's does not
	 * parse, so it matches none of them, but their negations */
	{ "SENTON 1-Feb-2021", "1" },
	{ "SENTSINCE 2-Feb-2021", "" },
	{ "SENTBEFORE 2-Feb-2021", "1 2" },
	{ "SENTON 1-Feb-1999", "2" },
	{ "NOT SENTON 1-Feb-1999", "1 3" },
	{ "SENTSINCE 1-Jan-1900", "1 2" },
	/* headers: RFC 2047 words decoded, unfolded, case folded */
	{ "SUBJECT \"café\"", "1" },
	{ "SUBJECT \"CAFÉ\"", "1" },
	{ "SUBJECT \"lait continued\"", "1" },
	{ "SUBJECT \"=?ISO\"", "" },
	{ "SUBJECT \"\xce\xb1\xce\xb2\xce\xb3\"", "3" },
	{ "SUBJECT \"\"", "1 2 3" },
	{ "FROM \"jörg\"", "1" },
	{ "FROM \"JÖRG\"", "1" },
	{ "FROM example", "1 2" },
	{ "FROM {5}\r\nCAROL", "2" },
	{ "TO alice", "1" },
	{ "TO undisclosed", "2" },
	{ "CC bob@", "1" },
	{ "BCC bob", "" },
	{ "HEADER X-Tag \"\"", "1" },
	{ "HEADER x-tag HELLO", "1" },
	{ "HEADER MIME-Version 1.0", "2" },
	{ "HEADER Content-Type octet", "" },
	/* bodies: decoded text parts only; TEXT adds every header */
	{ "BODY fox", "1" },
	{ "BODY \"quick brown fox jumps\"", "1" },
	{ "BODY VGhl", "" },
	{ "BODY \"soft line break\"", "2" },
	{ "BODY \"CAFÉ ÉTÉ\"", "2" },
	/* bodies in Latin-1 and windows-1252, searched as UTF-8 */
	{ "BODY \"grüße aus köln\"", "2" },
	{ "BODY \"GRÜSSE\"", "" },
	{ "BODY \"\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac 5\"", "2" },
	{ "TEXT \"KÖLN\"", "2" },
	/* KOI8-R, Shift_JIS bodies and an ISO-2022-JP word, as UTF-8 */
	{ "BODY \"привет\"", "2" },
	{ "BODY \"ПРИВЕТ МИР\"", "2" },
	{ "BODY \"日本語テキストです\"", "2" },
	{ "BODY \"テキスト\"", "2" },
	{ "SUBJECT \"テスト report\"", "2" },
	{ "TEXT \"テスト\"", "2" },
	{ "BODY \"テスト\"", "" },
	/* CHARSET: the strings in it, converted */
	{ "CHARSET ISO-8859-1 BODY {5}\r\ngr\xfc\xdf"
	  "e",
	    "2" },
	{ "CHARSET latin1 SUBJECT {4}\r\ncaf\xe9", "1" },
	{ "CHARSET KOI8-R BODY {3}\r\n\xed\xe9\xf2", "2" },
	{ "CHARSET Shift_JIS BODY {4}\r\n\x93\xfa\x96\x7b", "2" },
	{ "CHARSET ISO-2022-JP SUBJECT {7}\r\n\x1b$B%F%9", "2" },
	{ "BODY secret", "" },
	{ "BODY preamble", "" },
	{ "BODY alice", "" },
	{ "BODY \"\"", "1 2 3" },
	{ "TEXT alice", "1" },
	{ "TEXT octet-stream", "2" },
	{ "TEXT \"subject: \xce\xb1\"", "3" },
	{ "TEXT \"plain body\"", "3" },
	{ "BODY {11}\r\nplain body\n", "3" },
	/* nesting */
	{ "OR (SEEN FLAGGED) NOT SUBJECT \"café\"", "1 2 3" },
	{ "NOT OR SEEN KEYWORD work", "2" },
	{ "OR OR UID 10 UID 20 UID 30", "1 2 3" },
	{ "NOT (NOT (OR BODY fox TEXT carol))", "1 2" },
	{ "(SEEN (NOT DRAFT (BODY fox)))", "1" },
	{ "SEEN NOT TEXT zzz 2:3", "3" },
	{ "or seen not unseen", "1 3" },
	/* "$": the saved UIDs */
	{ "$", "1 3" },
	{ "UID $ NOT 1", "3" },
};

static void
test_match(void **state)
{
	struct imap_search_env env = env3;
	struct imap_seqlist saved;
	char got[64];
	size_t i;

	(void)state;
	imap_seqlist_init(&saved, 10);
	assert_int_equal(imap_seqlist_add(&saved, 30), 0);
	assert_int_equal(imap_seqlist_add(&saved, 10), 0);
	env.saved = &saved;
	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		matches(match_cases[i].args, &env, got, sizeof(got));
		if (strcmp(got, match_cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"",
			    match_cases[i].args, got, match_cases[i].want);
	}
	/* No saved result: "$" is empty. */
	env.saved = NULL;
	matches("$", &env, got, sizeof(got));
	assert_string_equal(got, "");
	imap_seqlist_deinit(&saved);
}

/* Internal dates on either side of midnight, in zones east and west,
 * and before 1970. */
static void
test_internal_date_edges(void **state)
{
	static const struct {
		time_t t;
		int tz;
		const char *on;
	} cases[] = {
		{ 1612209600, 600, "2-Feb-2021" }, /* 20:00Z = 06:00 +1000 */
		{ 1612209600, 0, "1-Feb-2021" },   /* 20:00Z */
		{ 1612209600, 240, "2-Feb-2021" }, /* 00:00 +0400 */
		{ 1612209599, 240, "1-Feb-2021" }, /* 23:59:59 +0400 */
		{ 1612224000, -1, "1-Feb-2021" },  /* 00:00Z = 23:59 -0001 */
		{ -1, 0, "31-Dec-1969" },
		{ 0, -60, "31-Dec-1969" },
		{ 951782400, 0, "29-Feb-2000" },
	};
	struct imap_search_msg m;
	struct imap_search *s;
	struct buf err, args;
	size_t i;

	(void)state;
	buf_init(&err, ERR_MAX);
	buf_init(&args, ERR_MAX);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&args);
		assert_int_equal(buf_printf(&args, "ON %s", cases[i].on), 0);
		assert_int_equal(compile(args.data, &s, &err), IMAP_SEARCH_OK);
		msg_for(0, &m);
		m.internaldate = cases[i].t;
		m.internal_tz_min = cases[i].tz;
		if (imap_search_match(s, &m, &env3) != 1)
			fail_msg("case %zu: not on %s", i, cases[i].on);
		imap_search_destroy(&s);
	}
	buf_deinit(&args);
	buf_deinit(&err);
}

static void
test_dates(void **state)
{
	static const struct {
		const char *date;
		int ok;
		int y;
		unsigned m, d;
	} sent[] = {
		{ "Mon, 1 Feb 2021 23:30:00 -0800", 1, 2021, 2, 1 },
		{ "1 Feb 99 10:00 EST", 1, 1999, 2, 1 },
		{ "1 Feb 49 10:00 +0000", 1, 2049, 2, 1 },
		{ "Tue, 01 Jan 100 00:00:00 GMT", 1, 2000, 1, 1 },
		{ "(c) 5 (x) Mar (y) 2020 10 : 00 : 60 +0100 (CET)", 1, 2020, 3,
		    5 },
		{ "Thu,29 Feb 2024 12:00:00 Z", 1, 2024, 2, 29 },
		{ "29 feb 2024 12:00", 1, 2024, 2, 29 },
		{ "1 February 2021 10:00 +0000", 0, 0, 0, 0 },
		{ "29 Feb 2023 12:00:00 +0000", 0, 0, 0, 0 },
		{ "1 Feb 2021", 0, 0, 0, 0 },
		{ "1 Feb 2021 24:00 +0000", 0, 0, 0, 0 },
		{ "1 Feb 2021 10:00:00 +01", 0, 0, 0, 0 },
		{ "1 Feb 2021 10:00:00 +0100 junk junk", 0, 0, 0, 0 },
		{ "1 Feb 12021 10:00 +0000", 0, 0, 0, 0 },
		{ "", 0, 0, 0, 0 },
		{ "(unclosed", 0, 0, 0, 0 },
	};
	int64_t day;
	size_t i;

	(void)state;
	assert_int_equal(imap_search_days(1970, 1, 1), 0);
	assert_int_equal(imap_search_days(1969, 12, 31), -1);
	assert_int_equal(imap_search_days(2000, 3, 1), 11017);
	for (i = 0; i < sizeof(sent) / sizeof(sent[0]); i++) {
		int rc = imap_search_sent_date(sent[i].date,
		    strlen(sent[i].date), &day);

		if ((rc == 0) != sent[i].ok)
			fail_msg("%s: %d", sent[i].date, rc);
		if (rc == 0)
			assert_int_equal(day,
			    imap_search_days(sent[i].y, sent[i].m, sent[i].d));
	}
	assert_int_equal(imap_search_date("1-Feb-1994", 10, &day), 0);
	assert_int_equal(day, imap_search_days(1994, 2, 1));
	assert_int_equal(imap_search_date("01-FEB-1994", 11, &day), 0);
	assert_int_equal(imap_search_date("1-Feb-994", 9, &day), -1);
	assert_int_equal(imap_search_date("-Feb-1994", 9, &day), -1);
	assert_int_equal(imap_search_date("0-Feb-1994", 10, &day), -1);
	assert_int_equal(imap_search_date("1-Feb", 5, &day), -1);
}

/* Cheap keys first; header and message fetched only when needed, once. */
static void
test_lazy(void **state)
{
	static const struct {
		const char *args;
		int msg; /* which message */
		int headers, messages, keywords;
		int want;
	} cases[] = {
		{ "SUBJECT \"café\" UNSEEN", 0, 0, 0, 0, 0 },
		{ "BODY fox UNFLAGGED", 0, 0, 0, 0, 0 },
		{ "BODY fox SUBJECT zzz KEYWORD nope", 0, 0, 0, 1, 0 },
		{ "BODY fox SUBJECT zzz KEYWORD work", 0, 1, 0, 1, 0 },
		{ "BODY fox SUBJECT \"café\" FROM \"jörg\" SENTON 1-Feb-2021",
		    0, 1, 1, 0, 1 },
		{ "TEXT carol BODY line", 1, 0, 1, 0, 1 },
		{ "SENTON 1-Feb-1999 FROM carol", 1, 0, 1, 0, 1 },
		{ "OR BODY fox SEEN", 0, 0, 0, 0, 1 },
		{ "OR SUBJECT x BODY fox", 0, 1, 1, 0, 1 },
		{ "NOT (SEEN TEXT x)", 1, 0, 0, 0, 1 },
		{ "1:2 ALL", 2, 0, 0, 0, 0 },
	};
	struct imap_search_msg m;
	struct imap_search *s;
	struct buf err;
	size_t i;
	int r;

	(void)state;
	buf_init(&err, ERR_MAX);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tmsg *t = &tmsgs[cases[i].msg];

		assert_int_equal(compile(cases[i].args, &s, &err),
		    IMAP_SEARCH_OK);
		msg_for(cases[i].msg, &m);
		t->headers = t->messages = t->keywords_asked = 0;
		r = imap_search_match(s, &m, &env3);
		if (r != cases[i].want || t->headers != cases[i].headers ||
		    t->messages != cases[i].messages ||
		    t->keywords_asked != cases[i].keywords)
			fail_msg("%s: match %d header %d message %d keyword %d",
			    cases[i].args, r, t->headers, t->messages,
			    t->keywords_asked);
		imap_search_destroy(&s);
	}
	buf_deinit(&err);
}

/* A failing callback makes the match fail (-1), through NOT too. */
static void
test_callback_errors(void **state)
{
	static const char *const args[] = { "SUBJECT x", "NOT BODY x",
		"KEYWORD a", "OR SENTON 1-Feb-2021 UNSEEN", "NOT TEXT x" };
	struct imap_search_msg m;
	struct imap_search *s;
	struct buf err;
	size_t i;

	(void)state;
	buf_init(&err, ERR_MAX);
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		assert_int_equal(compile(args[i], &s, &err), IMAP_SEARCH_OK);
		msg_for(0, &m);
		tmsgs[0].fail = 1;
		assert_int_equal(imap_search_match(s, &m, &env3), -1);
		tmsgs[0].fail = 0;
		/* Without a message callback, a body key cannot be had. */
		m.message = NULL;
		m.header = NULL;
		if (imap_search_needs(s) &
		    (IMAP_SEARCH_NEED_MESSAGE | IMAP_SEARCH_NEED_HEADER))
			assert_int_equal(imap_search_match(s, &m, &env3), -1);
		imap_search_destroy(&s);
	}
	buf_deinit(&err);
}

/* KMP on the folded needle: "aaa...ab" in megabytes of "a" is linear. */
static void
test_linear(void **state)
{
	enum {
		HAY = 4 * 1024 * 1024,
		NEEDLE = 4096
	};
	struct imap_search_msg m;
	struct imap_search *s;
	struct tmsg t = { 0 };
	struct buf err, args;
	char *text;
	clock_t start;
	double secs;

	(void)state;
	text = xmalloc(HAY + 1);
	memcpy(text, "Subject: x\n\n", 12);
	memset(text + 12, 'A', HAY - 12);
	t.text = text;
	buf_init(&err, ERR_MAX);
	buf_init(&args, OUT_MAX);
	assert_int_equal(buf_printf(&args, "BODY {%d}\r\n", NEEDLE), 0);
	for (int i = 0; i < NEEDLE - 1; i++)
		assert_int_equal(buf_putc(&args, 'a'), 0);
	assert_int_equal(buf_putc(&args, 'b'), 0);
	assert_int_equal(compile(args.data, &s, &err), IMAP_SEARCH_OK);
	memset(&m, 0, sizeof(m));
	m.message = t_message;
	m.ctx = &t;
	start = clock();
	assert_int_equal(imap_search_match(s, &m, &env3), 0);
	text[HAY - 1] = 'B';
	assert_int_equal(imap_search_match(s, &m, &env3), 1);
	secs = (double)(clock() - start) / CLOCKS_PER_SEC;
	/* Quadratic would be some 10^10 steps: minutes. */
	assert_true(secs < 10.0);
	imap_search_destroy(&s);
	buf_deinit(&args);
	buf_deinit(&err);
	xfree(text);
}

/* The scan gives the same answer however its input is cut, a folded
 * two-byte character included, in the needle's middle or at its end. */
static void
test_scan_splits(void **state)
{
	static const struct {
		const char *needle, *hay;
		int want;
	} cases[] = {
		{ "caf\xc3\xa9", "Un CAF\xc3\x89 noir", 1 },
		{ "\xce\xb1\xce\xb2", "x\xce\x91\xce\x92y", 1 },
		{ "\xd0\xb4\xd0\xb0", "\xd0\x94\xd0\x90", 1 },
		{ "\xd1\x91", "\xd0\x81", 1 }, /* Ё folds to ё */
		{ "\xc3\xb7", "\xc3\x97", 0 }, /* × is not ÷ */
		{ "abab", "abaabab", 1 },
		{ "aab", "aaaaaaab", 1 },
		{ "aab", "aaaaaaaa", 0 },
		{ "\xc3", "\xc3", 1 }, /* a lone lead byte */
		{ "\xc3x", "\xc3X", 1 },
		{ "", "", 1 },
	};
	struct imap_search_needle n;
	struct imap_search_scan sc;
	size_t i, len, cut, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		imap_search_needle_init(&n, cases[i].needle,
		    strlen(cases[i].needle));
		len = strlen(cases[i].hay);
		for (cut = 0; cut <= len; cut++) {
			imap_search_scan_init(&sc, &n);
			(void)imap_search_scan_feed(&sc, cases[i].hay, cut);
			(void)imap_search_scan_feed(&sc, cases[i].hay + cut,
			    len - cut);
			if (imap_search_scan_break(&sc) != cases[i].want)
				fail_msg("case %zu cut %zu", i, cut);
		}
		imap_search_scan_init(&sc, &n);
		for (j = 0; j < len; j++)
			(void)imap_search_scan_feed(&sc, cases[i].hay + j, 1);
		assert_int_equal(imap_search_scan_break(&sc), cases[i].want);
		imap_search_needle_deinit(&n);
	}
}

/* A character split by the decoder's chunks, in a base64 body and a
 * plain one; a needle across two parts does not match. */
static void
test_body_chunks(void **state)
{
	struct imap_search_msg m;
	struct imap_search *s;
	struct tmsg t = { 0 };
	struct buf err, text, plain;
	size_t i;

	(void)state;
	buf_init(&err, ERR_MAX);
	buf_init(&text, OUT_MAX);
	buf_init(&plain, OUT_MAX);
	assert_int_equal(buf_puts(&text, "Subject: x\n\n"), 0);
	for (i = 0; i < IMAP_SEARCH_CHUNK - 1; i++)
		assert_int_equal(buf_putc(&text, 'x'), 0);
	assert_int_equal(buf_puts(&text, "\xc3\x89t\xc3\xa9\n"), 0);
	t.text = text.data;
	memset(&m, 0, sizeof(m));
	m.message = t_message;
	m.ctx = &t;
	assert_int_equal(compile("BODY \"x\xc3\xa9T\xc3\x89\"", &s, &err),
	    IMAP_SEARCH_OK);
	assert_int_equal(imap_search_match(s, &m, &env3), 1);
	imap_search_destroy(&s);

	/* base64 on one line: 4096 characters decode to 3072 bytes, so a
	 * character at 3071 is split between two chunks. */
	buf_reset(&plain);
	for (i = 0; i < 3071; i++)
		assert_int_equal(buf_putc(&plain, 'a'), 0);
	assert_int_equal(buf_puts(&plain,
			     "\xc3\x89"
			     "ba"),
	    0);
	buf_reset(&text);
	assert_int_equal(buf_puts(&text,
			     "Content-Type: multipart/mixed; boundary=q\n\n"
			     "--q\nContent-Transfer-Encoding: base64\n\n"),
	    0);
	assert_int_equal(base64_encode(plain.data, plain.len, &text), 0);
	assert_int_equal(buf_puts(&text, "\n--q\n\nzzz\n--q--\n"), 0);
	t.text = text.data;
	assert_int_equal(compile("BODY \"a\xc3\xa9"
				 "BA\"",
			     &s, &err),
	    IMAP_SEARCH_OK);
	assert_int_equal(imap_search_match(s, &m, &env3), 1);
	imap_search_destroy(&s);
	assert_int_equal(compile("BODY \"\xc3\xa9zzz\"", &s, &err),
	    IMAP_SEARCH_OK);
	assert_int_equal(imap_search_match(s, &m, &env3), 0);
	imap_search_destroy(&s);
	assert_int_equal(compile("BODY zzz", &s, &err), IMAP_SEARCH_OK);
	assert_int_equal(imap_search_match(s, &m, &env3), 1);
	imap_search_destroy(&s);

	/* Shift_JIS and ISO-2022-JP bodies with a character (and for
	 * ISO-2022-JP, the shift state) across the chunk boundary: the
	 * converter lives as long as the part. */
	buf_reset(&text);
	assert_int_equal(buf_puts(&text,
			     "Content-Type: text/plain; charset=shift_jis\n\n"),
	    0);
	for (i = 0; i < IMAP_SEARCH_CHUNK - 1; i++)
		assert_int_equal(buf_putc(&text, 'a'), 0);
	assert_int_equal(buf_puts(&text, "\x93\xfa\x96\x7b\n"), 0);
	t.text = text.data;
	assert_int_equal(compile("BODY \"a\xe6\x97\xa5\xe6\x9c\xac\"", &s,
			     &err),
	    IMAP_SEARCH_OK);
	assert_int_equal(imap_search_match(s, &m, &env3), 1);
	imap_search_destroy(&s);
	buf_reset(&text);
	assert_int_equal(
	    buf_puts(&text,
		"Content-Type: text/plain; charset=iso-2022-jp\n\n"),
	    0);
	for (i = 0; i < IMAP_SEARCH_CHUNK - 2; i++)
		assert_int_equal(buf_putc(&text, 'a'), 0);
	/* ESC $ B cut after ESC $, then two characters and back. */
	assert_int_equal(buf_puts(&text, "\x1b$BF|K\\\x1b(Bz\n"), 0);
	t.text = text.data;
	assert_int_equal(compile("BODY \"a\xe6\x97\xa5\xe6\x9c\xacz\"", &s,
			     &err),
	    IMAP_SEARCH_OK);
	assert_int_equal(imap_search_match(s, &m, &env3), 1);
	imap_search_destroy(&s);
	buf_deinit(&plain);
	buf_deinit(&text);
	buf_deinit(&err);
}

/* --- results --- */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_good),
		cmocka_unit_test(test_compile_bad),
		cmocka_unit_test(test_compile_limits),
		cmocka_unit_test(test_return_options),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_internal_date_edges),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_lazy),
		cmocka_unit_test(test_callback_errors),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_scan_splits),
		cmocka_unit_test(test_body_chunks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
