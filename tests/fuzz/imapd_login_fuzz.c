/* SPDX-License-Identifier: MIT */
/* imapd_login_fuzz - imapd's pre-login process on arbitrary bytes: the
 * whole input as a client's side of a connection on a socket pair (no
 * auth service here: LOGIN and AUTHENTICATE fail at once as temporary,
 * and no TLS: STARTTLS gets BAD), through the command reader, the
 * parser's events (literals, BAD, FATAL) and every command; then its
 * first line as auth's mechanism list for the capability builder. The
 * replies must start with the greeting, and a LOGOUT alone must end with
 * its tagged OK. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/params.h"
#include "util/buf.h"

#include "imapd.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cwd = -1; /* libFuzzer's, for its artifacts */

/* Plaintext logins allowed, so that LOGIN and AUTHENTICATE PLAIN reach
 * the (absent) auth service rather than stop at the rule. */
static const char *const settings[] = { "imapd_tls_auth_only = no", NULL };

/* The first line as auth's mechanism list: whatever it holds, the
 * capability text stays one line of atoms. */
static void
capabilities(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t n = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	struct buf mechs, out;

	buf_init(&mechs, size + 1);
	buf_init(&out, 4 * size + 1024);
	(void)buf_append(&mechs, data, n);
	imapd_capability_login(buf_cstr(&mechs), n & 1, (n >> 1) & 1, &out);
	if (memchr(out.data, '\n', buf_len(&out)) != NULL ||
	    strncmp(buf_cstr(&out), "IMAP4rev1 ", 10) != 0)
		__builtin_trap();
	buf_deinit(&mechs);
	buf_deinit(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char logout[] = "z LOGOUT\r\n",
			  done[] = "z OK Logout completed.\r\n";
	static int ready;
	struct fuzz_peer replies;
	struct login_peer peer;
	int fd, ctl[2];

	if (!ready) {
		cwd = fuzz_config(settings);
		ready = 1;
	}
	memset(&peer, 0, sizeof(peer));
	snprintf(peer.rip, sizeof(peer.rip), "192.0.2.1");
	snprintf(peer.lip, sizeof(peer.lip), "192.0.2.2");
	snprintf(peer.client, sizeof(peer.client), "unknown[192.0.2.1]");
	fd = fuzz_peer_start(&replies, data, size);
	if (chdir(fuzz_dir()) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, ctl) < 0)
		abort();
	imapd_login(fd, fd, ctl[1], &peer);
	close(ctl[0]);
	close(ctl[1]);
	close(fd);
	if (fchdir(cwd) < 0)
		abort();
	fuzz_peer_finish(&replies);
	if (!fuzz_peer_starts(&replies, "* OK [CAPABILITY ") ||
	    (size == strlen(logout) && memcmp(data, logout, size) == 0 &&
		!fuzz_peer_ends(&replies, done)))
		__builtin_trap();
	capabilities(data, size);
	return 0;
}
