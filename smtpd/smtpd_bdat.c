/* SPDX-License-Identifier: MIT */
/* smtpd_bdat - BDAT: a message in chunks of counted octets (RFC 3030). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conf/params.h"
#include "util/log.h"
#include "util/stream.h"

#include "smtpd.h"

/* At most this much of a chunk is taken from the stream at a time. */
#define BDAT_PIECE STREAM_BUFSIZE

int
smtpd_bdat_parse(const char *args, long long *size_r, int *last_r)
{
	const char *p = args;
	long long n = 0;

	/* RFC 3030 section 2: chunk-size = 1*DIGIT; no sign, no space. */
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, *p - '0', &n))
			return -1;
	p += strspn(p, " ");
	*last_r = 0;
	if (*p != 0) {
		if (strncasecmp(p, "LAST", 4) != 0)
			return -1;
		p += 4;
		p += strspn(p, " ");
		*last_r = 1;
	}
	if (*p != 0)
		return -1;
	*size_r = n;
	return 0;
}

/* Read the size octets of a chunk, all of them whatever becomes of them
 * (RFC 3030 section 2: a failed BDAT is answered only after its data, or
 * client and server would fall out of step), into m, or nowhere when m
 * is NULL. They come from the stream's buffer first: pipelined behind the
 * command line they may have been read with it. The deadlines are
 * DATA's: smtpd_timeout a read and the session deadline always, and with
 * smtpd_per_request_deadline the chunk within smtpd_timeout plus one
 * second per smtpd_min_data_rate octets received. before is the size of
 * the message so far, for the log. Returns 0, or -1 when the session is
 * lost (logged; after a timeout a 421 is queued). */
static int
read_chunk(struct smtpd_session *ss, long long size, struct smtpd_msg *m,
    long long before)
{
	char piece[BDAT_PIECE];
	time_t start = time(NULL);
	long long got = 0;
	const char *error;

	while (got < size) {
		size_t n = sizeof(piece), pending = stream_pending(ss->s);
		int st, done;

		if ((long long)n > size - got)
			n = (size_t)(size - got);
		/* Take what is buffered, or wait for one byte (which reads
		 * whatever has arrived): never more than has come, so
		 * that the deadline below is moved on as octets arrive. */
		if (n > pending)
			n = pending > 0 ? pending : 1;
		if (var_smtpd_per_req_deadline)
			smtpd_deadline(ss,
			    start + var_smtpd_timeout +
				(time_t)(got / var_smtpd_min_data_rate));
		st = stream_read_exact(ss->s, piece, n, &error);
		if (st != 1) {
			char after[64];

			snprintf(after, sizeof(after), "BDAT (%lld bytes)",
			    before + got);
			if (st == STREAM_TIMEOUT)
				smtpd_timed_out(ss, after);
			else
				log_info("lost connection after %s from %s",
				    after, ss->client);
			return -1;
		}
		got += (long long)n;
		if (m != NULL)
			(void)smtpd_msg_feed(m, piece, n, &done);
	}
	return 0;
}

/* BDAT <chunk-size> [LAST]. The first chunk of a transaction opens the
 * message as DATA does (same queue file, same Received: header, same
 * checks); each chunk is content as it is, and LAST finishes the message
 * like DATA's end of data. Any refusal comes after the chunk is read, and
 * ends the transaction: RFC 3030 section 2 leaves the state after a failed
 * BDAT undefined, so whatever the client sends next needs a new MAIL
 * (further chunks of the message are read and refused with 503). */
int
smtpd_cmd_bdat(struct smtpd_session *ss, char *args)
{
	const char *refusal;
	long long size, before;
	int last;

	if (smtpd_bdat_parse(args, &size, &last) < 0) {
		/* Without the size, the octets that follow cannot be told
		 * from commands: hang up, with Postfix's reply. */
		log_warn("malformed BDAT command syntax from %s: %s",
		    ss->client, log_str(args));
		smtpd_reply(ss, "521 5.5.4 Syntax: BDAT count [LAST]");
		ss->quit = 1;
		return 0;
	}
	refusal = smtpd_msg_refusal(ss);
	if (refusal == NULL && ss->msg == NULL &&
	    (ss->msg = smtpd_msg_open(ss, 1)) == NULL)
		refusal = "451 4.3.0 Error: queue file write error";
	before = ss->msg != NULL ? smtpd_msg_octets(ss->msg) : 0;
	/* On a lost session, smtpd_reset drops the queue file. */
	if (read_chunk(ss, size, refusal == NULL ? ss->msg : NULL, before) < 0)
		return -1;
	if (refusal != NULL) {
		smtpd_reply(ss, "%s", refusal);
		smtpd_reset(ss);
		return 0;
	}
	/* The last chunk, or a refusal (size, header, hops) that a later
	 * chunk cannot undo: the message ends here either way. */
	if (last || smtpd_msg_refused(ss->msg)) {
		smtpd_msg_finish(ss, "BDAT");
		return 0;
	}
	smtpd_reply(ss, "250 2.0.0 Ok: %lld bytes", size);
	return 0;
}
