/* SPDX-License-Identifier: MIT */
/* imapd_session_test - the session after the login, driven over a socket
 * pair as the login process drives it: the tagged OK with capabilities,
 * SELECT's responses, FETCH, STORE, EXPUNGE, APPEND with APPENDUID,
 * COPY/MOVE with COPYUID, updates from a second session, IDLE, errors. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/params.h"
#include "server/server_login.h"
#include "store/maildir.h"
#include "util/buf.h"
#include "util/mem.h"

#include "imapd.h"

static char top[64];
static char mdir[128];

struct peer {
	int fd;
	pid_t pid;
	char in[1 << 16];
	size_t len;
};

static int
setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/imapd_sessXXXXXX");
	if (mkdtemp(top) == NULL)
		return -1;
	snprintf(mdir, sizeof(mdir), "%s/Maildir", top);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void
deliver(const char *text)
{
	struct maildir_msg *m;
	struct buf *final = buf_create(PATH_MAX);
	const char *e;

	assert_int_equal(maildir_open(mdir, &m, &e), 0);
	assert_int_equal(maildir_write(m, text, strlen(text), &e), 0);
	assert_int_equal(maildir_commit(m, final, &e), 0);
	buf_destroy(&final);
}

/* A session in a child process; the tag line sent. */
static void
start(struct peer *p)
{
	struct login_peer lp = { "127.0.0.1", "127.0.0.1", "localhost", 1 };
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		close(sv[0]);
		imapd_session(sv[1], "alice", mdir, &lp);
		_exit(0);
	}
	close(sv[1]);
	p->fd = sv[0];
	p->len = 0;
	/* Relayed (the mode byte), then the LOGIN's tag line. */
	assert_int_equal(write(p->fd, "RL1\r\n", 5), 5);
}

static void
stop(struct peer *p)
{
	int status;

	close(p->fd);
	assert_int_equal(waitpid(p->pid, &status, 0), p->pid);
	assert_true(WIFEXITED(status));
}

static void
send_text(struct peer *p, const char *text)
{
	assert_int_equal(write(p->fd, text, strlen(text)),
	    (ssize_t)strlen(text));
}

/* Read until a line starting with "<tag> " arrives (10 s at most); the
 * whole response so far is returned (valid until the next call). */
static const char *
until_tag(struct peer *p, const char *tag)
{
	size_t tl = strlen(tag);
	time_t end = time(NULL) + 10;

	p->len = 0;
	for (;;) {
		struct pollfd pfd = { p->fd, POLLIN, 0 };
		char *line = p->in;
		ssize_t n;

		p->in[p->len] = '\0';
		while (line < p->in + p->len) {
			char *nl = strstr(line, "\r\n");

			if (nl == NULL)
				break;
			if (strncmp(line, tag, tl) == 0 && line[tl] == ' ')
				return p->in;
			line = nl + 2;
		}
		if (time(NULL) >= end)
			fail_msg("no %s line in: %s", tag, p->in);
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = read(p->fd, p->in + p->len, sizeof(p->in) - 1 - p->len);
		if (n <= 0)
			fail_msg("session ended: %s", p->in);
		p->len += (size_t)n;
	}
}

/* Send a command and expect text among its responses. */
static const char *
cmd(struct peer *p, const char *tag, const char *text, const char *want)
{
	const char *r;

	send_text(p, text);
	r = until_tag(p, tag);
	if (want != NULL && strstr(r, want) == NULL)
		fail_msg("%s: wanted \"%s\" in:\n%s", text, want, r);
	return r;
}

static void
test_login_select_fetch(void **state)
{
	struct peer p;
	const char *r;

	(void)state;
	deliver("Subject: one\n\nbody one\n");
	deliver("Subject: two\n\nbody two\n");
	start(&p);
	r = until_tag(&p, "L1");
	assert_non_null(strstr(r, "L1 OK [CAPABILITY IMAP4rev1 "));
	r = cmd(&p, "a", "a SELECT INBOX\r\n", "* 2 EXISTS\r\n");
	assert_non_null(strstr(r, "* 2 RECENT\r\n"));
	assert_non_null(strstr(r, "* OK [UNSEEN 1]"));
	assert_non_null(strstr(r, "* OK [UIDVALIDITY "));
	assert_non_null(strstr(r, "* OK [UIDNEXT 3]"));
	assert_non_null(strstr(r,
	    "\\Answered \\Flagged \\Deleted \\Seen "
	    "\\Draft $Forwarded \\*)]"));
	assert_non_null(strstr(r, "a OK [READ-WRITE] SELECT completed."));
	cmd(&p, "b", "b FETCH 1:* (UID RFC822.SIZE FLAGS)\r\n",
	    "* 2 FETCH (UID 2 RFC822.SIZE 26 FLAGS (\\Recent))\r\n");
	cmd(&p, "c", "c UID FETCH 2 (FLAGS)\r\n",
	    "* 2 FETCH (UID 2 FLAGS (\\Recent))\r\n");
	cmd(&p, "d", "d FETCH 3 FLAGS\r\n", "d BAD ");
	cmd(&p, "e", "e UID FETCH 3:5 FLAGS\r\n", "e OK UID FETCH completed.");
	/* A header-only section (once crashed the session: no parse). */
	cmd(&p, "h1",
	    "h1 FETCH 1:* (FLAGS UID RFC822.SIZE INTERNALDATE "
	    "RFC822.HEADER)\r\n",
	    "RFC822.HEADER {16}\r\nSubject: two\r\n\r\n)\r\n");
	/* Headers searched once come from the folder's cache after. */
	cmd(&p, "s1", "s1 SEARCH SUBJECT two\r\n", "* SEARCH 2\r\n");
	cmd(&p, "s2", "s2 SEARCH SUBJECT two\r\n", "* SEARCH 2\r\n");
	cmd(&p, "s3", "s3 FETCH 1 (ENVELOPE INTERNALDATE)\r\n",
	    "ENVELOPE (NIL \"one\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	{
		char path[256], text[8192];
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "%s/tern-cache", mdir);
		assert_true((fd = open(path, O_RDONLY)) >= 0);
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
		assert_true(n > 0);
		text[n] = '\0';
		assert_non_null(strstr(text, "\tSubject: two\n\n\n"));
		assert_non_null(strstr(text, "\t(NIL \"one\" NIL"));
	}
	cmd(&p, "f", "f LOGOUT\r\n",
	    "* BYE Logging out\r\nf OK Logout "
	    "completed.\r\n");
	stop(&p);
}

/* BODY[] is the message as on the wire: each LF without a CR before it
 * sent as CRLF, a CRLF kept, a line longer than wire_copy's block (20,000
 * bytes) whole, the last line without a line end left so; RFC822.SIZE is
 * the literal's length. */
static void
test_wire_form(void **state)
{
	static char line[20000];
	struct buf *text = buf_create(64 * 1024), *want = buf_create(64 * 1024);
	struct peer p;
	char head[64];
	const char *want_text;
	size_t n;

	(void)state;
	memset(line, 'y', sizeof(line));
	assert_int_equal(buf_puts(text, "Subject: wire\nX: crlf\r\n\na\r\nb\n"),
	    0);
	assert_int_equal(buf_append(text, line, sizeof(line)), 0);
	assert_int_equal(buf_puts(text, "\n\r\nend"), 0);
	deliver(buf_cstr(text));
	assert_int_equal(buf_puts(want,
			     "Subject: wire\r\nX: crlf\r\n\r\na\r\nb\r\n"),
	    0);
	assert_int_equal(buf_append(want, line, sizeof(line)), 0);
	assert_int_equal(buf_puts(want, "\r\n\r\nend"), 0);
	want_text = buf_cstr(want);
	n = buf_len(want);
	start(&p);
	until_tag(&p, "L1");
	cmd(&p, "a", "a SELECT INBOX\r\n", "* 1 EXISTS\r\n");
	snprintf(head, sizeof(head), "RFC822.SIZE %zu)", n);
	cmd(&p, "b", "b FETCH 1 RFC822.SIZE\r\n", head);
	snprintf(head, sizeof(head), "BODY[] {%zu}\r\n", n);
	{
		const char *r = cmd(&p, "c", "c FETCH 1 BODY.PEEK[]\r\n", head);
		const char *lit = strstr(r, head) + strlen(head);

		assert_true(strlen(lit) > n);
		assert_memory_equal(lit, want_text, n);
		assert_true(strncmp(lit + n, ")\r\n", 3) == 0);
	}
	cmd(&p, "f", "f LOGOUT\r\n", "f OK ");
	stop(&p);
	buf_destroy(&text);
	buf_destroy(&want);
}

static void
test_store_expunge(void **state)
{
	struct peer p;
	const char *r;

	(void)state;
	deliver("a\n");
	deliver("b\n");
	deliver("c\n");
	start(&p);
	until_tag(&p, "L1");
	/* 8-bit names: BAD before IMAP4rev2, UTF-8 after (stored in
	 * modified UTF-7, as Dovecot does). */
	cmd(&p, "u", "u CREATE \"Entw\xc3\xbcrfe\"\r\n", "u BAD ");
	cmd(&p, "x", "x ENABLE IMAP4rev2\r\n", "* ENABLED IMAP4rev2\r\n");
	cmd(&p, "u2", "u2 CREATE \"Entw\xc3\xbcrfe\"\r\n", "u2 OK");
	cmd(&p, "u3", "u3 LIST \"\" Entw*\r\n",
	    "* LIST (\\HasNoChildren) \"/\" {9}\r\nEntw\xc3\xbcrfe\r\n");
	{
		char path[256];
		struct stat st;

		snprintf(path, sizeof(path), "%s/.Entw&APw-rfe/cur", mdir);
		assert_int_equal(stat(path, &st), 0);
	}
	r = cmd(&p, "a", "a SELECT INBOX\r\n", "a OK [READ-WRITE]");
	assert_null(strstr(r, "RECENT"));
	cmd(&p, "b", "b STORE 1:2 +FLAGS (\\Deleted $Label1)\r\n",
	    "* 2 FETCH (FLAGS (\\Deleted $Label1))\r\n");
	cmd(&p, "c", "c STORE 2 -FLAGS.SILENT (\\Deleted)\r\n", "c OK");
	r = cmd(&p, "d", "d EXPUNGE\r\n", "* 1 EXPUNGE\r\nd OK");
	assert_null(strstr(r, "* 2 EXPUNGE"));
	cmd(&p, "e", "e FETCH 1:* (UID FLAGS)\r\n",
	    "* 1 FETCH (UID 2 FLAGS ($Label1))\r\n* 2 FETCH (UID 3 FLAGS "
	    "())\r\n");
	cmd(&p, "f", "f STORE 1 FLAGS (\\Recent \\Bogus)\r\n", "f BAD ");
	cmd(&p, "g", "g UID STORE 3 FLAGS (\\Seen)\r\n",
	    "* 2 FETCH (FLAGS (\\Seen) UID 3)\r\n");
	cmd(&p, "h", "h CLOSE\r\n", "h OK");
	cmd(&p, "i", "i FETCH 1 FLAGS\r\n", "i BAD No mailbox selected.");
	cmd(&p, "j", "j EXAMINE INBOX\r\n", "j OK [READ-ONLY]");
	cmd(&p, "k", "k STORE 1 +FLAGS (\\Seen)\r\n", "k NO [READ-ONLY]");
	cmd(&p, "l", "l LOGOUT\r\n", "l OK");
	stop(&p);
}

static void
test_append_copy_move(void **state)
{
	struct peer p;
	char big[100000 + 64];
	const char *r;

	(void)state;
	start(&p);
	until_tag(&p, "L1");
	cmd(&p, "a", "a APPEND Nope {1+}\r\nx\r\n", "a NO [TRYCREATE]");
	r = cmd(&p, "b",
	    "b APPEND INBOX (\\Seen) \"05-Jan-2020 10:00:00 +0100\" "
	    "{13+}\r\nSubject: x\r\n\r\n",
	    "b OK [APPENDUID ");
	assert_non_null(strstr(r, " 1] Append completed."));
	/* A streamed literal, and MULTIAPPEND. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "{100000}\r\n", 10);
	send_text(&p, "c APPEND INBOX {100000}\r\n");
	until_tag(&p, "+");
	assert_int_equal(write(p.fd, big + 10, 100000), 100000);
	cmd(&p, "c", " {2+}\r\nhi\r\n", " 2:3] Append completed.");
	r = cmd(&p, "d", "d SELECT INBOX\r\n", "* 3 EXISTS");
	cmd(&p, "e", "e FETCH 1 (INTERNALDATE FLAGS RFC822.SIZE)\r\n",
	    "INTERNALDATE \"05-Jan-2020 ");
	cmd(&p, "f", "f FETCH 2 RFC822.SIZE\r\n", "RFC822.SIZE 100000)");
	/* Keywords go into the target folder's table. */
	cmd(&p, "k", "k APPEND INBOX (\\Flagged $Todo) {1+}\r\nx\r\n",
	    "k OK [APPENDUID ");
	cmd(&p, "k2", "k2 FETCH 4 FLAGS\r\n",
	    "* 4 FETCH (FLAGS (\\Flagged $Todo))");
	cmd(&p, "k3", "k3 UID STORE 4 +FLAGS.SILENT (\\Deleted)\r\n", "k3 OK");
	cmd(&p, "k4", "k4 EXPUNGE\r\n", "* 4 EXPUNGE\r\nk4 OK");
	snprintf(big, sizeof(big), "%s/.Work", mdir);
	assert_int_equal(mkdir(big, 0700), 0);
	snprintf(big, sizeof(big), "%s/.Work/cur", mdir);
	assert_int_equal(mkdir(big, 0700), 0);
	cmd(&p, "g", "g COPY 1:2 Work\r\n", "g OK [COPYUID ");
	r = cmd(&p, "h", "h UID MOVE 3:4 Work\r\n", "* OK [COPYUID ");
	assert_non_null(strstr(r, " 3 3] "));
	assert_non_null(strstr(r, "* 3 EXPUNGE\r\nh OK"));
	cmd(&p, "i", "i STATUS Work (MESSAGES UIDNEXT UNSEEN SIZE)\r\n",
	    "* STATUS \"Work\" (MESSAGES 3 UIDNEXT 4 UNSEEN 2 SIZE 100015)");
	cmd(&p, "j", "j LOGOUT\r\n", "j OK");
	stop(&p);
}

static void
test_two_sessions(void **state)
{
	struct peer a, b;
	const char *r;

	(void)state;
	deliver("1\n");
	deliver("2\n");
	start(&a);
	start(&b);
	until_tag(&a, "L1");
	until_tag(&b, "L1");
	cmd(&a, "a1", "a1 SELECT INBOX\r\n", "* 2 EXISTS");
	cmd(&b, "b1", "b1 SELECT INBOX\r\n", "* 2 EXISTS");
	cmd(&b, "b2", "b2 STORE 2 +FLAGS (\\Flagged)\r\n", "b2 OK");
	cmd(&a, "a2", "a2 NOOP\r\n", "* 2 FETCH (UID 2 FLAGS (\\Flagged");
	deliver("3\n");
	cmd(&a, "a3", "a3 NOOP\r\n", "* 3 EXISTS");
	/* Expunged by b: not announced to a during FETCH, at NOOP. */
	cmd(&b, "b3", "b3 STORE 1 +FLAGS.SILENT (\\Deleted)\r\n", "b3 OK");
	cmd(&b, "b4", "b4 EXPUNGE\r\n", "* 1 EXPUNGE");
	r = cmd(&a, "a4", "a4 FETCH 1:* UID\r\n", "a4 OK");
	assert_null(strstr(r, "EXPUNGE"));
	cmd(&a, "a5", "a5 NOOP\r\n", "* 1 EXPUNGE\r\n");
	/* IDLE: a delivery is announced while idling. */
	send_text(&a, "a6 IDLE\r\n");
	until_tag(&a, "+");
	deliver("4\n");
	until_tag(&a, "*");
	assert_non_null(strstr(a.in, "* 3 EXISTS"));
	cmd(&a, "a6", "DONE\r\n", "a6 OK Idle completed.");
	cmd(&a, "a7", "a7 LOGOUT\r\n", "a7 OK");
	cmd(&b, "b5", "b5 LOGOUT\r\n", "b5 OK");
	stop(&a);
	stop(&b);
}

static void
test_list(void **state)
{
	struct peer p;
	const char *r;

	(void)state;
	start(&p);
	until_tag(&p, "L1");
	/* A new user's folders, SPECIAL-USE, subscribed. */
	r = cmd(&p, "a", "a LIST \"\" *\r\n", "a OK");
	assert_non_null(strstr(r, "* LIST (\\HasNoChildren) \"/\" \"INBOX\""));
	assert_non_null(strstr(r, "\\Sent) \"/\" \"Sent\""));
	assert_non_null(strstr(r, "\\Trash) \"/\" \"Trash\""));
	cmd(&p, "b", "b CREATE Work/2026\r\n", "b OK");
	cmd(&p, "c", "c SUBSCRIBE Work/2026\r\n", "c OK");
	/* RFC 5258 3.5: the unsubscribed parent of a subscribed folder
	 * the pattern does not reach, with CHILDINFO. */
	r = cmd(&p, "d", "d LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %\r\n",
	    "d OK");
	assert_non_null(strstr(r,
	    "\"/\" \"Work\" (\"CHILDINFO\" "
	    "(\"SUBSCRIBED\"))\r\n"));
	assert_null(strstr(r, "Work/2026"));
	assert_non_null(strstr(r,
	    "(\\Subscribed \\HasNoChildren) \"/\" "
	    "\"INBOX\"\r\n"));
	r = cmd(&p, "e", "e LIST (SUBSCRIBED) \"\" *\r\n", "e OK");
	assert_non_null(strstr(r, "\"Work/2026\"\r\n"));
	assert_null(strstr(r, "CHILDINFO"));
	cmd(&p, "f", "f LIST (RECURSIVEMATCH) \"\" *\r\n", "f BAD");
	cmd(&p, "g", "g LIST \"\" \"\"\r\n",
	    "* LIST (\\Noselect) \"/\" \"\"\r\n");
	cmd(&p, "h",
	    "h LIST (SPECIAL-USE) \"\" * RETURN (STATUS (MESSAGES))\r\n",
	    "* STATUS \"Drafts\" (MESSAGES 0)\r\n");
	cmd(&p, "i", "i RENAME Work Jobs\r\n", "i OK");
	cmd(&p, "j", "j DELETE Jobs/2026\r\n", "j OK");
	cmd(&p, "k", "k DELETE Jobs/2026\r\n", "k NO [NONEXISTENT]");
	cmd(&p, "l", "l LOGOUT\r\n", "l OK");
	stop(&p);
}

static void
test_errors(void **state)
{
	struct peer p;

	(void)state;
	start(&p);
	until_tag(&p, "L1");
	cmd(&p, "a", "a FROB\r\n", "a BAD Unknown command.");
	cmd(&p, "b", "b LOGIN x y\r\n", "b BAD Already authenticated.");
	cmd(&p, "c", "c SELECT ../x\r\n", "c NO ");
	cmd(&p, "d", "d SELECT Nope\r\n", "d NO [NONEXISTENT]");
	cmd(&p, "e", "e UID FROB 1\r\n", "e BAD");
	cmd(&p, "f", "f CAPABILITY\r\n", "* CAPABILITY IMAP4rev1");
	for (int i = 0; i < 6; i++)
		cmd(&p, "g", "g FROB\r\n", "g BAD");
	cmd(&p, "*", "h FROB\r\n", "* BYE Too many invalid IMAP commands.");
	stop(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wire_form, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_login_select_fetch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_expunge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_append_copy_move, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_two_sessions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	var_imapd_timeout = 60;
	var_imapd_max_line = 65536;
	var_imapd_idle_interval = 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
