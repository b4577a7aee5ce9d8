/* SPDX-License-Identifier: MIT */
/* imapd_session_fuzz - imapd's session (the authenticated and selected
 * states) on arbitrary bytes: the login process's hand-over line "a\r\n"
 * and then the whole input as the client's side of a connection on a
 * socket pair, over a scratch Maildir of three messages (one of them
 * nested MIME) made afresh for each input, so that what one input
 * stored, expunged, appended, copied, created or renamed never shapes the
 * next. Every command runs: SELECT and EXAMINE, FETCH with sections and
 * partials, STORE, SEARCH, APPEND with its literals, COPY and MOVE, LIST
 * and STATUS, IDLE, the UID forms. The client's side is shut for writing
 * after its input (the session sees the end of input instead of waiting
 * imapd_timeout for more), and a thread drains the replies so that the
 * session never blocks on a full socket. The replies must start with the
 * tagged OK of the login, and a LOGOUT alone must end with its tagged
 * OK. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/params.h"

#include "imapd.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The hand-over (server_login_accept, imapd.h): relayed, then the login
 * command's tag line. */
#define HANDOVER "Ra\r\n"
/* How deep the scratch Maildir's directories may go (Maildir++ folders
 * are flat: ".a.b" under the top). */
#define CLEAR_DEPTH_MAX 8

static char mbox[512];

/* Short waits: the client has shut its side, so no read waits, but an
 * IDLE or a slow step must not stall the run. */
static const char *const settings[] = {
	"imapd_timeout = 2s",
	"imapd_idle_notify_interval = 1s",
	"imapd_session_deadline = 5s",
	"message_size_limit = 200000",
	NULL,
};

static const char *const messages[][2] = {
	{ "new/1700000000.M1P1.fuzz",
	    "Subject: one\r\nFrom: a@example.org\r\n"
	    "\r\nbody one\r\n" },
	{ "cur/1700000001.M2P1.fuzz:2,S",
	    "From: Carol <carol@example.org>\r\n"
	    "To: alice@example.test\r\n"
	    "Subject: =?utf-8?q?caf=C3=A9?= report\r\n"
	    "Date: Tue, 01 Dec 2026 10:00:00 +0100\r\n"
	    "Message-ID: <mixed@example.org>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
	    "\r\n"
	    "preamble\r\n"
	    "--outer\r\n"
	    "Content-Type: multipart/alternative; boundary=\"alt\"\r\n"
	    "\r\n"
	    "--alt\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "\r\n"
	    "plain words\r\n"
	    "--alt\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "\r\n"
	    "<p>html words</p>\r\n"
	    "--alt--\r\n"
	    "--outer\r\n"
	    "Content-Type: application/octet-stream; name=\"d.bin\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment; filename=\"d.bin\"\r\n"
	    "\r\n"
	    "AAECAwRoZWxsbw==\r\n"
	    "--outer\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "\r\n"
	    "From: dave@example.org\r\n"
	    "Subject: inner\r\n"
	    "\r\n"
	    "inner body\r\n"
	    "--outer--\r\n" },
	{ "cur/1700000002.M3P1.fuzz:2,FR",
	    "Subject: three\nX-Tag: blue\nContent-Type: text/plain\n\n"
	    "line\n.dot\nlast" },
};

/* Remove what path holds, and path itself; depth bounds the walk. */
static void
clear(const char *path, int depth)
{
	char sub[1024];
	struct dirent *e;
	DIR *d;

	if (depth > CLEAR_DEPTH_MAX || (d = opendir(path)) == NULL) {
		(void)unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
			e->d_name) >= sizeof(sub))
			continue;
		if (e->d_type == DT_DIR)
			clear(sub, depth + 1);
		else
			(void)unlink(sub);
	}
	closedir(d);
	(void)rmdir(path);
}

static void
put(const char *name, const char *text)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", mbox, name);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

/* The Maildir as a new session finds it: the three messages, nothing
 * else (the session makes its list and folders itself). */
static void
fresh_mailbox(void)
{
	static const char *const subs[] = { "", "/cur", "/new", "/tmp" };
	char path[700];

	clear(mbox, 0);
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", mbox, subs[i]);
		if (mkdir(path, 0700) < 0)
			abort();
	}
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		put(messages[i][0], messages[i][1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char logout[] = "z LOGOUT\r\n",
			  done[] = "z OK Logout completed.\r\n",
			  hello[] = "a OK [CAPABILITY ";
	static uint8_t *input;
	/* The session only passes it on. */
	static const struct login_peer peer = { .rip = "192.0.2.1",
		.lip = "192.0.2.2",
		.client = "unknown[192.0.2.1]" };
	struct fuzz_peer replies;
	size_t n;
	int fd;

	if (input == NULL) {
		/* No chdir: a crash's artifact lands where libFuzzer runs. */
		(void)fuzz_config(settings);
		snprintf(mbox, sizeof(mbox), "%s/Maildir", fuzz_dir());
		if ((input = malloc(FUZZ_PEER_INPUT_MAX)) == NULL)
			abort();
	}
	n = sizeof(HANDOVER) - 1;
	memcpy(input, HANDOVER, n);
	if (size > FUZZ_PEER_INPUT_MAX - n)
		size = FUZZ_PEER_INPUT_MAX - n;
	memcpy(input + n, data, size);
	fresh_mailbox();
	fd = fuzz_peer_start(&replies, input, n + size);
	imapd_session(fd, "fuzz", mbox, &peer);
	close(fd);
	fuzz_peer_finish(&replies);
	if (!fuzz_peer_starts(&replies, hello) ||
	    (size == strlen(logout) && memcmp(data, logout, size) == 0 &&
		!fuzz_peer_ends(&replies, done)))
		__builtin_trap();
	return 0;
}
