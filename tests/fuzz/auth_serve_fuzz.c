/* SPDX-License-Identifier: MIT */
/* auth_serve_fuzz - auth(8)'s side of its protocol (proto_auth.h) on
 * arbitrary bytes from a client: the attribute codec's reader, the
 * request table (mechs, auth, continue), every SASL mechanism behind it,
 * the user table and the failure penalties, as auth_serve.c runs them on
 * its event loop for one connection.
 *
 * Input: one control byte, then the client's bytes, written to a socket
 * pair ahead of the end of input; auth_accept() gets the other end and
 * the event loop runs until auth(8) has closed it. Control bits 0-1 pick
 * the user table (auth_user_file, in the scratch directory): 0, alice
 * ({PLAIN}alice-pw) and bob (SCRAM-SHA-256 for "pencil", one iteration):
 * SCRAM-SHA-256, PLAIN and LOGIN are offered; 1, alice and carol
 * ({PLAIN}carol-pw): CRAM-MD5 too; 2, no file; 3, a file others may read
 * (refused): both temporary failures. Penalty delays would hold replies
 * for seconds: the test seam auth_serve_hold_max_ms (auth_serve.h) sends
 * them at the next turn of the loop, through the same timer path. Each
 * input starts afresh (auth_init .. auth_deinit: no penalty counts left
 * over). A real client's nonces and challenges are random, so CRAM-MD5
 * and SCRAM get as far as a wrong proof here; sasl_server_fuzz reaches
 * their successes. Checked, on the replies: whole messages, each
 * beginning with a known status, and "ok" only with the mechanisms or
 * for a user of the table. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/params.h"
#include "proto/proto_auth.h"
#include "util/event.h"

#include "auth_serve.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCRAM_PENCIL                                    \
	"1,W22ZaJ0SNY7soEsUEjb6gQ==,"                   \
	"bzcn5wYzlcMpEXczzDM1iuyLhni5BVbqsm82vjMHWXI=," \
	"fg/vS0Y425LcbLGWSqdzrFlRn9451QblzgpwLQYoXCI="

static const char mixed[] = "alice:{PLAIN}alice-pw\n"
			    "bob:{SCRAM-SHA-256}" SCRAM_PENCIL "\n";
static const char plain[] = "alice:{PLAIN}alice-pw\n"
			    "carol:{PLAIN}carol-pw\n";

/* Per table (control bits 0-1): its path, and the users it holds. */
static char paths[4][512];
static const char *const users[4][3] = {
	{ "alice", "bob", NULL },
	{ "alice", "carol", NULL },
	{ NULL },
	{ NULL },
};
static char hostname[] = "mx.example.org";

/* Keep the path fuzz_file() made in paths[t]. */
static void
keep(int t, const char *path)
{
	if ((size_t)snprintf(paths[t], sizeof(paths[t]), "%s", path) >=
	    sizeof(paths[t]))
		abort();
}

static void
setup(void)
{
	keep(0, fuzz_file("mixed", (const uint8_t *)mixed, sizeof(mixed) - 1));
	keep(1, fuzz_file("plain", (const uint8_t *)plain, sizeof(plain) - 1));
	keep(3, fuzz_file("open", (const uint8_t *)mixed, sizeof(mixed) - 1));
	if (chmod(paths[3], 0644) < 0)
		abort();
	if ((size_t)snprintf(paths[2], sizeof(paths[2]), "%s/none",
		fuzz_dir()) >= sizeof(paths[2]))
		abort();
	var_myhostname = hostname;
	auth_serve_hold_max_ms = 0;
}

/* The length-prefixed string at *p into *s_r, *len_r; 0, or -1 when the
 * bytes end first. */
static int
get_string(const unsigned char **p, const unsigned char *end,
    const unsigned char **s_r, size_t *len_r)
{
	size_t len;

	if (end - *p < 4)
		return -1;
	len = (size_t)(*p)[0] << 24 | (size_t)(*p)[1] << 16 |
	    (size_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	if ((size_t)(end - *p) < len)
		return -1;
	*s_r = *p;
	*len_r = len;
	*p += len;
	return 0;
}

static int
is(const unsigned char *s, size_t len, const char *text)
{
	return len == strlen(text) && memcmp(s, text, len) == 0;
}

/* Every reply whole, with a known status first, and ok only for a user
 * in table t. */
static void
check_replies(const unsigned char *p, size_t len, int t)
{
	static const char *const statuses[] = { AUTH_STAT_CONTINUE,
		AUTH_STAT_OK, AUTH_STAT_FAIL, AUTH_STAT_TEMPFAIL, AUTH_STAT_BAD,
		AUTH_STAT_NOMECH };
	const unsigned char *end = p + len, *name, *value;
	size_t nlen, vlen, i;

	while (p < end) {
		int status = -1, user_ok = 0, mechs = 0, first = 1;

		for (;;) {
			if (get_string(&p, end, &name, &nlen) < 0)
				__builtin_trap();
			if (nlen == 0)
				break;
			if (get_string(&p, end, &value, &vlen) < 0)
				__builtin_trap();
			if (first) {
				if (!is(name, nlen, ATTR_AUTH_STATUS))
					__builtin_trap();
				for (i = 0;
				     i < sizeof(statuses) / sizeof(statuses[0]);
				     i++)
					if (is(value, vlen, statuses[i]))
						status = (int)i;
				if (status < 0)
					__builtin_trap();
				first = 0;
			}
			if (is(name, nlen, ATTR_AUTH_MECHS))
				mechs = 1;
			if (is(name, nlen, ATTR_AUTH_USER))
				for (i = 0; users[t][i] != NULL; i++)
					if (is(value, vlen, users[t][i]))
						user_ok = 1;
		}
		/* "ok" answers mechs, or names a user of the table. */
		if (first || (status == 1 && !mechs && !user_ok))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_peer client;
	int t;

	if (size < 1)
		return 0;
	if (paths[0][0] == 0)
		setup();
	t = data[0] & 3;
	var_auth_user_file = paths[t];
	auth_init();
	auth_accept(fuzz_peer_start(&client, data + 1, size - 1));
	/* auth(8) closes the connection at the end of its input (or
	 * earlier, at an error). */
	while (!fuzz_peer_closed(&client))
		event_run_once(0);
	fuzz_peer_finish(&client);
	auth_deinit();
	if (client.lost == 0)
		check_replies((const unsigned char *)client.data, client.len,
		    t);
	return 0;
}
