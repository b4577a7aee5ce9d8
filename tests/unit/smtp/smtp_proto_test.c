/* SPDX-License-Identifier: MIT */
/* smtp_proto_test - the SMTP client against scripted servers on a socket
 * pair: what goes on the wire (commands, pipelining, the encoded body) and
 * what each recipient's outcome is for every kind of reply, lost
 * connections and timeouts included; and the body encoder fed content cut
 * at every byte. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "smtp.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/stream.h"

/* The server's script: after the greeting, one reply per line received.
 * A reply of NULL closes the connection; "" answers nothing (the client
 * is left waiting). After a 354 reply the server reads the content up to
 * the final dot before it takes the next reply. Everything received goes
 * back to the test through a pipe. */
struct script {
	const char *greeting;
	const char *replies[16];
};

static pid_t server_pid;
static int wire_fd; /* what the server received */

static void
server(int fd, const struct script *sc, int out)
{
	struct stream *s = stream_create(fd, 0);
	struct buf line;
	const char *error;
	size_t i = 0;
	int in_data = 0;

	buf_init(&line, 65536);
	stream_set_timeout(s, 10);
	if (sc->greeting == NULL)
		_exit(0);
	if (*sc->greeting != 0) {
		stream_puts(s, sc->greeting);
		stream_flush(s, &error);
	}
	for (;;) {
		const char *reply;

		buf_reset(&line);
		if (stream_get_line(s, &line, 65536, &error) != STREAM_LINE)
			break;
		if (write(out, line.data, line.len) != (ssize_t)line.len)
			break;
		if (in_data) {
			if (strcmp(line.data, ".\r\n") != 0)
				continue;
			in_data = 0;
		}
		if (i >= 16 || (reply = sc->replies[i++]) == NULL)
			break;
		if (*reply == 0)
			continue;
		if (strncmp(reply, "354", 3) == 0)
			in_data = 1;
		stream_puts(s, reply);
		if (stream_pending(s) == 0)
			stream_flush(s, &error);
	}
	stream_flush(s, &error);
	_exit(0);
}

static const struct smtp_timeouts timeouts = {
	.helo = 5,
	.mail = 5,
	.rcpt = 5,
	.data_init = 5,
	.data_xfer = 5,
	.data_done = 5,
	.rset = 5,
	.quit = 5,
};

/* Start a server with script sc; returns the client's stream. */
static struct stream *
start(const struct script *sc)
{
	int sv[2], pipefd[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(pipefd) < 0)
		fail();
	if ((server_pid = fork()) == 0) {
		close(sv[0]);
		close(pipefd[0]);
		server(sv[1], sc, pipefd[1]);
	}
	close(sv[1]);
	close(pipefd[1]);
	wire_fd = pipefd[0];
	return stream_create(sv[0], 0);
}

/* Wait for the server and return all it received. */
static char *
finish(void)
{
	struct buf all;
	char chunk[4096], *s;
	ssize_t n;

	buf_init(&all, 1 << 20);
	while ((n = read(wire_fd, chunk, sizeof(chunk))) > 0)
		buf_append(&all, chunk, (size_t)n);
	close(wire_fd);
	waitpid(server_pid, NULL, 0);
	s = buf_steal(&all);
	buf_deinit(&all);
	return s;
}

struct mem_content {
	const char *data;
	size_t size;
	size_t step; /* chunk size handed out */
	size_t off;
	int fail_at_end;
};

static int
mem_read(void *ctx, const char **p_r, size_t *n_r, const char **error_r)
{
	struct mem_content *m = ctx;
	size_t n;

	if (m->off >= m->size) {
		if (m->fail_at_end) {
			*error_r = "queue file read error";
			return -1;
		}
		return 0;
	}
	n = m->size - m->off < m->step ? m->size - m->off : m->step;
	*p_r = m->data + m->off;
	*n_r = n;
	m->off += n;
	return 1;
}

static void
content_init(struct smtp_content *c, struct mem_content *m, const char *data)
{
	memset(m, 0, sizeof(*m));
	m->data = data;
	m->size = strlen(data);
	m->step = 7;
	c->read = mem_read;
	c->ctx = m;
	c->size = (off_t)m->size;
	c->body_8bit = 0;
	c->smtputf8 = 0;
}

static void
test_pipelined_transaction(void **state)
{
	static const struct script sc = {
		"220 mx.example ESMTP\r\n",
		{
		    "250-mx.example\r\n250-PIPELINING\r\n"
		    "250-SIZE 100000\r\n250 8BITMIME\r\n",
		    "250 2.1.0 Ok\r\n",
		    "250 2.1.5 Ok\r\n",
		    "550 5.1.1 <b@far.example>: Recipient address "
		    "rejected\r\n",
		    "450-4.2.0 <c@far.example>: greylisted\r\n"
		    "450 4.2.0 come back later\r\n",
		    "354 End data with <CR><LF>.<CR><LF>\r\n",
		    "250 2.0.0 Ok: queued as ABC\r\n",
		    "221 2.0.0 Bye\r\n",
		},
	};
	struct smtp_rcpt rc[3] = {
		{ .addr = "a@far.example" },
		{ .addr = "b@far.example" },
		{ .addr = "c@far.example" },
	};
	struct smtp_content c;
	struct mem_content m;
	struct smtp_reply r;
	struct smtp_sess *ss;
	char *wire;

	(void)state;
	ss = smtp_sess_open(start(&sc), "mx.example[127.0.0.2]",
	    "client.example", &timeouts, &r);
	assert_non_null(ss);
	assert_int_equal(smtp_sess_features(ss),
	    SMTP_FEAT_ESMTP | SMTP_FEAT_PIPELINING | SMTP_FEAT_SIZE |
		SMTP_FEAT_8BITMIME);
	assert_int_equal(smtp_sess_size_limit(ss), 100000);
	/* A line of one dot, a leading dot, a bare CR, a bare LF already
	 * stored as a line end, and no final line end. */
	content_init(&c, &m, "Subject: t\n\n.\n..x\na\rb\r\nend");
	c.body_8bit = 1;
	assert_int_equal(smtp_sess_send(ss, "s@here.example", &c, rc, 3), 0);
	assert_int_equal(rc[0].status, SMTP_RCPT_SENT);
	assert_string_equal(rc[0].dsn, "2.0.0");
	assert_string_equal(rc[0].text, "250 2.0.0 Ok: queued as ABC");
	assert_int_equal(rc[1].status, SMTP_RCPT_BOUNCE);
	assert_string_equal(rc[1].dsn, "5.1.1");
	assert_string_equal(rc[1].text,
	    "host mx.example[127.0.0.2] said: "
	    "550 5.1.1 <b@far.example>: Recipient address rejected (in reply to "
	    "RCPT TO command)");
	/* For the DSN: the reply as given, and who gave it. */
	assert_string_equal(rc[1].diag,
	    "smtp; 550 5.1.1 <b@far.example>: Recipient address rejected");
	assert_string_equal(rc[1].mta, "mx.example");
	assert_int_equal(rc[2].status, SMTP_RCPT_DEFER);
	assert_string_equal(rc[2].dsn, "4.2.0");
	assert_string_equal(rc[2].text,
	    "host mx.example[127.0.0.2] said: "
	    "450 4.2.0 <c@far.example>: greylisted come back later (in reply to "
	    "RCPT TO command)");
	assert_int_equal(smtp_sess_count(ss), 1);
	smtp_sess_close(&ss, 1);
	wire = finish();
	assert_string_equal(wire,
	    "EHLO client.example\r\n"
	    "MAIL FROM:<s@here.example> SIZE=26 BODY=8BITMIME\r\n"
	    "RCPT TO:<a@far.example>\r\n"
	    "RCPT TO:<b@far.example>\r\n"
	    "RCPT TO:<c@far.example>\r\n"
	    "DATA\r\n"
	    "Subject: t\r\n\r\n..\r\n...x\r\na\r\nb\r\nend\r\n.\r\n"
	    "QUIT\r\n");
	for (int i = 0; i < 3; i++)
		smtp_rcpt_clear(&rc[i]);
	free(wire);
}

static void
test_helo_fallback_and_mail_refused(void **state)
{
	static const struct script sc = {
		"220-mx.example\r\n220 old server\r\n",
		{
		    "502 5.5.2 Error: command not recognized\r\n",
		    "250 mx.example\r\n",
		    "553 sender rejected\r\n",
		    "250 Ok\r\n", /* RSET */
		    "221 Bye\r\n",
		},
	};
	struct smtp_rcpt rc[2] = {
		{ .addr = "a@far.example" },
		{ .addr = "b@far.example" },
	};
	struct smtp_content c;
	struct mem_content m;
	struct smtp_reply r;
	struct smtp_sess *ss;
	char *wire;

	(void)state;
	ss = smtp_sess_open(start(&sc), "mx[127.0.0.2]", "client.example",
	    &timeouts, &r);
	assert_non_null(ss);
	assert_int_equal(smtp_sess_features(ss), 0);
	content_init(&c, &m, "x\n");
	assert_int_equal(smtp_sess_send(ss, "", &c, rc, 2), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rc[i].status, SMTP_RCPT_BOUNCE);
		assert_string_equal(rc[i].dsn, "5.0.0");
		assert_string_equal(rc[i].text,
		    "host mx[127.0.0.2] said: 553 "
		    "sender rejected (in reply to MAIL FROM command)");
		smtp_rcpt_clear(&rc[i]);
	}
	smtp_sess_close(&ss, 1);
	wire = finish();
	assert_string_equal(wire,
	    "EHLO client.example\r\n"
	    "HELO client.example\r\n"
	    "MAIL FROM:<>\r\n"
	    "RSET\r\n"
	    "QUIT\r\n");
	free(wire);
}

static void
test_size_limit_and_reuse(void **state)
{
	static const struct script sc = {
		"220 mx\r\n",
		{
		    "250-mx\r\n250 SIZE 10\r\n",
		    "250 ok\r\n",
		    "250 ok\r\n",
		    "354 go\r\n",
		    "250 sent\r\n",
		    "221 bye\r\n",
		},
	};
	struct smtp_rcpt rc = { .addr = "a@far.example" };
	struct smtp_content c;
	struct mem_content m;
	struct smtp_reply r;
	struct smtp_sess *ss;
	char *wire;

	(void)state;
	ss = smtp_sess_open(start(&sc), "mx[127.0.0.2]", "me", &timeouts, &r);
	assert_non_null(ss);
	content_init(&c, &m, "this is over ten octets\n");
	assert_int_equal(smtp_sess_send(ss, "s@x", &c, &rc, 1), 0);
	assert_int_equal(rc.status, SMTP_RCPT_BOUNCE);
	assert_string_equal(rc.dsn, "5.3.4");
	assert_string_equal(rc.text,
	    "message size 24 exceeds size limit 10 "
	    "of server mx[127.0.0.2]");
	/* The same session carries the next message. */
	content_init(&c, &m, "short\n");
	assert_int_equal(smtp_sess_send(ss, "s@x", &c, &rc, 1), 0);
	assert_int_equal(rc.status, SMTP_RCPT_SENT);
	smtp_rcpt_clear(&rc);
	smtp_sess_close(&ss, 1);
	wire = finish();
	assert_string_equal(wire,
	    "EHLO me\r\nMAIL FROM:<s@x> SIZE=6\r\n"
	    "RCPT TO:<a@far.example>\r\nDATA\r\nshort\r\n.\r\nQUIT\r\n");
	free(wire);
}

static void
test_greeting_refused_and_timeout(void **state)
{
	static const struct script refuse = {
		"554 5.7.1 go away\r\n",
		{ NULL },
	};
	static const struct script silent = { "", { NULL } };
	struct smtp_timeouts quick = timeouts;
	struct smtp_reply r;

	(void)state;
	assert_null(smtp_sess_open(start(&refuse), "mx[127.0.0.2]", "me",
	    &timeouts, &r));
	assert_int_equal(r.code, 554);
	assert_string_equal(r.dsn, "5.7.1");
	assert_string_equal(r.text, "go away");
	free(finish());

	quick.helo = 1;
	assert_null(
	    smtp_sess_open(start(&silent), "mx[127.0.0.2]", "me", &quick, &r));
	assert_int_equal(r.code, 0);
	assert_string_equal(r.text,
	    "conversation with mx[127.0.0.2] timed "
	    "out while receiving the initial server greeting");
	kill(server_pid, SIGTERM);
	free(finish());
}

static void
test_lost_after_dot(void **state)
{
	static const struct script sc = {
		"220 mx\r\n",
		{ "250 mx\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
		    NULL },
	};
	struct smtp_rcpt rc = { .addr = "a@far.example" };
	struct smtp_content c;
	struct mem_content m;
	struct smtp_reply r;
	struct smtp_sess *ss;

	(void)state;
	ss = smtp_sess_open(start(&sc), "mx[127.0.0.2]", "me", &timeouts, &r);
	assert_non_null(ss);
	content_init(&c, &m, "body\n");
	assert_int_equal(smtp_sess_send(ss, "s@x", &c, &rc, 1), -1);
	assert_int_equal(rc.status, SMTP_RCPT_DEFER);
	assert_string_equal(rc.dsn, "4.4.2");
	assert_string_equal(rc.text,
	    "lost connection with mx[127.0.0.2] "
	    "while sending end of data -- message may be sent more than "
	    "once");
	smtp_rcpt_clear(&rc);
	smtp_sess_close(&ss, 1);
	free(finish());
}

static void
test_local_read_error_sends_no_dot(void **state)
{
	static const struct script sc = {
		"220 mx\r\n",
		{ "250 mx\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
		    "250 should not happen\r\n" },
	};
	struct smtp_rcpt rc = { .addr = "a@far.example" };
	struct smtp_content c;
	struct mem_content m;
	struct smtp_reply r;
	struct smtp_sess *ss;
	char *wire;

	(void)state;
	ss = smtp_sess_open(start(&sc), "mx[127.0.0.2]", "me", &timeouts, &r);
	content_init(&c, &m, "partial\n");
	m.fail_at_end = 1;
	assert_int_equal(smtp_sess_send(ss, "s@x", &c, &rc, 1), -1);
	assert_int_equal(rc.status, SMTP_RCPT_DEFER);
	assert_string_equal(rc.dsn, "4.3.0");
	assert_string_equal(rc.text, "queue file read error");
	smtp_rcpt_clear(&rc);
	smtp_sess_close(&ss, 1);
	wire = finish();
	/* The content stopped short and no dot ended it: the server saw
	 * the connection end inside DATA and keeps nothing. */
	assert_non_null(strstr(wire, "DATA\r\n"));
	assert_null(strstr(wire, "\r\n.\r\n"));
	assert_null(strstr(wire, "QUIT"));
	free(wire);
}

/* RFC 6531 3.2: SMTPUTF8 mail only to a server that offers SMTPUTF8;
 * otherwise it bounces 5.6.7 and nothing is sent. */
static void
test_smtputf8(void **state)
{
	static const struct script plain = {
		"220 mx\r\n",
		{ "250-mx\r\n250 8BITMIME\r\n", "250 ok\r\n", "221 bye\r\n" },
	};
	static const struct script utf8 = {
		"220 mx\r\n",
		{ "250-mx\r\n250 SMTPUTF8\r\n", "250 ok\r\n", "250 ok\r\n",
		    "354 go\r\n", "250 sent\r\n", "221 bye\r\n" },
	};
	struct smtp_rcpt rc = { .addr = "j\xc3\xb6ran@far.example" };
	struct smtp_content c;
	struct mem_content m;
	struct smtp_reply r;
	struct smtp_sess *ss;
	char *wire;

	(void)state;
	ss =
	    smtp_sess_open(start(&plain), "mx[127.0.0.2]", "me", &timeouts, &r);
	assert_non_null(ss);
	content_init(&c, &m, "x\n");
	c.smtputf8 = 1;
	assert_int_equal(smtp_sess_send(ss, "s@x", &c, &rc, 1), 0);
	assert_int_equal(rc.status, SMTP_RCPT_BOUNCE);
	assert_string_equal(rc.dsn, "5.6.7");
	assert_string_equal(rc.text,
	    "SMTPUTF8 is required, but was not "
	    "offered by host mx[127.0.0.2]");
	smtp_rcpt_clear(&rc);
	smtp_sess_close(&ss, 1);
	wire = finish();
	assert_string_equal(wire, "EHLO me\r\nQUIT\r\n");
	free(wire);

	ss = smtp_sess_open(start(&utf8), "mx[127.0.0.2]", "me", &timeouts, &r);
	assert_non_null(ss);
	content_init(&c, &m, "x\n");
	c.smtputf8 = 1;
	assert_int_equal(smtp_sess_send(ss, "s@x", &c, &rc, 1), 0);
	assert_int_equal(rc.status, SMTP_RCPT_SENT);
	smtp_rcpt_clear(&rc);
	smtp_sess_close(&ss, 1);
	wire = finish();
	assert_non_null(strstr(wire, "MAIL FROM:<s@x> SMTPUTF8\r\n"));
	free(wire);
}

/* The encoder gives the same bytes however the content is cut. */
static void
test_body_cut_anywhere(void **state)
{
	static const char *const in[] = {
		".\n",
		"a\r\n.\r\n",
		"\r\r\n\n",
		".x\r.y\n.",
		"no end",
		"",
		"\r",
		"..\n...\n",
	};
	static const char *const want[] = {
		"..\r\n.\r\n",
		"a\r\n..\r\n.\r\n",
		"\r\n\r\n\r\n.\r\n",
		"..x\r\n..y\r\n..\r\n.\r\n",
		"no end\r\n.\r\n",
		".\r\n",
		"\r\n.\r\n",
		"...\r\n....\r\n.\r\n",
	};

	(void)state;
	for (size_t t = 0; t < sizeof(in) / sizeof(in[0]); t++) {
		size_t len = strlen(in[t]);

		for (size_t cut = 0; cut <= len; cut++) {
			struct smtp_body e;
			struct buf out;

			buf_init(&out, 4096);
			smtp_body_init(&e);
			assert_int_equal(smtp_body_put(&e, in[t], cut, &out),
			    0);
			assert_int_equal(smtp_body_put(&e, in[t] + cut,
					     len - cut, &out),
			    0);
			assert_int_equal(smtp_body_end(&e, &out), 0);
			assert_string_equal(out.data, want[t]);
			buf_deinit(&out);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelined_transaction),
		cmocka_unit_test(test_helo_fallback_and_mail_refused),
		cmocka_unit_test(test_size_limit_and_reuse),
		cmocka_unit_test(test_greeting_refused_and_timeout),
		cmocka_unit_test(test_lost_after_dot),
		cmocka_unit_test(test_local_read_error_sends_no_dot),
		cmocka_unit_test(test_smtputf8),
		cmocka_unit_test(test_body_cut_anywhere),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
