/* SPDX-License-Identifier: MIT */
/* login_common_test - what pop3d's and imapd's login processes share: the
 * plaintext rule over TLS, level, loopback and auth_only; STARTTLS offered
 * only when set up and not running; PLAIN and LOGIN in any case are the
 * plaintext mechanisms; the mechanisms usable now, with the plaintext
 * ones dropped and names that do not fit left out whole; USER/PASS as
 * PLAIN's "\0user\0pass"; the method upper-cased and cut; the login and
 * the three Dovecot disconnect forms as fail2ban reads them, peer text
 * escaped; a handshake without a certificate logged and refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/login_common.h"
#include "server/server_login.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/stream.h"

static struct login_peer peer = { .rip = "192.0.2.1",
	.lip = "192.0.2.2",
	.client = "unknown[192.0.2.1]" };

static void
test_plaintext_rule(void **state)
{
	/* A stand-in: the rule only asks whether a server is set up. */
	struct login_tls t = { TLS_LEVEL_MAY, (struct tls_server *)&peer };
	struct login_conn c;

	(void)state;
	login_conn_init(&c, "x-login", &peer);
	/* Off loopback, before TLS: only with auth_only off. */
	assert_int_equal(login_plaintext_ok(&c, &t, 1), 0);
	assert_int_equal(login_plaintext_ok(&c, &t, 0), 1);
	assert_int_equal(login_starttls_offered(&c, &t), 1);
	/* Loopback: allowed at may. */
	peer.loopback = 1;
	assert_int_equal(login_plaintext_ok(&c, &t, 1), 1);
	/* Level encrypt with a server: never before TLS, even so. */
	t.level = TLS_LEVEL_ENCRYPT;
	assert_int_equal(login_plaintext_ok(&c, &t, 0), 0);
	/* Encrypt without a server (certificates failed): the daemon runs
	 * without TLS, and the loopback and auth_only rule holds. */
	t.server = NULL;
	assert_int_equal(login_plaintext_ok(&c, &t, 1), 1);
	assert_int_equal(login_starttls_offered(&c, &t), 0);
	peer.loopback = 0;
	assert_int_equal(login_plaintext_ok(&c, &t, 1), 0);
	/* After TLS: always, and no second STARTTLS. */
	t.server = (struct tls_server *)&peer;
	c.tls = 1;
	assert_int_equal(login_plaintext_ok(&c, &t, 1), 1);
	assert_int_equal(login_starttls_offered(&c, &t), 0);
	/* Level none: no STARTTLS. */
	c.tls = 0;
	t.level = TLS_LEVEL_NONE;
	assert_int_equal(login_starttls_offered(&c, &t), 0);
	login_conn_deinit(&c);
}

static void
test_mechs(void **state)
{
	struct buf out;

	(void)state;
	assert_int_equal(login_mech_is_plaintext("plain", 5), 1);
	assert_int_equal(login_mech_is_plaintext("LOGIN", 5), 1);
	assert_int_equal(login_mech_is_plaintext("PLAINX", 6), 0);
	assert_int_equal(login_mech_is_plaintext("PLAINX", 5), 1);
	assert_int_equal(login_mech_is_plaintext("CRAM-MD5", 8), 0);
	buf_init(&out, 64);
	login_mechs_now("  PLAIN SCRAM-SHA-256 LOGIN CRAM-MD5 ", 0, &out);
	assert_string_equal(buf_cstr(&out), "SCRAM-SHA-256 CRAM-MD5");
	login_mechs_now("PLAIN SCRAM-SHA-256 LOGIN", 1, &out);
	assert_string_equal(buf_cstr(&out), "PLAIN SCRAM-SHA-256 LOGIN");
	login_mechs_now(NULL, 1, &out);
	assert_string_equal(buf_cstr(&out), "");
	login_mechs_now("PLAIN", 0, &out);
	assert_string_equal(buf_cstr(&out), "");
	buf_deinit(&out);
	/* A name that does not fit is left out whole, not cut. */
	buf_init(&out, 12);
	login_mechs_now("PLAIN SCRAM-SHA-256 LOGIN", 1, &out);
	assert_string_equal(buf_cstr(&out), "PLAIN LOGIN");
	buf_deinit(&out);
}

static void
test_plain(void **state)
{
	static const char want[] = "\0alice\0alice pw";
	struct buf enc, raw;
	const char *error;

	(void)state;
	login_plain_init(&enc, "alice", "alice pw");
	assert_string_equal(buf_cstr(&enc), "AGFsaWNlAGFsaWNlIHB3");
	buf_init(&raw, 64);
	assert_int_equal(base64_decode(enc.data, buf_len(&enc), &raw, &error),
	    0);
	assert_int_equal(buf_len(&raw), sizeof(want) - 1);
	assert_memory_equal(raw.data, want, sizeof(want) - 1);
	buf_deinit(&raw);
	login_plain_wipe(&enc);
	/* Empty ones: "\0\0". */
	login_plain_init(&enc, "", "");
	assert_string_equal(buf_cstr(&enc), "AAA=");
	login_plain_wipe(&enc);
}

static void
test_method_and_user(void **state)
{
	struct login_conn c;
	char longer[100];

	(void)state;
	login_conn_init(&c, "x-login", &peer);
	assert_null(c.user);
	login_conn_set_method(&c, "scram-sha-256");
	assert_string_equal(c.method, "SCRAM-SHA-256");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	login_conn_set_method(&c, longer);
	assert_int_equal(strlen(c.method), sizeof(c.method) - 1);
	assert_int_equal(c.method[0], 'A');
	login_conn_set_user(&c, "alice");
	assert_string_equal(c.user, "alice");
	login_conn_set_user(&c, NULL);
	assert_null(c.user);
	login_conn_set_user(&c, "bob");
	/* A PLAIN response names the user to log; others change nothing. */
	login_conn_set_method(&c, "plain");
	login_conn_note_response(&c, "AGFsaWNlAHB3"); /* \0alice\0pw */
	assert_string_equal(c.user, "alice");
	login_conn_note_response(&c, "not base64!");
	login_conn_note_response(&c, "=");
	login_conn_note_response(&c, NULL);
	assert_string_equal(c.user, "alice");
	login_conn_set_method(&c, "LOGIN");
	login_conn_note_response(&c, "AGJvYgBwdw=="); /* \0bob\0pw */
	assert_string_equal(c.user, "alice");
	login_conn_deinit(&c);
	assert_null(c.user);
}

static char dir[] = "/tmp/login_common_test.XXXXXX";

/* What the log got since the last call. */
static const char *
logged(void)
{
	static char text[4096];
	static long seen;
	char path[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/log", dir);
	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fseek(f, seen, SEEK_SET), 0);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	seen += (long)n;
	fclose(f);
	return text;
}

/* The log got head and tail since the last look (apart: the seconds
 * between them may tick). */
static void
expect_logged(const char *head, const char *tail)
{
	const char *got = logged();

	if (strstr(got, head) == NULL || strstr(got, tail) == NULL)
		fail_msg("logged \"%s\", not \"%s...%s\"", got, head, tail);
}

static void
test_logs(void **state)
{
	struct login_tls t = { TLS_LEVEL_MAY, NULL };
	struct login_conn c;
	struct stream *s;
	const char *error;
	char path[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	assert_int_equal(log_open_file(path, &error), 0);
	login_conn_init(&c, "imap-login", &peer);
	login_log_disconnect(&c, "Disconnected");
	expect_logged("imap-login: Disconnected (no auth attempts in ",
	    " secs): user=<>, rip=192.0.2.1, lip=192.0.2.2\n");
	c.disallowed = 1;
	login_conn_set_user(&c, "al\rice");
	login_log_disconnect(&c, "Disconnected: Logged out");
	expect_logged("imap-login: Disconnected: Logged out (tried to use "
		      "disallowed plaintext auth): ",
	    "user=<al\\015ice>, rip=192.0.2.1, lip=192.0.2.2\n");
	c.attempts = 2;
	c.tls = 1;
	login_conn_set_method(&c, "plain");
	login_log_disconnect(&c, "Disconnected");
	expect_logged("imap-login: Disconnected (auth failed, 2 attempts in ",
	    " secs): user=<al\\015ice>, method=PLAIN, rip=192.0.2.1, "
	    "lip=192.0.2.2, TLS\n");
	login_conn_set_user(&c, "alice");
	login_log_login(&c, 42);
	expect_logged("imap-login: Login: user=<alice>, ",
	    "method=PLAIN, rip=192.0.2.1, lip=192.0.2.2, mpid=42, TLS\n");
	/* No certificate: refused before any byte moves, and logged. */
	c.tls = 0;
	s = stream_create(-1, STREAM_FLAG_NOCLOSE);
	assert_int_equal(login_tls_start(&c, &t, s), -1);
	assert_int_equal(c.tls, 0);
	assert_string_equal(c.user, "alice");
	expect_logged("imap-login: Disconnected (TLS handshaking: ",
	    "no certificate): user=<>, rip=192.0.2.1, lip=192.0.2.2\n");
	stream_destroy(&s);
	login_conn_deinit(&c);
	assert_int_equal(log_open_file("-", &error), 0);
	(void)unlink(path);
	(void)rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plaintext_rule),
		cmocka_unit_test(test_mechs),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_method_and_user),
		cmocka_unit_test(test_logs),
	};

	log_init("login_common_test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
