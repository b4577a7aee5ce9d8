/* SPDX-License-Identifier: MIT */
/* smtp_reply_fuzz - the SMTP client against a server that says anything:
 * the input is everything the server sends (greeting, EHLO reply, the
 * replies to MAIL, RCPT, DATA and the final dot), after which it hangs up.
 * The client must end with a result for every recipient, whatever the
 * bytes, and never read past what it was given. */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp.h"
#include "util/stream.h"

static int
read_body(void *ctx, const char **p_r, size_t *n_r, const char **error_r)
{
	int *done = ctx;

	(void)error_r;
	if (*done)
		return 0;
	*done = 1;
	*p_r = "Subject: x\n\n.\nbody\r\n";
	*n_r = strlen(*p_r);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct smtp_timeouts t = { 1, 1, 1, 1, 1, 1, 1, 1 };
	struct smtp_rcpt rc[2] = { { .addr = "a@x.test" },
		{ .addr = "b@x.test" } };
	struct smtp_content c;
	struct smtp_reply r;
	struct smtp_sess *ss;
	int sv[2], done = 0;

	/* The whole reply stream must fit in the socket buffer. */
	if (size > 60000 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 0;
	signal(SIGPIPE, SIG_IGN);
	if (write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	shutdown(sv[1], SHUT_WR);
	ss = smtp_sess_open(stream_create(sv[0], 0), "mx[192.0.2.1]",
	    "client.test", &t, &r);
	if (ss != NULL) {
		memset(&c, 0, sizeof(c));
		c.read = read_body;
		c.ctx = &done;
		c.size = 20;
		(void)smtp_sess_send(ss, "s@y.test", &c, rc, 2);
		for (int i = 0; i < 2; i++) {
			if (rc[i].text == NULL || rc[i].dsn[0] < '2' ||
			    rc[i].dsn[0] > '5')
				__builtin_trap();
			smtp_rcpt_clear(&rc[i]);
		}
		smtp_sess_close(&ss, 1);
	}
	close(sv[1]);
	return 0;
}
