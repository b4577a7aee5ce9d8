/* SPDX-License-Identifier: MIT */
/* tls_test - certificates load (RSA and ECDSA together) or fail naming
 * the file; a handshake over a socket pair moves lines both ways and big
 * writes; the client verifies against a CA file and a name; TLS 1.1, a
 * silent peer (timeout) and a plain-text peer fail the handshake. */
#include <errno.h>
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
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls/tls.h"
#include "util/buf.h"
#include "util/stream.h"

static char dir[] = "/tmp/tls_test.XXXXXX";
static char path_buf[8][512];

static const char *
path(int slot, const char *name)
{
	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", dir, name);
	return path_buf[slot];
}

static void
write_key(EVP_PKEY *key, const char *file)
{
	FILE *fp = fopen(file, "w");

	assert_non_null(fp);
	assert_int_equal(PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL,
			     NULL),
	    1);
	fclose(fp);
}

/* A certificate for key with common name cn (and the same DNS name),
 * signed by issuer_key under issuer (self-signed when issuer is NULL). */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
    int ca)
{
	X509 *x = X509_new();
	X509_NAME *name;
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	char san[256];

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x,
	    issuer != NULL ? X509_get_subject_name(issuer) : name);
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if (ca) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
		    "critical,CA:TRUE");
	} else {
		snprintf(san, sizeof(san), "DNS:%s", cn);
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
	}
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, issuer_key != NULL ? issuer_key : key,
			EVP_sha256()) > 0);
	return x;
}

static void
write_certs(const char *file, X509 *a, X509 *b)
{
	FILE *fp = fopen(file, "w");

	assert_non_null(fp);
	assert_int_equal(PEM_write_X509(fp, a), 1);
	if (b != NULL)
		assert_int_equal(PEM_write_X509(fp, b), 1);
	fclose(fp);
}

/* ca.pem; ec.pem (chain: leaf "mail.example" signed by the CA, then the
 * CA) with ec.key; rsa.pem (self-signed "mail.example") with rsa.key;
 * both.pem holds the RSA certificate and key in one file. */
static int
setup(void **state)
{
	EVP_PKEY *ca_key, *ec_key, *rsa_key;
	X509 *ca, *ec, *rsa;
	FILE *fp;

	signal(SIGPIPE, SIG_IGN);
	assert_non_null(mkdtemp(dir));
	ca_key = EVP_EC_gen("P-256");
	ec_key = EVP_EC_gen("P-256");
	rsa_key = EVP_RSA_gen(2048);
	assert_true(ca_key && ec_key && rsa_key);
	ca = make_cert(ca_key, "Test CA", NULL, NULL, 1);
	ec = make_cert(ec_key, "mail.example", ca, ca_key, 0);
	rsa = make_cert(rsa_key, "mail.example", NULL, NULL, 0);
	write_certs(path(0, "ca.pem"), ca, NULL);
	write_certs(path(0, "ec.pem"), ec, ca);
	write_key(ec_key, path(0, "ec.key"));
	write_certs(path(0, "rsa.pem"), rsa, NULL);
	write_key(rsa_key, path(0, "rsa.key"));
	write_certs(path(0, "both.pem"), rsa, NULL);
	fp = fopen(path(0, "both.pem"), "a");
	assert_int_equal(PEM_write_PrivateKey(fp, rsa_key, NULL, NULL, 0, NULL,
			     NULL),
	    1);
	fclose(fp);
	X509_free(ca);
	X509_free(ec);
	X509_free(rsa);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(rsa_key);
	*state = NULL;
	return 0;
}

static int
teardown(void **state)
{
	static const char *const files[] = { "ca.pem", "ec.pem", "ec.key",
		"rsa.pem", "rsa.key", "both.pem" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(path(0, files[i]));
	rmdir(dir);
	return 0;
}

static struct tls_server *
server_ctx(void)
{
	struct buf err;
	struct tls_server *srv;
	char certs[1100], keys[1100];

	buf_init(&err, 1024);
	snprintf(certs, sizeof(certs), "%s, %s", path(1, "rsa.pem"),
	    path(2, "ec.pem"));
	snprintf(keys, sizeof(keys), "%s %s", path(1, "rsa.key"),
	    path(2, "ec.key"));
	srv = tls_server_create(certs, keys, &err);
	if (srv == NULL)
		fail_msg("%s", err.data);
	buf_deinit(&err);
	return srv;
}

static void
test_load_errors(void **state)
{
	struct buf err;
	struct tls_server *srv;

	(void)state;
	buf_init(&err, 1024);
	srv = tls_server_create(path(1, "both.pem"), "", &err);
	assert_non_null(srv);
	tls_server_destroy(&srv);
	assert_null(srv);

	assert_null(tls_server_create(path(1, "missing.pem"), "", &err));
	assert_non_null(strstr(err.data, "missing.pem"));
	assert_null(
	    tls_server_create(path(1, "rsa.pem"), path(2, "ec.key"), &err));
	assert_non_null(strstr(err.data, "rsa.pem"));
	assert_null(tls_server_create(path(1, "rsa.pem"), "", &err));
	assert_non_null(strstr(err.data, "rsa.pem"));
	assert_null(tls_server_create("", "", &err));
	assert_string_equal(err.data, "no certificate file given");
	assert_null(tls_server_create(path(1, "rsa.pem"),
	    "/nonexistent/a.key /nonexistent/b.key", &err));
	assert_non_null(strstr(err.data, "a.key"));
	buf_deinit(&err);
}

/* The child: a TLS client over fd that checks verification (want_ok),
 * sends a line, reads the echo and a 200 KiB block. Exit status 0 when
 * all went as expected. */
static void
run_client(int fd, const char *servername, int want_verified)
{
	struct buf err, line;
	struct tls_client *cl;
	struct stream *s = stream_create(fd, 0);
	const char *error;
	struct tls_conn *c;
	int verified;
	static char block[200 * 1024];

	buf_init(&err, 1024);
	buf_init(&line, 1024);
	stream_set_timeout(s, 10);
	if ((cl = tls_client_create(path(3, "ca.pem"), &err)) == NULL)
		_exit(10);
	if ((c = tls_client_start(cl, s, servername, &error)) == NULL)
		_exit(11);
	verified = tls_conn_verified(c, NULL);
	if (verified != want_verified)
		_exit(12);
	if (stream_puts(s, "hello\r\n") < 0 || stream_flush(s, &error) < 0)
		_exit(13);
	if (stream_get_line(s, &line, 1000, &error) != STREAM_LINE ||
	    strcmp(line.data, "echo hello\r\n") != 0)
		_exit(14);
	if (stream_read_exact(s, block, sizeof(block), &error) != 1)
		_exit(15);
	for (size_t i = 0; i < sizeof(block); i++)
		if (block[i] != (char)(i % 251))
			_exit(16);
	stream_destroy(&s);
	tls_client_destroy(&cl);
	_exit(0);
}

static int
wait_child(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static void
serve_one(const char *servername, int want_verified)
{
	struct tls_server *srv = server_ctx();
	struct buf line, desc;
	struct stream *s;
	struct tls_conn *c;
	const char *error;
	static char block[200 * 1024];
	int sv[2];
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		run_client(sv[1], servername, want_verified);
	}
	close(sv[1]);
	buf_init(&line, 1024);
	buf_init(&desc, 1024);
	s = stream_create(sv[0], 0);
	stream_set_timeout(s, 10);
	c = tls_server_start(srv, s, &error);
	if (c == NULL)
		fail_msg("server handshake: %s", error);
	assert_string_equal(tls_conn_protocol(c), "TLSv1.3");
	tls_conn_describe(c, &desc);
	assert_true(strncmp(desc.data, "TLSv1.3 with cipher TLS_", 24) == 0);
	assert_non_null(strstr(desc.data, " bits)"));
	assert_int_equal(stream_get_line(s, &line, 1000, &error), STREAM_LINE);
	assert_string_equal(line.data, "hello\r\n");
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (char)(i % 251);
	assert_int_equal(stream_puts(s, "echo hello\r\n"), 0);
	assert_int_equal(stream_write(s, block, sizeof(block)), 0);
	assert_int_equal(stream_flush(s, &error), 0);
	assert_int_equal(wait_child(pid), 0);
	stream_destroy(&s);
	tls_server_destroy(&srv);
	buf_deinit(&line);
	buf_deinit(&desc);
}

static void
test_handshake_verified(void **state)
{
	(void)state;
	serve_one("mail.example", 1);
}

static void
test_handshake_wrong_name(void **state)
{
	(void)state;
	serve_one("other.example", 0);
}

/* The server's handshake with a peer that does one bad thing. */
static const char *
server_against(void (*peer)(int fd))
{
	struct tls_server *srv = server_ctx();
	static char error_copy[256];
	struct stream *s;
	const char *error = NULL;
	int sv[2];
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		peer(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	s = stream_create(sv[0], 0);
	stream_set_timeout(s, 1);
	assert_null(tls_server_start(srv, s, &error));
	snprintf(error_copy, sizeof(error_copy), "%s", error);
	stream_destroy(&s);
	kill(pid, SIGKILL);
	wait_child(pid);
	tls_server_destroy(&srv);
	return error_copy;
}

static void
peer_tls11(int fd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;

	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	(void)SSL_connect(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}

static void
peer_silent(int fd)
{
	char c;

	if (read(fd, &c, 1) < 0)
		_exit(1);
}

static void
peer_plain(int fd)
{
	static const char junk[] = "EHLO client.example\r\n";

	if (write(fd, junk, sizeof(junk) - 1) < 0 ||
	    read(fd, path_buf[7], 1) < 0)
		_exit(1);
}

static void
test_tls11_refused(void **state)
{
	const char *error;

	(void)state;
	error = server_against(peer_tls11);
	assert_true(strstr(error, "version") != NULL ||
	    strstr(error, "protocol") != NULL);
}

static void
test_silent_peer_times_out(void **state)
{
	(void)state;
	assert_string_equal(server_against(peer_silent), "timeout");
}

static void
test_plain_peer_fails(void **state)
{
	(void)state;
	assert_true(*server_against(peer_plain) != '\0');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_handshake_verified),
		cmocka_unit_test(test_handshake_wrong_name),
		cmocka_unit_test(test_tls11_refused),
		cmocka_unit_test(test_silent_peer_times_out),
		cmocka_unit_test(test_plain_peer_fails),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
