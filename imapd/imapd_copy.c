/* SPDX-License-Identifier: MIT */
/* imapd_copy - APPEND (RFC 9051 6.3.12, MULTIAPPEND RFC 3502), COPY
 * (6.4.7) and MOVE (RFC 6851), with UIDPLUS's APPENDUID and COPYUID (RFC
 * 4315). Messages are added through mailbox_put (mailbox.h): durable
 * before the tagged OK, UIDs given in one list update. See imapd_sess.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "mail/imap_parse.h"
#include "store/mailbox.h"
#include "store/maildir.h"
#include "store/mflags.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include "imapd_sess.h"

/* Messages one APPEND may carry (MULTIAPPEND). */
#define APPEND_MAX 1000

static void
log_err(struct sess *s, const struct buf *err)
{
	log_warn("imap(%s): Error: %s", log_str(s->user), buf_cstr(err));
}

/* The target folder of APPEND, COPY or MOVE into path. On failure the
 * tagged reply is written (NO [TRYCREATE] for a folder that does not
 * exist, RFC 9051 6.3.12): -1. */
static int
target(struct sess *s, const struct imap_command *c, const struct imap_arg *a,
    struct buf *path)
{
	const char *name = arg_text(a);

	if (name == NULL) {
		sess_bad(s, c, "Invalid mailbox name.");
		return -1;
	}
	if (sess_folder_path(s, name, path) < 0) {
		sess_no(s, c, "[CANNOT] Invalid mailbox name.");
		return -1;
	}
	if (strcasecmp(name, "INBOX") != 0 &&
	    !sess_folder_exists(buf_cstr(path))) {
		sess_no(s, c, "[TRYCREATE] Mailbox doesn't exist: %s",
		    log_str(name));
		return -1;
	}
	return 0;
}

/* --- streamed literals ---------------------------------------------- */

void
sess_append_drop(struct sess *s)
{
	size_t i;

	for (i = 0; i < s->nstreamed; i++)
		maildir_abort(&s->streamed[i]);
	xfree(s->streamed);
	s->streamed = NULL;
	s->nstreamed = 0;
	s->streaming = 0;
	s->stream_failed = 0;
	mailbox_put_abort(&s->put);
}

void
sess_append_piece(struct sess *s, const char *p, size_t n, uint64_t left)
{
	const struct imap_command *c = imap_parser_command(s->parser);
	struct maildir_msg **m;
	struct buf path, err;
	const char *error;

	if (s->stream_failed)
		return;
	if (c == NULL || strcmp(c->name, "APPEND") != 0 || c->args == NULL ||
	    s->nstreamed >= APPEND_MAX) {
		s->stream_failed = 1; /* only APPEND takes big literals */
		return;
	}
	if (!s->streaming) {
		buf_init(&path, BUF_MAX_INTERNAL);
		buf_init(&err, 1024);
		if (s->put == NULL &&
		    sess_folder_path(s,
			arg_text(c->args) ? arg_text(c->args) : "",
			&path) == 0 &&
		    sess_folder_exists(buf_cstr(&path)))
			s->put = mailbox_put_begin(buf_cstr(&path));
		s->streamed = xrealloc(s->streamed,
		    (s->nstreamed + 1) * sizeof(*s->streamed));
		s->streamed[s->nstreamed] = NULL;
		if (s->put == NULL ||
		    mailbox_put_start(s->put, &s->streamed[s->nstreamed],
			&err) < 0) {
			if (s->put != NULL)
				log_err(s, &err);
			s->stream_failed = 1;
		} else {
			s->nstreamed++;
			s->streaming = 1;
		}
		buf_deinit(&path);
		buf_deinit(&err);
		if (s->stream_failed)
			return;
	}
	m = &s->streamed[s->nstreamed - 1];
	if (maildir_write(*m, p, n, &error) < 0) {
		log_warn("imap(%s): Error: %s", log_str(s->user), error);
		s->stream_failed = 1;
		return;
	}
	if (left == 0)
		s->streaming = 0;
}

/* --- APPEND --------------------------------------------------------- */

/* RFC 9051 9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz", the day may be
 * " d". Returns the time, or -1. */
static time_t
parse_date_time(const char *p)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	char mon[4], sign;
	int day, year, hh, mm, ss, zone, used = 0;
	const char *m;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(p, "%2d-%3c-%4d %2d:%2d:%2d %c%4d%n", &day, mon, &year, &hh,
		&mm, &ss, &sign, &zone, &used) != 8 ||
	    p[used] != '\0' || (sign != '+' && sign != '-') ||
	    !isdigit((unsigned char)p[used - 1]) || strlen(p) < 26)
		return -1;
	mon[3] = '\0';
	if ((m = strstr(months, mon)) == NULL || (m - months) % 3 != 0 ||
	    day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 ||
	    zone % 100 > 59 || hh < 0 || mm < 0 || ss < 0 || year < 1900)
		return -1;
	tm.tm_mday = day;
	tm.tm_mon = (int)((m - months) / 3);
	tm.tm_year = year - 1900;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	zone = (zone / 100) * 3600 + (zone % 100) * 60;
	return sign == '+' ? t - zone : t + zone;
}

/* One message of an APPEND: its flags, date and literal. */
struct append_msg {
	const struct imap_arg *flags, *date, *lit;
};

/* Split APPEND's arguments after the mailbox into messages; -1 when
 * they are malformed. */
static long
split_append(const struct imap_arg *a, int utf8, struct append_msg *out,
    size_t max)
{
	size_t n = 0;

	while (a != NULL) {
		if (n == max)
			return -1;
		memset(&out[n], 0, sizeof(out[n]));
		if (a->type == IMAP_ARG_LIST) {
			out[n].flags = a;
			a = a->next;
		}
		if (a != NULL && a->type == IMAP_ARG_STRING) {
			out[n].date = a;
			a = a->next;
		}
		/* RFC 9755 4: "UTF8" SP "(" literal8 ")", once UTF8=ACCEPT
		 * is enabled: the message may have UTF-8 headers. */
		if (utf8 && a != NULL && a->type == IMAP_ARG_ATOM &&
		    strcasecmp(a->str, "UTF8") == 0 && a->next != NULL &&
		    a->next->type == IMAP_ARG_LIST && a->next->list != NULL &&
		    a->next->list->next == NULL &&
		    a->next->list->type == IMAP_ARG_LITERAL &&
		    (a->next->list->flags & IMAP_ARG_F_LITERAL8)) {
			out[n++].lit = a->next->list;
			a = a->next->next;
			continue;
		}
		if (a == NULL || a->type != IMAP_ARG_LITERAL)
			return -1;
		out[n++].lit = a;
		a = a->next;
	}
	return n == 0 ? -1 : (long)n;
}

/* Write a buffered literal as the next message of s->put. */
static int
put_buffered(struct sess *s, const struct imap_arg *lit, struct buf *err,
    struct maildir_msg **m_r)
{
	const char *error;

	if (mailbox_put_start(s->put, m_r, err) < 0)
		return -1;
	if (maildir_write(*m_r, lit->str, lit->len, &error) < 0) {
		buf_set(err, error);
		maildir_abort(m_r);
		return -1;
	}
	return 0;
}

int
cmd_append(struct sess *s, const struct imap_command *c)
{
	struct append_msg *msgs;
	struct mkeywords kws;
	struct buf path, err, res;
	uint32_t uidv = 0, *uids = NULL;
	size_t k, next_streamed = 0;
	long n;
	int ret = SESS_REPLIED;

	if (c->nargs < 2)
		return sess_bad(s, c, "APPEND needs a mailbox and a message.");
	memset(&kws, 0, sizeof(kws));
	msgs = xcalloc(APPEND_MAX, sizeof(*msgs));
	buf_init(&path, BUF_MAX_INTERNAL);
	buf_init(&err, 1024);
	buf_init(&res, 65536);
	if ((n = split_append(c->args->next,
		 (s->enabled & SESS_ENABLED_UTF8_ACCEPT) != 0, msgs,
		 APPEND_MAX)) < 0) {
		sess_bad(s, c, "Invalid APPEND arguments.");
		goto out;
	}
	if (target(s, c, c->args, &path) < 0)
		goto out;
	if (s->stream_failed) {
		sess_no(s, c, "[SERVERBUG] The message could not be saved.");
		goto out;
	}
	if (mkeywords_read(buf_cstr(&path), &kws, &err) < 0) {
		log_err(s, &err);
		sess_no(s, c, "[SERVERBUG] Internal error occurred.");
		goto out;
	}
	if (s->put == NULL)
		s->put = mailbox_put_begin(buf_cstr(&path));
	for (k = 0; k < (size_t)n; k++) {
		struct maildir_msg *m = NULL;
		struct mflags f;
		time_t date = 0;

		if (msgs[k].lit->len == 0) {
			sess_no(s, c, "Can't save a zero byte message.");
			goto out;
		}
		if (msgs[k].flags != NULL &&
		    sess_parse_flags(s, msgs[k].flags, &f, &kws,
			buf_cstr(&path)) < 0) {
			if (strncmp(buf_cstr(&s->tmp), "[", 1) == 0)
				sess_no(s, c, "%s", buf_cstr(&s->tmp));
			else
				sess_bad(s, c, "%s", buf_cstr(&s->tmp));
			goto out;
		}
		if (msgs[k].date != NULL &&
		    (date = parse_date_time(msgs[k].date->str)) < 0) {
			sess_bad(s, c, "Invalid internal date.");
			goto out;
		}
		if (msgs[k].lit->flags & IMAP_ARG_F_STREAMED) {
			if (next_streamed >= s->nstreamed) {
				sess_no(s, c, "[SERVERBUG] Message lost.");
				goto out;
			}
			m = s->streamed[next_streamed];
			s->streamed[next_streamed++] = NULL;
		} else if (put_buffered(s, msgs[k].lit, &err, &m) < 0) {
			log_err(s, &err);
			sess_no(s, c,
			    "[SERVERBUG] The message could not be "
			    "saved.");
			goto out;
		}
		if (mailbox_put_finish(s->put, m,
			msgs[k].flags != NULL ? &f : NULL, date, &err) < 0) {
			log_err(s, &err);
			sess_no(s, c,
			    "[SERVERBUG] The message could not be "
			    "saved.");
			goto out;
		}
	}
	uids = xcalloc((size_t)n, sizeof(*uids));
	if (mailbox_put_commit(s->put, &uidv, uids, &err) < 0) {
		s->put = NULL;
		log_err(s, &err);
		sess_no(s, c, "[SERVERBUG] The message could not be saved.");
		goto out;
	}
	s->put = NULL;
	uidset_to_buf(&res, uids, (size_t)n);
	buf_reset(&s->ok);
	buf_printf(&s->ok, "[APPENDUID %u %s] Append completed.", uidv,
	    buf_cstr(&res));
	ret = SESS_OK;
out:
	mkeywords_free(&kws);
	xfree(uids);
	xfree(msgs);
	buf_deinit(&path);
	buf_deinit(&err);
	buf_deinit(&res);
	return ret;
}

/* --- COPY and MOVE -------------------------------------------------- */

/* Map the selected folder's keyword bits to those of the target folder,
 * whose table is dst (*grew set when a name was added to it). */
static uint32_t
map_keywords(struct sess *s, uint32_t bits, struct mkeywords *dst, int *grew)
{
	uint32_t out = 0;
	int i, k;

	for (i = 0; i < MFLAG_KEYWORDS_MAX; i++) {
		if (!(bits & (1u << i)) || s->sel->kw.names[i] == NULL)
			continue;
		if ((k = mkeywords_find(dst, s->sel->kw.names[i])) < 0 &&
		    (k = mkeywords_add(dst, s->sel->kw.names[i])) >= 0)
			*grew = 1;
		if (k >= 0)
			out |= 1u << k;
	}
	return out;
}

static int
copy_or_move(struct sess *s, const struct imap_command *c, int move)
{
	struct mailbox_put *put = NULL;
	struct mkeywords dkw;
	struct buf path, err, src, dst;
	uint32_t uidv = 0, *suids = NULL, *duids = NULL;
	size_t *idx = NULL, *done = NULL, k, ndone = 0;
	long n;
	int grew = 0, ret = SESS_REPLIED;

	memset(&dkw, 0, sizeof(dkw));
	if (c->nargs != 2)
		return sess_bad(s, c, "%s needs a set and a mailbox.", c->name);
	if (move && s->sel->readonly)
		return sess_no(s, c, "[READ-ONLY] Mailbox is read-only.");
	if ((n = sel_resolve(s, c->args, s->uid, &idx)) < 0)
		return sess_bad(s, c, "%s", buf_cstr(&s->tmp));
	buf_init(&path, BUF_MAX_INTERNAL);
	buf_init(&err, 1024);
	buf_init(&src, 65536);
	buf_init(&dst, 65536);
	if (target(s, c, c->args->next, &path) < 0)
		goto out;
	sel_keywords(s);
	if (mkeywords_read(buf_cstr(&path), &dkw, &err) < 0) {
		log_err(s, &err);
		sess_no(s, c, "[SERVERBUG] Internal error occurred.");
		goto out;
	}
	put = mailbox_put_begin(buf_cstr(&path));
	suids = xcalloc((size_t)n + 1, sizeof(*suids));
	done = xcalloc((size_t)n + 1, sizeof(*done));
	for (k = 0; k < (size_t)n; k++) {
		const struct mailbox_msg *m = mailbox_msg(s->sel->mb, idx[k]);
		struct mflags f;
		int r;

		if (m->expunged)
			continue;
		mflags_parse(m->name, &f);
		f.keywords = map_keywords(s, f.keywords, &dkw, &grew);
		if ((r = mailbox_put_copy(put, s->sel->mb, idx[k], &f, &err)) <
		    0) {
			log_err(s, &err);
			sess_no(s, c, "[SERVERBUG] Internal error occurred.");
			goto out;
		}
		if (r == 0)
			continue; /* expunged meanwhile */
		suids[ndone] = m->uid;
		done[ndone++] = idx[k];
	}
	if (grew && mkeywords_write(buf_cstr(&path), &dkw, &err) < 0) {
		log_err(s, &err);
		sess_no(s, c, "[SERVERBUG] Internal error occurred.");
		goto out;
	}
	duids = xcalloc(ndone + 1, sizeof(*duids));
	if (mailbox_put_commit(put, &uidv, duids, &err) < 0) {
		put = NULL;
		log_err(s, &err);
		sess_no(s, c, "[SERVERBUG] Internal error occurred.");
		goto out;
	}
	put = NULL;
	uidset_to_buf(&src, suids, ndone);
	uidset_to_buf(&dst, duids, ndone);
	buf_reset(&s->ok);
	if (ndone == 0)
		buf_puts(&s->ok,
		    move ? "No messages moved."
			 : "No messages "
			   "copied.");
	else if (!move)
		buf_printf(&s->ok, "[COPYUID %u %s %s] Copy completed.", uidv,
		    buf_cstr(&src), buf_cstr(&dst));
	else {
		/* RFC 6851 4.3: COPYUID in an untagged OK before the
		 * EXPUNGEs. */
		sess_printf(s, "* OK [COPYUID %u %s %s] Moved UIDs.\r\n", uidv,
		    buf_cstr(&src), buf_cstr(&dst));
		if (ndone > 0 &&
		    mailbox_expunge(s->sel->mb, done, ndone, &err) < 0) {
			log_err(s, &err);
			sess_no(s, c,
			    "[SERVERBUG] Some messages were copied "
			    "but not removed.");
			goto out;
		}
		s->expunged += ndone;
		buf_puts(&s->ok, "Move completed.");
	}
	ret = SESS_OK;
out:
	mailbox_put_abort(&put);
	mkeywords_free(&dkw);
	xfree(idx);
	xfree(done);
	xfree(suids);
	xfree(duids);
	buf_deinit(&path);
	buf_deinit(&err);
	buf_deinit(&src);
	buf_deinit(&dst);
	return ret;
}

int
cmd_copy(struct sess *s, const struct imap_command *c)
{
	return copy_or_move(s, c, 0);
}

int
cmd_move(struct sess *s, const struct imap_command *c)
{
	return copy_or_move(s, c, 1);
}
