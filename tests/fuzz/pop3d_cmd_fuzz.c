/* SPDX-License-Identifier: MIT */
/* pop3d_cmd_fuzz - pop3d's command side on arbitrary bytes: each line
 * through the command parser (pop3_parse), the first line as a
 * pop3_uidl_format, then the whole input as a client's side of a session
 * on a socket pair: the login state when the first byte is even (no auth
 * service here: logins fail at once as temporary), else the transaction
 * state on a scratch Maildir of three messages made afresh for each
 * input (STAT, LIST, UIDL, RETR, TOP, DELE, RSET, QUIT with its UPDATE).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/params.h"
#include "util/buf.h"

#include "pop3d.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cwd = -1; /* libFuzzer's, for its artifacts */
static char mbox[512];

static void
setup(void)
{
	static const char *const settings[] = { "pop3d_tls_auth_only = no",
		NULL };

	cwd = fuzz_config(settings);
	snprintf(mbox, sizeof(mbox), "%s/mbox", fuzz_dir());
}

/* Empty sub of the Maildir. */
static void
clear(const char *sub)
{
	char path[700];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", mbox, sub);
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char file[1000];

		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		(void)unlink(file);
	}
	closedir(d);
}

/* Three messages in new/, nothing else. */
static void
fresh_mailbox(void)
{
	static const char *const msgs[] = {
		"Subject: one\n\nbody\n",
		"Subject: two\n\n.dot\n..two\n.\nend",
		"Subject: three\r\nX: y\r\n\r\nline\r\nline\nline\r\n",
	};
	char path[700];

	clear("cur");
	clear("new");
	clear("tmp");
	clear("");
	(void)mkdir(mbox, 0700);
	for (size_t i = 0; i < 3; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/new", mbox);
		(void)mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/new/%zu.M1P1.fuzz", mbox,
		    1700000000 + i);
		if ((f = fopen(path, "w")) == NULL)
			abort();
		fputs(msgs[i], f);
		fclose(f);
	}
}

static void
parse_lines(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct pop3_cmd cmd;
	struct buf line, uidl;
	int first = 1;

	buf_init(&line, 70000);
	buf_init(&uidl, 70000);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n =
		    nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		buf_reset(&line);
		if (buf_append(&line, p, n) < 0)
			abort();
		if (first) {
			pop3_uidl(buf_cstr(&line), 0xdeadbeef, 1700000000,
			    "1700000000.M1P1.fuzz", &uidl);
			first = 0;
		}
		if (pop3_parse(&line, &cmd) == 0) {
			size_t v = strlen(cmd.verb);

			if (v == 0 || v > 4 ||
			    strspn(cmd.verb, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
				v ||
			    strchr(cmd.args, '\n') != NULL)
				__builtin_trap();
		}
		p += n;
	}
	buf_deinit(&line);
	buf_deinit(&uidl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct fuzz_peer replies;
	struct login_peer peer;
	int fd, ctl[2];

	if (!ready) {
		setup();
		ready = 1;
	}
	parse_lines(data, size);
	memset(&peer, 0, sizeof(peer));
	snprintf(peer.rip, sizeof(peer.rip), "192.0.2.1");
	snprintf(peer.lip, sizeof(peer.lip), "192.0.2.2");
	snprintf(peer.client, sizeof(peer.client), "unknown[192.0.2.1]");
	if (size > 0 && (data[0] & 1) != 0)
		fresh_mailbox();
	if (size > 0 && (data[0] & 1) != 0) {
		/* The session takes a relayed connection: the mode byte. */
		static uint8_t *input;

		if (input == NULL &&
		    (input = malloc(FUZZ_PEER_INPUT_MAX)) == NULL)
			abort();
		if (size > FUZZ_PEER_INPUT_MAX - 1)
			size = FUZZ_PEER_INPUT_MAX - 1;
		input[0] = 'R';
		memcpy(input + 1, data, size);
		fd = fuzz_peer_start(&replies, input, size + 1);
	} else
		fd = fuzz_peer_start(&replies, data, size);
	if (chdir(fuzz_dir()) < 0)
		abort();
	if (size == 0 || (data[0] & 1) == 0) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, ctl) < 0)
			abort();
		pop3d_login(fd, fd, ctl[1], &peer);
		close(ctl[0]);
		close(ctl[1]);
		close(fd);
	} else
		pop3d_trans(fd, "fuzz", mbox, &peer); /* closes fd */
	if (fchdir(cwd) < 0)
		abort();
	fuzz_peer_finish(&replies);
	/* Every reply of a session starts with a status or is inside a
	 * multi-line answer: the greeting at least is there. */
	if (replies.len < 3 ||
	    (strncmp(replies.data, "+OK", 3) != 0 &&
		strncmp(replies.data, "-ERR", 4) != 0))
		__builtin_trap();
	return 0;
}
